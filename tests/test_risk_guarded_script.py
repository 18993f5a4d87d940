"""End to end: the guarded V2 script in the real replay runner (Hummingbot engines, simulated exchange).

A probe controller that always wants to be long is loaded the way Hummingbot loads controllers
(``controllers.directional_trading.<name>``) from a temporary folder added to that package's path.
"""

from __future__ import annotations

import asyncio
import importlib
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from hummingbot_plugin.audit import (
    ExecutorActionRecord,
    FillRecord,
    OrderRecord,
    OverrideRecord,
    RiskTransitionRecord,
    iter_records,
    verify_chain,
)
from hummingbot_plugin.risk import JsonStateStore, PersistedRiskState, RiskState
from hummingbot_plugin.risk.paper_guard import simulation_run
from hummingbot_plugin.settings import PROJECT_ROOT

PROBE = textwrap.dedent(
    """
    from decimal import Decimal
    from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
        DirectionalTradingControllerBase, DirectionalTradingControllerConfigBase)
    from pydantic import Field
    from hummingbot_plugin.hb.risk_gate import RiskGatedController
    from hummingbot_plugin.risk.limits import RiskLimits

    class RiskProbeConfig(DirectionalTradingControllerConfigBase):
        controller_name: str = "risk_probe"
        leverage: int = 1
        risk: RiskLimits = Field(default_factory=RiskLimits, json_schema_extra={"is_updatable": True})

    class RiskProbe(RiskGatedController, DirectionalTradingControllerBase):
        async def update_processed_data(self):
            self.processed_data = {"signal": 1}
    """
)


@pytest.fixture()
def probe_controller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))  # Hummingbot imports controllers.<type>.<name> from there
    folder = tmp_path / "probe_pkg"
    folder.mkdir()
    (folder / "risk_probe.py").write_text(PROBE)
    package = importlib.import_module("controllers.directional_trading")
    package.__path__.append(str(folder))
    yield
    package.__path__.remove(str(folder))


def _conf(tmp_path: Path, risk: dict[str, Any], **script: Any) -> Path:
    controller = {
        "id": "probe",
        "controller_type": "directional_trading",
        "controller_name": "risk_probe",
        "connector_name": "binance",
        "trading_pair": "BTC-USDT",
        "total_amount_quote": 1000,
        "max_executors_per_side": 3,
        "cooldown_time": 3600,
        "stop_loss": 0.5,
        "take_profit": 0.5,
        "time_limit": 10 * 86400,
        "position_mode": "ONEWAY",
        "risk": {"max_open_executors": 10, **risk},
    }
    (tmp_path / "probe.yml").write_text(yaml.safe_dump(controller))
    config = {
        "script_file_name": "v2_guarded_controllers.py",
        "controllers_config": [str(tmp_path / "probe.yml")],
        "state_dir": str(tmp_path / "state"),
        "global_risk": {},
        **script,
    }
    path = tmp_path / "guarded.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _replay(conf: Path, start: str, end: str, shared_data_dir: Path) -> Any:
    from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

    request = ReplayRequest(
        script_config=conf,
        data=(shared_data_dir / "binance_BTC-USDT_1h.csv",),
        start=start,
        end=end,
        balances={"USDT": Decimal(10_000), "BTC": Decimal(0)},
        sim_config=PROJECT_ROOT / "conf" / "sim" / "binance_default.yml",
    )
    with simulation_run():
        return run_replay(request)


@pytest.mark.slow
@pytest.mark.usefixtures("probe_controller")
def test_drawdown_halt_stops_everything_and_survives_a_restart(tmp_path: Path, shared_data_dir: Path) -> None:
    # May 2022: BTC fell ~25 %; a 2 % drawdown limit must halt the always-long probe.
    conf = _conf(tmp_path, {"max_drawdown_pct": 0.02, "capital_quote": 1000})
    result = _replay(conf, "2022-05-03", "2022-05-12", shared_data_dir)
    audit_dir = tmp_path / "state" / "audit"
    records = list(iter_records(audit_dir))
    halts = [r for r in records if isinstance(r, RiskTransitionRecord) and r.to_state == "HALTED"]
    assert halts and halts[0].reason_code == "DRAWDOWN_PCT" and halts[0].scope == "probe"
    halted_at = halts[0].ts
    creates = [r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]
    assert creates and all(r.ts <= halted_at for r in creates)  # no new executor after the breach
    stops = [
        r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "stop" and r.ts >= halted_at
    ]
    assert stops and all(r.ts - halted_at <= 3600 for r in stops)  # stopped within one controller tick
    fills_after = [
        f for f in result.exchanges["binance"].ledger.entries if float(f.timestamp) > halted_at + 1
    ]
    assert all(str(f.side).upper().endswith("SELL") for f in fills_after)  # only position-closing orders
    fills = [r for r in records if isinstance(r, FillRecord)]
    assert len(fills) == len(result.exchanges["binance"].ledger.entries) > 0  # every fill audited
    assert {r.event for r in records if isinstance(r, OrderRecord)} >= {"created", "completed"}
    assert verify_chain(audit_dir).ok
    state = JsonStateStore(tmp_path / "state" / "probe.json").load("probe")
    assert isinstance(state, PersistedRiskState) and state.state is RiskState.HALTED

    # restart on later data: still HALTED, no new entries
    before = len(creates)
    _replay(conf, "2022-05-12", "2022-05-16", shared_data_dir)
    records = list(iter_records(audit_dir))
    assert len([r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]) == before
    assert verify_chain(audit_dir).ok


@pytest.mark.slow
@pytest.mark.usefixtures("probe_controller")
def test_yaml_kill_switch_halts_from_the_first_tick(tmp_path: Path, shared_data_dir: Path) -> None:
    conf = _conf(tmp_path, {}, kill_switch=True)
    _replay(conf, "2022-06-01", "2022-06-03", shared_data_dir)
    records = list(iter_records(tmp_path / "state" / "audit"))
    assert not [r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]
    halts = [r for r in records if isinstance(r, RiskTransitionRecord) and r.to_state == "HALTED"]
    assert halts[0].scope == "global" and halts[0].reason_code == "KILL_SWITCH"


@pytest.mark.slow
@pytest.mark.usefixtures("probe_controller")
def test_hot_reload_applies_an_updatable_kill_switch(tmp_path: Path, shared_data_dir: Path) -> None:
    reloaded = tmp_path / "reloaded.yml"
    conf = _conf(tmp_path, {}, config_file=str(reloaded))
    reloaded.write_text(yaml.safe_dump({**yaml.safe_load(conf.read_text()), "kill_switch": True}))
    _replay(conf, "2022-06-01", "2022-06-03", shared_data_dir)
    records = list(iter_records(tmp_path / "state" / "audit"))
    halts = [r for r in records if isinstance(r, RiskTransitionRecord) and r.reason_code == "KILL_SWITCH"]
    assert halts and halts[0].scope == "global"
    creates = [r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]
    assert all(r.ts <= halts[0].ts for r in creates)


@pytest.mark.slow
@pytest.mark.usefixtures("probe_controller")
def test_invalid_hot_reload_keeps_the_last_good_config_and_alerts(
    tmp_path: Path, shared_data_dir: Path
) -> None:
    reloaded = tmp_path / "reloaded.yml"
    conf = _conf(tmp_path, {}, config_file=str(reloaded))
    bad = {**yaml.safe_load(conf.read_text()), "kill_switch": True, "global_risk": {"max_drawdown_pct": 7}}
    reloaded.write_text(yaml.safe_dump(bad))
    _replay(conf, "2022-06-01", "2022-06-02", shared_data_dir)
    records = list(iter_records(tmp_path / "state" / "audit"))
    alerts = [r for r in records if isinstance(r, OverrideRecord) and r.source == "config_reload"]
    assert alerts and not alerts[0].accepted and "global_risk.max_drawdown_pct" in alerts[0].reason
    assert not [r for r in records if isinstance(r, RiskTransitionRecord) and r.reason_code == "KILL_SWITCH"]
    assert [r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]


@pytest.mark.usefixtures("probe_controller")
def test_controller_reload_is_validated_invalid_keeps_the_last_good_config(tmp_path: Path) -> None:
    """Hummingbot's periodic controller reload, on the script built as the replay builds it."""
    from risk_hb_factories import T0, make_exchange

    from hummingbot_plugin.simulation.engine.candle_store import CandleStore
    from hummingbot_plugin.simulation.exchange.market_data import provider_factory
    from hummingbot_plugin.simulation.exchange.runtime import (
        headless_application,
        load_script,
        markets_recorder,
        patched_data_provider,
        use_project_paths,
    )

    conf = _conf(tmp_path, {})
    use_project_paths()

    async def scenario() -> tuple[Any, list[Any]]:
        with simulation_run():
            bundle = load_script(conf)
        exchange = make_exchange(Decimal("100"))
        recorder = markets_recorder(tmp_path / "db.sqlite", [exchange], "guarded")
        try:
            with headless_application(), patched_data_provider(provider_factory(CandleStore(), lambda: T0)):
                script = bundle.strategy_class({"binance": exchange}, bundle.config)
            probe = tmp_path / "probe.yml"
            probe.write_text(probe.read_text() + "leverage: 500\n")  # edited while the bot runs
            script.update_controllers_configs()
            bad = script.controllers["probe"].config.total_amount_quote
            probe.write_text(
                probe.read_text()
                .replace("leverage: 500\n", "")
                .replace("total_amount_quote: 1000", "total_amount_quote: 1500")
            )
            script._last_config_update_ts = 0
            script.update_controllers_configs()
            return (bad, script.controllers["probe"].config.total_amount_quote), list(
                iter_records(tmp_path / "state" / "audit")
            )
        finally:
            recorder.stop()
            type(recorder)._shared_instance = None

    loop = asyncio.new_event_loop()
    try:
        (before, after), records = loop.run_until_complete(scenario())
    finally:  # the strategy's action listener loops forever: cancel it before closing the loop
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
    alerts = [r for r in records if isinstance(r, OverrideRecord) and r.command == "controller configs"]
    assert len(alerts) == 1 and not alerts[0].accepted and "leverage" in alerts[0].reason
    assert (before, after) == (
        Decimal(1000),
        Decimal(1500),
    )  # kept the last good, then applied the valid edit
