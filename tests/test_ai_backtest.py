"""The AI configs through Hummingbot's real BacktestingEngineBase (offline provider) on real 2023 data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from hummingbot_plugin.cli import main
from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

pytestmark = pytest.mark.slow

CONF = PROJECT_ROOT / "conf" / "controllers"
FEE = 0.001


def _run(shared_data_dir: Path, pair: str, start: str, end: str) -> EngineRun:
    candles = load_candles(shared_data_dir / f"binance_{pair}-USDT_1h.csv", start="2022-09-01", end=end)
    config = load_controller_config(CONF / f"ai_livestream_{pair.lower()}_usdt_1h.yml")
    lower, upper = to_epoch_bound(start, is_end=False), to_epoch_bound(end, is_end=True)
    assert lower is not None and upper is not None
    return run_offline(
        config,
        candles,
        "1h",
        start=int(lower),
        end=int(upper),
        resolution="1h",
        fee=FEE,
        source=f"binance_{pair}-USDT_1h.csv",
    )


@pytest.fixture(scope="module")
def eth_run(shared_data_dir: Path) -> EngineRun:
    return _run(shared_data_dir, "ETH", "2023-03-01", "2023-04-30")


def test_engine_trades_the_vectorised_frame(eth_run: EngineRun) -> None:
    filled = [e for e in eth_run.executors if float(e.filled_amount_quote) > 0]
    assert len(filled) >= 3, "two months of ETH should produce trades"
    frame = eth_run.features.set_index("timestamp")
    for info in eth_run.executors:  # every executor was opened on a bar whose signal was long
        assert frame.loc[float(info.timestamp), "signal"] == 1
        assert frame.loc[float(info.timestamp), "reason"] == ""
    assert set(frame["signal"].unique()) <= {0, 1}
    assert {"q10", "q50", "q90", "p_long", "target_pct"} <= set(frame.columns)


def test_barriers_follow_target_pct_within_bounds(eth_run: EngineRun) -> None:
    frame = eth_run.features.set_index("timestamp")
    for info in eth_run.executors:
        barrier = info.config.triple_barrier_config
        target = float(frame.loc[float(info.timestamp), "target_pct"])
        assert barrier.stop_loss == Decimal(str(min(max(2.0 * target, 0.006), 0.03)))
        assert barrier.take_profit == Decimal(str(min(max(3.0 * target, 0.006), 0.05)))
        assert Decimal("0.006") <= barrier.stop_loss <= Decimal("0.03")


def test_backtest_command_reports_against_buy_and_hold(tmp_path: Path) -> None:
    out = tmp_path / "btc.json"
    config = CONF / "ai_livestream_btc_usdt_1h.yml"
    argv = f"backtest --config {config} --candles binance_BTC-USDT_1h.csv --start 2023-02-01 --end 2023-03-31"
    argv += f" --fee 0.001 --capital 1000 --json {out}"
    assert main(argv.split()) == 0
    document = json.loads(out.read_text())
    assert document["trades"] > 0 and np.isfinite(document["return_pct"])
    assert np.isfinite(document["buy_and_hold_return_pct"]) and document["config"]["model_dir"]
