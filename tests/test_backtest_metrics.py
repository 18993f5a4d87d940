"""Pure metric maths: equity, drawdown, Sharpe, buy-and-hold, trade statistics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.backtest.metrics import (
    ExecutorRecord,
    buy_and_hold_equity,
    compute_metrics,
    daily_sharpe,
    equity_curve,
    exposure_mask,
    max_drawdown_pct,
)

HOUR = 3600.0
T0 = 1_672_531_200.0


def _make_record(**overrides: Any) -> ExecutorRecord:
    values: dict[str, Any] = {
        "executor_id": "e1",
        "side": 1,
        "created_ts": T0 + HOUR,
        "entry_ts": T0 + HOUR,
        "close_ts": T0 + 3 * HOUR,
        "amount_base": 2.0,
        "entry_price": 101.0,
        "net_pnl_quote": 0.0,
        "fees_quote": 0.5,
        "close_type": "EARLY_STOP",
    }
    values.update(overrides)
    return ExecutorRecord(**values)


def _bars(closes: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return T0 + HOUR * np.arange(len(closes)), np.asarray(closes, dtype=float)


def test_equity_marks_position_to_market_then_freezes() -> None:
    timestamps, closes = _bars([100, 101, 103, 99, 120])
    equity = equity_curve(timestamps, closes, [_make_record()], capital=1000.0)
    # before entry: capital; then 2 * (close - 101) - 0.5; frozen after the exit bar (99)
    np.testing.assert_allclose(equity, [1000, 999.5, 1003.5, 995.5, 995.5])


def test_short_and_open_position_to_the_end() -> None:
    timestamps, closes = _bars([100, 101, 103, 99, 120])
    record = _make_record(side=-1, close_ts=None)
    equity = equity_curve(timestamps, closes, [record], capital=1000.0)
    np.testing.assert_allclose(equity[-1], 1000 - 2 * (120 - 101) - 0.5)


def test_unmarkable_executor_books_reported_pnl_at_close() -> None:
    timestamps, closes = _bars([100, 101, 103, 99, 120])
    record = _make_record(entry_price=None, net_pnl_quote=7.0)
    np.testing.assert_allclose(equity_curve(timestamps, closes, [record], 10.0), [10, 10, 10, 17, 17])


def test_exposure_counts_bars_whose_return_was_held() -> None:
    timestamps, _ = _bars([1, 2, 3, 4, 5])
    assert exposure_mask(timestamps, [_make_record()]).tolist() == [False, False, True, True, False]


def test_max_drawdown_from_running_peak() -> None:
    assert max_drawdown_pct(np.array([100.0, 120.0, 90.0, 130.0, 117.0])) == pytest.approx(25.0)
    assert max_drawdown_pct(np.array([1.0, 2.0, 3.0])) == 0.0


def test_daily_sharpe_uses_last_bar_of_each_day() -> None:
    timestamps = T0 + HOUR * np.arange(72)  # three full days
    equity = np.repeat([110.0, 99.0, 108.9], 24)
    returns = np.array([0.10, -0.10, 0.10])
    expected = returns.mean() / returns.std(ddof=1) * np.sqrt(365)
    assert daily_sharpe(timestamps, equity, 100.0) == pytest.approx(expected)


@pytest.mark.parametrize("equity", [np.full(48, 100.0), np.full(10, 100.0)])
def test_daily_sharpe_is_zero_without_variation_or_days(equity: np.ndarray) -> None:
    assert daily_sharpe(T0 + HOUR * np.arange(len(equity)), equity, 100.0) == 0.0


def test_buy_and_hold_pays_fee_both_legs() -> None:
    hold = buy_and_hold_equity(np.array([100.0, 150.0]), 1000.0, 0.001)
    np.testing.assert_allclose(hold, [1000 * 0.999**2, 1500 * 0.999**2])


def test_zero_trades_give_flat_equity_and_undefined_ratios() -> None:
    timestamps, closes = _bars([100, 110, 90])
    metrics, equity, _ = compute_metrics(timestamps, closes, [], capital=500.0, fee=0.0)
    assert metrics.trades == 0 and metrics.net_pnl_quote == 0.0
    assert metrics.win_rate is None and metrics.profit_factor is None
    assert metrics.exposure_time_pct == 0.0
    assert metrics.buy_and_hold_return_pct == pytest.approx(-10.0)
    np.testing.assert_array_equal(equity, [500.0, 500.0, 500.0])


def test_trade_statistics() -> None:
    timestamps, closes = _bars([100, 100, 110, 90, 95, 100])
    win = _make_record(
        executor_id="w", entry_ts=T0, close_ts=T0 + 2 * HOUR, entry_price=100.0, fees_quote=1.0
    )
    loss = _make_record(
        executor_id="l", entry_ts=T0 + 2 * HOUR, close_ts=T0 + 3 * HOUR, entry_price=110.0, fees_quote=1.0
    )
    never = _make_record(executor_id="n", entry_ts=None, amount_base=0.0)
    metrics, _, _ = compute_metrics(timestamps, closes, [win, loss, never], capital=1000.0, fee=0.001)
    assert metrics.trades == 2
    assert metrics.win_rate == 0.5
    assert metrics.profit_factor == pytest.approx(19.0 / 41.0)  # (2*10-1) / (2*20+1)
    assert metrics.net_pnl_quote == pytest.approx(19.0 - 41.0)
    assert metrics.fees_quote == 2.0
    assert metrics.volume_quote == pytest.approx(2 * (100 + 110) + 2 * (110 + 90))


@settings(max_examples=50, deadline=None)
@given(
    steps=st.lists(st.floats(-0.05, 0.05), min_size=2, max_size=60),
    entry=st.integers(0, 30),
    length=st.integers(0, 30),
    side=st.sampled_from([1, -1]),
    amount=st.floats(0.01, 5.0),
)
def test_final_equity_equals_sum_of_executor_pnl(
    steps: list[float], entry: int, length: int, side: int, amount: float
) -> None:
    """Whatever the path, the last equity is capital + side*qty*(exit - entry) - fees."""
    closes = 100 * np.cumprod(1 + np.asarray(steps))
    timestamps = T0 + HOUR * np.arange(closes.size)
    entry = min(entry, closes.size - 1)
    exit_ = min(entry + length, closes.size - 1)
    record = _make_record(
        side=side,
        entry_ts=timestamps[entry],
        close_ts=timestamps[exit_],
        amount_base=amount,
        entry_price=closes[entry],
        fees_quote=0.3,
    )
    equity = equity_curve(timestamps, closes, [record], capital=1000.0)
    expected = 1000.0 + side * amount * (closes[exit_] - closes[entry]) - 0.3
    assert equity[-1] == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert max_drawdown_pct(equity) >= 0.0
