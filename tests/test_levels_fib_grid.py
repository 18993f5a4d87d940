"""The fib_grid controller: plan causality, grid actions, and a real backtest on a 2023 month."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hummingbot.core.data_type.common import OrderType, TradeType

from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import Marks, account_figures, build_ledger
from hummingbot_plugin.levels import GridSettings, LevelSettings, plan_frame
from hummingbot_plugin.levels.plan import OpenOrder, grid_actions, plan_now
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

CONFIG = PROJECT_ROOT / "conf" / "controllers" / "fib_grid_btc_usdt_1h.yml"
GRID = GridSettings(slots=2, same_level_bp=25)


def test_plan_of_a_prefix_equals_the_full_history(shared_data_dir: Path) -> None:
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2023-01-01", end="2023-02-28")
    settings = LevelSettings((6, 24), 3, 25)
    full = plan_frame(candles, settings, GridSettings())
    cut = 900
    part = plan_frame(candles.iloc[:cut].reset_index(drop=True), settings, GridSettings())
    pd.testing.assert_frame_equal(part, full.iloc[:cut].reset_index(drop=True))
    levels = full[["level_1", "level_2", "level_3"]].to_numpy()
    assert np.isfinite(levels[:, 0]).mean() > 0.3  # the grid usually has somewhere to buy
    below = levels[np.isfinite(levels)] < np.repeat(full["close"].to_numpy(), 3)[np.isfinite(levels).ravel()]
    assert below.all()
    tps = full[["tp_1", "tp_2", "tp_3"]].to_numpy()
    assert (tps[np.isfinite(tps)] >= levels[np.isfinite(levels)] * 1.01 - 1e-9).all()


def test_grid_actions_cancel_stale_orders_keep_fills_and_fill_free_slots() -> None:
    active = [OpenOrder("a", 100.0, filled=True), OpenOrder("b", 97.0, filled=False)]
    creates, stops = grid_actions([(99.0, 102.0), (98.0, 101.0)], active, GRID)
    assert stops == ["b"]  # unfilled and no longer planned
    assert creates == [(99.0, 102.0)]  # one free slot (the filled lot at 100 keeps the other)
    creates, stops = grid_actions([(100.1, 103.0)], active[:1], GRID)
    assert creates == [] and stops == []  # 10 bp from the held level: the same level


@pytest.fixture(scope="module")
def march_run(shared_data_dir: Path) -> EngineRun:
    path = shared_data_dir / "binance_BTC-USDT_1h.csv"
    config = load_controller_config(CONFIG, {"risk": {"max_drawdown_pct": "0.5"}})
    start, end = to_epoch_bound("2023-03-01", is_end=False), to_epoch_bound("2023-03-31", is_end=True)
    assert start is not None and end is not None
    candles = load_candles(path, end="2023-03-31")
    return run_offline(
        config, candles, "1h", start=int(start), end=int(end), resolution="1h", fee=0.001, source=str(path)
    )


def test_backtest_on_a_2023_month_keeps_the_ledger_consistent(march_run: EngineRun) -> None:
    run = march_run
    ledger = build_ledger(run.fills, run.start_balances, Marks(run.timestamps, {run.market: run.closes}))
    figures = account_figures(ledger)
    filled = [e for e in run.executors if float(e.filled_amount_quote) > 0]
    assert len(filled) >= 3, "the grid should buy a few levels in a month"
    assert ledger.overdrawn() == []
    assert float(np.min(ledger.markets[run.market].holdings)) >= -1e-12  # spot: never short
    pnls = [float(e.net_pnl_quote) for e in filled]
    assert figures.net_pnl_quote == pytest.approx(sum(pnls), abs=1e-6)
    assert ledger.equity[-1] == pytest.approx(run.capital + sum(pnls), abs=1e-6)
    for e in filled:
        barriers = e.config.triple_barrier_config
        assert e.config.side == TradeType.BUY and barriers.open_order_type == OrderType.LIMIT
        entry = float(e.custom_info["current_position_average_price"])
        assert entry <= float(e.config.entry_price) + 1e-9  # a limit buy never pays above its level
        assert float(barriers.take_profit) >= 0.01 - 1e-12 and float(barriers.stop_loss) == pytest.approx(
            0.03
        )
    assert all(f.is_maker for f in run.fills if f.side == 1)


def test_never_more_buys_than_slots_at_once(march_run: EngineRun) -> None:
    spans = [(float(e.timestamp), float(e.close_timestamp or np.inf)) for e in march_run.executors]
    for t in march_run.timestamps:
        assert sum(a <= t < b for a, b in spans) <= 3


def test_plan_now_is_the_last_row_of_the_plan_frame(shared_data_dir: Path) -> None:
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2023-05-01", end="2023-06-15")
    settings = LevelSettings((6, 24, 72), 3, 25)
    full = plan_frame(candles, settings, GridSettings())
    for cut in (400, 800, len(candles)):
        row = plan_now(candles.iloc[:cut], settings, GridSettings())
        expected = full.iloc[cut - 1].drop(["timestamp", "close"]).to_dict()
        assert row.keys() == expected.keys()
        assert all(np.isclose(row[k], expected[k], equal_nan=True) for k in row)
