"""Backtest metrics computed by us from the executors, independent of Hummingbot's summary.

Method (documented in docs/backtesting.md):

* Each executor that filled is a position of ``amount_base`` entered at the close of its fill bar
  ``entry_ts`` (price ``entry_price``) and left at the close of bar ``close_ts`` (``None``: still
  open at the last bar). Its fees (``fees_quote``, both legs, as Hummingbot's simulator books them)
  are charged at entry.
* Mark-to-market PnL of an executor at bar ``t``: 0 before ``entry_ts``;
  ``side * amount_base * (close_t - entry_price) - fees_quote`` from ``entry_ts`` to ``close_ts``;
  frozen at its value at ``close_ts`` afterwards. Executors we cannot mark (no entry price, e.g.
  other executor types) book their reported ``net_pnl_quote`` at ``close_ts`` instead.
* Equity(t) = capital + sum of the executors' PnL at t, at every bar.
* Daily Sharpe: equity at each UTC day's last bar, day-on-day simple returns (the first against
  the starting capital), mean / sample std × √365. 0 when fewer than two returns or zero std.
* Max drawdown %: largest fall of equity below its running peak, as a positive percentage.
* Buy-and-hold: ``capital`` bought at the first bar's close and valued at its liquidation price,
  paying ``fee`` on both legs: ``capital * (1 - fee)**2 * close_t / close_0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "BacktestMetrics",
    "ExecutorRecord",
    "TradeFigures",
    "buy_and_hold_equity",
    "compute_metrics",
    "daily_sharpe",
    "equity_curve",
    "exposure_mask",
    "max_drawdown_pct",
    "metrics_from_curves",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_DAY = 86_400


@dataclass(frozen=True, slots=True)
class ExecutorRecord:
    """One executor of a run, reduced to what the equity maths needs (plain numbers, no Hummingbot)."""

    executor_id: str
    side: int  # +1 long, -1 short
    created_ts: float
    entry_ts: float | None  # fill bar (None: never filled)
    close_ts: float | None  # exit bar (None: still open at the end)
    amount_base: float
    entry_price: float | None
    net_pnl_quote: float  # as reported by the engine at its last state
    fees_quote: float
    close_type: str | None

    @property
    def filled(self) -> bool:
        return self.entry_ts is not None and self.amount_base > 0

    @property
    def markable(self) -> bool:
        return self.filled and self.entry_price is not None


def _executor_pnl(record: ExecutorRecord, timestamps: FloatArray, closes: FloatArray) -> FloatArray:
    pnl = np.zeros_like(closes)
    if not record.filled:
        return pnl
    last = timestamps[-1] if record.close_ts is None else record.close_ts
    if not record.markable:
        pnl[timestamps >= last] = record.net_pnl_quote
        return pnl
    assert record.entry_price is not None and record.entry_ts is not None
    marked = record.side * record.amount_base * (closes - record.entry_price) - record.fees_quote
    live = (timestamps >= record.entry_ts) & (timestamps <= last)
    pnl[live] = marked[live]
    after = timestamps > last
    if after.any():
        frozen = marked[np.flatnonzero(timestamps <= last)[-1]]
        pnl[after] = frozen
    return pnl


def equity_curve(
    timestamps: FloatArray, closes: FloatArray, records: Sequence[ExecutorRecord], capital: float
) -> FloatArray:
    """Capital plus every executor's mark-to-market PnL, at every bar."""
    total = np.zeros_like(closes, dtype=np.float64)
    for record in records:
        total += _executor_pnl(record, timestamps, closes)
    return np.asarray(capital + total, dtype=np.float64)


def exposure_mask(timestamps: FloatArray, records: Sequence[ExecutorRecord]) -> BoolArray:
    """Bars whose return a position carried: ``entry_ts < t <= close_ts``."""
    held = np.zeros(timestamps.shape, dtype=bool)
    for record in records:
        if not record.filled or record.entry_ts is None:
            continue
        last = timestamps[-1] if record.close_ts is None else record.close_ts
        held |= (timestamps > record.entry_ts) & (timestamps <= last)
    return held


def daily_sharpe(timestamps: FloatArray, equity: FloatArray, start_value: float) -> float:
    """Annualised Sharpe of daily (UTC) equity returns, × √365 (crypto trades every day)."""
    if equity.size == 0:
        return 0.0
    days = np.floor(timestamps / _DAY)
    last_of_day = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    daily = np.concatenate([[start_value], equity[last_of_day]])
    returns = daily[1:] / daily[:-1] - 1.0
    if returns.size < 2:
        return 0.0
    std = float(np.std(returns, ddof=1))
    if std == 0.0 or not np.isfinite(std):
        return 0.0
    return float(np.mean(returns) / std * np.sqrt(365.0))


def max_drawdown_pct(equity: FloatArray) -> float:
    """Largest drop below the running peak, in percent of that peak (positive number)."""
    if equity.size == 0:
        return 0.0
    peak = np.maximum.accumulate(equity)
    return float(np.max(1.0 - equity / peak) * 100.0)


def buy_and_hold_equity(closes: FloatArray, capital: float, fee: float) -> FloatArray:
    """Liquidation value of ``capital`` bought at the first close, fee paid on entry and exit."""
    if closes.size == 0:
        return np.zeros(0)
    return np.asarray(capital * (1.0 - fee) ** 2 * closes / closes[0], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class BacktestMetrics:
    """The headline figures of one run (see module docstring for each definition)."""

    net_pnl_quote: float
    return_pct: float
    sharpe_daily_annualized: float
    max_drawdown_pct: float
    trades: int
    win_rate: float | None  # None when there was no trade
    profit_factor: float | None  # None when there was no losing trade
    fees_quote: float
    volume_quote: float
    exposure_time_pct: float
    buy_and_hold_return_pct: float
    buy_and_hold_sharpe_daily_annualized: float
    buy_and_hold_max_drawdown_pct: float
    unmarked_executors: int  # executors booked at close only (no mark-to-market possible)


@dataclass(frozen=True, slots=True)
class TradeFigures:
    """The part of :class:`BacktestMetrics` that the equity curves alone do not give."""

    trades: int
    win_rate: float | None
    profit_factor: float | None
    fees_quote: float
    volume_quote: float
    exposure_time_pct: float
    unmarked_executors: int = 0


def metrics_from_curves(
    timestamps: FloatArray, equity: FloatArray, hold: FloatArray, capital: float, figures: TradeFigures
) -> BacktestMetrics:
    """The headline metrics of a strategy equity curve and its buy-and-hold curve (same timestamps)."""
    net = float(equity[-1] - capital) if equity.size else 0.0
    return BacktestMetrics(
        net_pnl_quote=net,
        return_pct=net / capital * 100.0,
        sharpe_daily_annualized=daily_sharpe(timestamps, equity, capital),
        max_drawdown_pct=max_drawdown_pct(np.concatenate([[capital], equity])),
        trades=figures.trades,
        win_rate=figures.win_rate,
        profit_factor=figures.profit_factor,
        fees_quote=figures.fees_quote,
        volume_quote=figures.volume_quote,
        exposure_time_pct=figures.exposure_time_pct,
        buy_and_hold_return_pct=float(hold[-1] / capital - 1.0) * 100.0 if hold.size else 0.0,
        buy_and_hold_sharpe_daily_annualized=daily_sharpe(timestamps, hold, capital),
        buy_and_hold_max_drawdown_pct=max_drawdown_pct(np.concatenate([[capital], hold])),
        unmarked_executors=figures.unmarked_executors,
    )


def _volume(record: ExecutorRecord, timestamps: FloatArray, closes: FloatArray) -> float:
    if not record.markable or record.entry_price is None:
        return 0.0
    entry = record.amount_base * record.entry_price
    if record.close_ts is None:
        return entry
    exit_index = int(np.flatnonzero(timestamps <= record.close_ts)[-1])
    return entry + record.amount_base * float(closes[exit_index])


def compute_metrics(
    timestamps: FloatArray, closes: FloatArray, records: Sequence[ExecutorRecord], capital: float, fee: float
) -> tuple[BacktestMetrics, FloatArray, FloatArray]:
    """Metrics, the strategy's equity curve and the buy-and-hold equity curve."""
    equity = equity_curve(timestamps, closes, records, capital)
    hold = buy_and_hold_equity(closes, capital, fee)
    filled = [r for r in records if r.filled]
    final_pnls = [float(_executor_pnl(r, timestamps, closes)[-1]) for r in filled]
    gains = sum(p for p in final_pnls if p > 0)
    losses = -sum(p for p in final_pnls if p < 0)
    figures = TradeFigures(
        trades=len(filled),
        win_rate=(sum(p > 0 for p in final_pnls) / len(filled)) if filled else None,
        profit_factor=(gains / losses) if losses > 0 else None,
        fees_quote=float(sum(r.fees_quote for r in filled)),
        volume_quote=float(sum(_volume(r, timestamps, closes) for r in filled)),
        exposure_time_pct=float(exposure_mask(timestamps, records).mean() * 100.0)
        if timestamps.size
        else 0.0,
        unmarked_executors=sum(1 for r in filled if not r.markable),
    )
    return metrics_from_curves(timestamps, equity, hold, capital, figures), equity, hold
