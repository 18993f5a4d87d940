"""Held positions → fills → the one ledger → figures, for the strategy and its baselines alike.

Execution rule (no look-ahead): ``held[t]`` is the fraction of equity held in base during bar ``t``;
it is decided at the close of bar ``t - 1`` and traded at the OPEN of bar ``t`` (the first price after
the decision), with a taker fee ``fee`` per side. An order is placed only when the target fraction
changes (no drift rebalancing), and a buy never spends more than the free quote balance (fee included).
The ledger is marked at every bar open and at the close of the last bar.

Baselines on the same bars, fees and execution: buy-and-hold (held = 1), the MA 50/200-bar trend filter
(``baseline.trend_signal``, long/flat) and 50-day momentum long/flat (long during day ``d + 1`` when the
close of day ``d`` is above the close 50 days earlier; daily bars are the UTC days of the hourly bars).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.baseline.trend_signal import TrendParams, trend_features
from hummingbot_plugin.ledger import Fill, LedgerBook, Market, Marks, account_figures, build_ledger

__all__ = [
    "bar_marks",
    "buy_and_hold",
    "evaluate_held",
    "fills_row",
    "ma_trend",
    "momentum_days",
    "per_year_returns",
    "to_fills",
]

FloatArray = NDArray[np.float64]
DAY = 86_400
MIN_TRADE_FRACTION = 1e-9


def to_fills(
    stamps: FloatArray, opens: FloatArray, held: FloatArray, market: Market, capital: float, fee: float
) -> list[Fill]:
    """Fills that move the account to ``held[t]`` of its equity at each bar open where it changes."""
    cash, base, previous = capital, 0.0, 0.0
    fills: list[Fill] = []
    for t in range(stamps.size):
        target, price = float(held[t]), float(opens[t])
        if abs(target - previous) <= MIN_TRADE_FRACTION:
            continue
        previous = target
        desired = target * (cash + base * price) / price
        amount = min(desired - base, cash / (price * (1.0 + fee))) if desired > base else desired - base
        if abs(amount) * price < 1e-6:
            continue
        side = 1 if amount > 0 else -1
        size = abs(amount)
        fee_quote = fee * size * price
        fills.append(Fill(float(stamps[t]), market, side, price, size, fee_quote, order_id=f"wf-{t}"))
        base += side * size
        cash -= side * size * price + fee_quote
    return fills


def bar_marks(candles: pd.DataFrame, market: Market, interval_s: int) -> Marks:
    """Marks at every bar open and at the last close (the research engine's timeline)."""
    stamps = candles["timestamp"].to_numpy(np.float64)
    timeline = np.append(stamps, stamps[-1] + interval_s)
    prices = np.append(candles["open"].to_numpy(np.float64), float(candles["close"].iloc[-1]))
    return Marks(timeline, {market: prices})


def per_year_returns(timestamps: FloatArray, equity: FloatArray, start_equity: float) -> dict[str, float]:
    """Return (%) of each calendar year, from the equity at the last point before it to its last point.

    A point at exactly 00:00 of 1 January closes the previous year (marks are taken at bar opens)."""
    shifted = np.concatenate([timestamps[:1], timestamps[1:] - 1.0])
    years = pd.to_datetime(shifted, unit="s", utc=True).year.to_numpy()
    out: dict[str, float] = {}
    before = start_equity
    for year in np.unique(years):
        last = float(equity[np.flatnonzero(years == year)[-1]])
        out[str(int(year))] = (last / before - 1.0) * 100.0 if before > 0 else 0.0
        before = last
    return out


def daily_returns(ledger: LedgerBook) -> FloatArray:
    """Day-on-day returns of the account equity (UTC days, the first against the start equity)."""
    days = np.floor(ledger.timestamps / DAY)
    last = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    daily = np.concatenate([[ledger.start_equity], ledger.equity[last]])
    return np.asarray(daily[1:] / daily[:-1] - 1.0, dtype=np.float64)


def evaluate_held(
    name: str,
    candles: pd.DataFrame,
    held: FloatArray,
    market: Market,
    *,
    capital: float,
    fee: float,
    interval_s: int,
) -> tuple[dict[str, Any], LedgerBook]:
    """The comparison row of one held-position series, every figure from the ledger."""
    stamps = candles["timestamp"].to_numpy(np.float64)
    fills = to_fills(stamps, candles["open"].to_numpy(np.float64), held, market, capital, fee)
    return fills_row(name, candles, fills, market, capital, interval_s)


def fills_row(
    name: str, candles: pd.DataFrame, fills: list[Fill], market: Market, capital: float, interval_s: int
) -> tuple[dict[str, Any], LedgerBook]:
    """The comparison row of a fill list on ``candles``' bar marks, every figure from the ledger."""
    marks = bar_marks(candles, market, interval_s)
    ledger = build_ledger(fills, {market.venue: {market.quote: capital}}, marks)
    figures = account_figures(ledger)
    years = max((ledger.timestamps[-1] - ledger.timestamps[0]) / (365.0 * DAY), 1e-9)
    row: dict[str, Any] = {"name": name, **asdict(figures)}
    row["per_year_return_pct"] = per_year_returns(ledger.timestamps, ledger.equity, ledger.start_equity)
    row["turnover_per_year"] = figures.volume_quote / float(np.mean(ledger.equity)) / years
    row["time_in_market_pct"] = figures.exposure_time_pct
    return row, ledger


def buy_and_hold(candles: pd.DataFrame) -> FloatArray:
    return np.ones(len(candles), dtype=np.float64)


def ma_trend(history: pd.DataFrame, candles: pd.DataFrame, fast: int = 50, slow: int = 200) -> FloatArray:
    """Held fraction under the MA fast/slow-bar filter: signal at bar ``t - 1``'s close, held in ``t``."""
    signal = trend_features(history, TrendParams(fast, slow)).set_index("timestamp")["signal"]
    decided = signal.reindex(history["timestamp"].to_numpy(np.float64)).to_numpy(np.float64)
    held = pd.Series(np.append(0.0, decided[:-1]), index=history["timestamp"].to_numpy(np.float64))
    return np.asarray(held.reindex(candles["timestamp"].to_numpy(np.float64)).fillna(0.0), dtype=np.float64)


def momentum_days(history: pd.DataFrame, candles: pd.DataFrame, days: int = 50) -> FloatArray:
    """Held fraction under daily ``close_d > close_{d - days}``, decided on closed UTC days."""
    day = np.floor(history["timestamp"].to_numpy(np.float64) / DAY).astype(np.int64)
    daily_close = pd.Series(history["close"].to_numpy(np.float64)).groupby(day).last()
    full = daily_close.reindex(np.arange(daily_close.index.min(), daily_close.index.max() + 1))
    signal = (full > full.shift(days)).astype(np.float64)  # NaN comparisons are False: flat
    bar_day = np.floor(candles["timestamp"].to_numpy(np.float64) / DAY).astype(np.int64)
    return np.asarray(signal.reindex(bar_day - 1).fillna(0.0), dtype=np.float64)
