"""Executors → ledger fills at the prices the simulator used; one ledger for every figure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hummingbot.core.data_type.common import OrderType, TradeType
from hummingbot.strategy_v2.executors.position_executor.data_types import (
    PositionExecutorConfig,
    TripleBarrierConfig,
)
from hummingbot.strategy_v2.models.executors import CloseType

from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import Marks, account_figures, build_ledger
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline
from hummingbot_plugin.simulation.backtest.position_sim import BarPositionSimulator

BTC_CONFIG = PROJECT_ROOT / "conf" / "controllers" / "ai_livestream_btc_usdt_1h.yml"
FEE = 0.001
T0 = 1_672_531_200


# ---------------------------------------------------------------- the bar simulator
def _bars(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    ts = T0 + 3600 * np.arange(len(rows))
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=ts.astype(float))
    frame.insert(0, "timestamp", ts.astype(float))
    return frame


def _long(stop: str = "0.02", take: str = "0.05") -> PositionExecutorConfig:
    barriers = TripleBarrierConfig(
        stop_loss=Decimal(stop),
        take_profit=Decimal(take),
        time_limit=5 * 3600,
        open_order_type=OrderType.MARKET,
    )
    return PositionExecutorConfig(
        timestamp=T0,
        connector_name="binance",
        trading_pair="BTC-USDT",
        side=TradeType.BUY,
        entry_price=Decimal(100),
        amount=Decimal(2),
        triple_barrier_config=barriers,
    )


@pytest.mark.parametrize(
    ("bar2", "exit_price", "close_type"),
    [
        ((100.0, 100.5, 97.0, 101.0), 98.0, CloseType.STOP_LOSS),  # touched the stop, closed above entry
        ((95.0, 96.0, 94.0, 95.5), 95.0, CloseType.STOP_LOSS),  # gapped through the stop: the open
        ((100.0, 107.0, 97.0, 106.0), 98.0, CloseType.STOP_LOSS),  # stop and take profit in one bar
        ((100.0, 107.0, 99.0, 106.0), 106.0, CloseType.TAKE_PROFIT),  # take profit at the close
    ],
)
def test_stops_start_after_the_entry_bar_and_fill_at_the_stop(
    bar2: tuple[float, float, float, float], exit_price: float, close_type: CloseType
) -> None:
    # The entry bar's low (90) lies far below the stop, but it happened before the entry close.
    frame = _bars(
        [(100, 101, 90, 100), (100, 101, 99, 100.5), bar2, (100, 101, 99, 100), (100, 101, 99, 100)]
    )
    sim = BarPositionSimulator().simulate(frame, _long(), FEE)
    info = sim.get_executor_info_at_timestamp(frame.index[-1])
    assert sim.close_type == close_type and info.close_timestamp == T0 + 7200
    assert info.custom_info["exit_price"] == pytest.approx(exit_price)
    assert info.custom_info["current_position_average_price"] == 100.0
    expected = 2 * (exit_price - 100) - FEE * 2 * (100 + exit_price)
    assert float(info.net_pnl_quote) == pytest.approx(expected)
    assert float(info.cum_fees_quote) == pytest.approx(FEE * 2 * (100 + exit_price))
    if close_type == CloseType.STOP_LOSS:
        assert float(info.net_pnl_quote) < 0


def test_a_quiet_path_ends_at_the_time_limit_close() -> None:
    frame = _bars([(100, 101, 90, 100)] + [(100, 101, 99, 100 + i / 10) for i in range(1, 8)])
    sim = BarPositionSimulator().simulate(frame, _long(), FEE)
    info = sim.get_executor_info_at_timestamp(frame.index[-1])
    assert sim.close_type == CloseType.TIME_LIMIT and info.close_timestamp == T0 + 5 * 3600
    assert info.custom_info["exit_price"] == pytest.approx(100.5)


# ---------------------------------------------------------------- a real backtest
@pytest.fixture(scope="module")
def btc_run(shared_data_dir: Path) -> EngineRun:
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2022-09-01", end="2023-12-31")
    lower, upper = to_epoch_bound("2023-01-01", is_end=False), to_epoch_bound("2023-12-31", is_end=True)
    assert lower is not None and upper is not None
    return run_offline(
        load_controller_config(BTC_CONFIG),
        candles,
        "1h",
        start=int(lower),
        end=int(upper),
        resolution="1h",
        fee=FEE,
        source="binance_BTC-USDT_1h.csv",
        sizing="compound",
    )


@pytest.mark.slow
def test_fills_reproduce_every_executor(btc_run: EngineRun) -> None:
    by_executor: dict[str, list] = {}
    for fill in btc_run.fills:
        by_executor.setdefault(fill.executor_id, []).append(fill)
    filled = [e for e in btc_run.executors if float(e.filled_amount_quote) > 0]
    assert len(filled) >= 10 and set(by_executor) == {str(e.id) for e in filled}
    for info in filled:
        entry, exit_ = sorted(by_executor[str(info.id)], key=lambda f: f.timestamp)
        assert (
            entry.side == 1 and exit_.side == -1 and entry.amount == exit_.amount == float(info.config.amount)
        )
        assert info.timestamp <= entry.timestamp < exit_.timestamp == info.close_timestamp
        assert entry.fee_quote == pytest.approx(FEE * entry.notional)
        assert exit_.fee_quote == pytest.approx(FEE * exit_.notional)
        assert not entry.is_maker and not exit_.is_maker  # market orders (take profit: MARKET in the config)
        pnl = exit_.notional - entry.notional - entry.fee_quote - exit_.fee_quote
        assert pnl == pytest.approx(float(info.net_pnl_quote), abs=1e-9)
        assert float(info.cum_fees_quote) == pytest.approx(entry.fee_quote + exit_.fee_quote)
        if info.close_type == CloseType.STOP_LOSS:
            stop = float(info.config.triple_barrier_config.stop_loss)
            assert pnl < 0 and exit_.price <= entry.price * (1 - stop) + 1e-9


@pytest.mark.slow
def test_the_ledger_figures_are_the_executors_figures(btc_run: EngineRun) -> None:
    book = build_ledger(
        btc_run.fills, btc_run.start_balances, Marks(btc_run.timestamps, {btc_run.market: btc_run.closes})
    )
    figures = account_figures(book)
    pnls = [float(e.net_pnl_quote) for e in btc_run.executors if float(e.filled_amount_quote) > 0]
    assert figures.trades == len(pnls) and figures.n_fills == 2 * len(pnls)
    assert figures.net_pnl_quote == pytest.approx(sum(pnls), abs=1e-6)
    assert figures.fees_quote == pytest.approx(sum(float(e.cum_fees_quote) for e in btc_run.executors))
    assert figures.win_rate == pytest.approx(sum(p > 0 for p in pnls) / len(pnls))
    assert sorted(t.pnl_quote for t in book.markets[btc_run.market].trades) == pytest.approx(sorted(pnls))
    assert btc_run.hummingbot_summary["net_pnl_quote"] == pytest.approx(sum(pnls), abs=1e-6)
