"""A replay of the AI controller through Hummingbot's real V2 runtime (script, orchestrator, executors,
simulated exchange on real candles) produces fills — and none before the model's data cutoff."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

pytestmark = pytest.mark.slow

CUTOFF = pd.Timestamp("2023-01-01", tz="UTC").timestamp()


def test_replay_of_ai_config_fills_out_of_sample_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HBP_STATE_DIR", str(tmp_path / "state"))
    shipped = yaml.safe_load((PROJECT_ROOT / "conf/controllers/ai_livestream_btc_usdt_1h.yml").read_text())
    # Test-only deviation: a low threshold so early January trades (the risk limits are the defaults: the
    # simulated book counts as fresh until its next candle-path point, see SimulatedExchange.book_timestamp).
    shipped.update(long_threshold=0.1, mqtt={"replay_state_dir": None})
    controller_file = tmp_path / "ai_btc.yml"
    controller_file.write_text(yaml.safe_dump(shipped))
    script = tmp_path / "ai_replay.yml"
    script.write_text(
        yaml.safe_dump(
            {"script_file_name": "v2_plugin_controllers.py", "controllers_config": [str(controller_file)]}
        )
    )
    # The replay serves no candles before --start, so the 1,000-bar warm-up is replayed too (in-sample
    # bars are refused by the controller itself).
    result = run_replay(
        ReplayRequest(
            script_config=script,
            data=(data_file("binance_BTC-USDT_1h.csv"),),
            start="2022-11-20",
            end="2023-01-04",
            balances={"USDT": Decimal(10_000)},
        )
    )
    fills = result.exchanges["binance"].ledger.entries
    assert len(fills) >= 2
    assert min(float(f.timestamp) for f in fills) >= CUTOFF
    assert result.payload["account"]["n_fills"] == len(fills)
