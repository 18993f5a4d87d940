"""The replay runner starts the PRODUCTION guarded script (paper guard, global + per-controller risk gates,
audit trail) with the shipped AI controller on real 1h candles, and it trades under the DEFAULT risk
limits: the simulated book is fresh in candle mode, and the 1,000-bar model window is warmed up from the
bars before --start. Outside a replay the same script still refuses to start in paper mode."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from hummingbot_plugin.audit import DecisionRecord, iter_records, verify_chain
from hummingbot_plugin.risk.paper_guard import PaperGuardError, in_simulation_run
from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.exchange.runtime import load_script, use_project_paths
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

pytestmark = pytest.mark.slow

START = "2023-03-06"
SHIPPED_SCRIPT = PROJECT_ROOT / "conf" / "scripts" / "ai_livestream_1h.yml"


def _guarded_script(tmp_path: Path) -> Path:
    """The shipped script YAML, minus what would touch files outside tmp_path (hot reload of the shipped
    file, MQTT replay-protection state); the controller config is the shipped one otherwise."""
    shipped = yaml.safe_load(SHIPPED_SCRIPT.read_text())
    controller: dict[str, Any] = yaml.safe_load(
        (PROJECT_ROOT / "conf" / "controllers" / "ai_livestream_btc_usdt_1h.yml").read_text()
    )
    controller["mqtt"] = {**controller.get("mqtt", {}), "replay_state_dir": None}
    assert "risk" not in controller  # the default RiskLimits (30 s book age) are what is exercised
    controller_file = tmp_path / "ai_btc.yml"
    controller_file.write_text(yaml.safe_dump(controller))
    shipped.update(
        controllers_config=[str(controller_file)], config_file=None, state_dir=str(tmp_path / "st")
    )
    script = tmp_path / "guarded.yml"
    script.write_text(yaml.safe_dump(shipped))
    return script


def test_replay_runs_the_guarded_script_with_the_ai_controller(tmp_path: Path) -> None:
    script = _guarded_script(tmp_path)
    assert yaml.safe_load(script.read_text())["script_file_name"] == "v2_guarded_controllers.py"
    result = run_replay(
        ReplayRequest(
            script_config=script,
            data=(data_file("binance_BTC-USDT_1h.csv"),),
            start=START,
            end="2023-03-20",
            balances={"USDT": Decimal(10_000)},
        )
    )
    fills = result.exchanges["binance"].ledger.entries
    assert len(fills) >= 2, "the AI controller should trade in these two weeks"
    assert min(float(f.timestamp) for f in fills) >= result.payload["start"]
    assert {Decimal(v) for v in result.payload["connectors"]["binance"]["reconciliation"].values()} == {
        Decimal(0)
    }
    audit = tmp_path / "st" / "audit"
    assert verify_chain(audit).ok
    decisions = [r for r in iter_records(audit) if isinstance(r, DecisionRecord)]
    assert any(d.allowed for d in decisions)
    assert not [d for d in decisions if d.reason_code in ("STALE_BOOK", "STALE_CANDLES")]


def test_outside_a_replay_the_guarded_script_still_refuses_paper_mode(tmp_path: Path) -> None:
    use_project_paths()
    bundle = load_script(_guarded_script(tmp_path))  # the runner's path: inside simulation_run()
    assert set(bundle.markets) == {"binance"} and not in_simulation_run()
    with pytest.raises(PaperGuardError, match="paper mode"):
        bundle.strategy_class.init_markets(bundle.config)  # what Hummingbot's own start would call
