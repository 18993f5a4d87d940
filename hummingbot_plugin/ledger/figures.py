"""Every headline figure, computed from a :class:`LedgerBook` by one set of definitions.

* Net PnL: end equity − start equity (account), or the market's PnL at the last point.
* Return %: net PnL / the account's start equity × 100. A market's return is its *contribution* to
  the account return, so the markets' returns add up to the account's.
* Curve: the account equity; for a market, start equity + that market's PnL.
* Sharpe (daily, annualised): the curve at each UTC day's last point, day-on-day simple returns (the
  first against the start equity), mean / sample std × √365; 0.0 with fewer than two returns or no
  variance; ``None`` for a ruined curve (a return series through zero has no meaning) and for a run
  shorter than two days (an 11-minute replay has no daily Sharpe).
* Max drawdown %: the largest fall of the curve below its running peak (start included), in % of peak.
* Ruined: the curve reached zero or below. Return is then −100 % and the curve is held at zero.
* Trades: closing orders, matched first-in first-out (see :class:`Trade`); win rate and profit factor
  over them. Fills, fees, volume: every fill of the scope.
* Exposure time %: share of the timeline's intervals that began with a non-zero holding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hummingbot_plugin.ledger.book import DUST_BASE, LedgerBook, MarketBook
from hummingbot_plugin.ledger.types import Fill, FloatArray, Market, Trade

__all__ = [
    "Figures",
    "account_figures",
    "daily_sharpe",
    "figures_of_curve",
    "held_at_ruin",
    "market_figures",
    "max_drawdown_pct",
]

_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Figures:
    """The headline figures of one scope ("account" or one market)."""

    scope: str
    start_equity_quote: float
    end_equity_quote: float
    net_pnl_quote: float
    return_pct: float
    sharpe_daily_annualized: float | None
    max_drawdown_pct: float
    ruined: bool
    trades: int
    win_rate: float | None
    profit_factor: float | None
    n_fills: int
    maker_fills: int
    fees_quote: float
    volume_quote: float
    exposure_time_pct: float


def held_at_ruin(curve: FloatArray) -> FloatArray:
    """The curve, held at zero from the first point at or below zero (ruin is final)."""
    below = np.flatnonzero(curve <= 0)
    if below.size == 0:
        return curve
    shown = curve.copy()
    shown[int(below[0]) :] = 0.0
    return shown


def daily_sharpe(timestamps: FloatArray, curve: FloatArray, start_value: float) -> float | None:
    """Annualised Sharpe of daily (UTC) returns of ``curve``; None if the curve touches zero."""
    if curve.size == 0:
        return 0.0
    if start_value <= 0 or bool(np.any(curve <= 0)):
        return None
    if timestamps[-1] - timestamps[0] < 2 * _DAY:
        return None  # under two days there is no daily return series to annualise
    days = np.floor(timestamps / _DAY)
    last_of_day = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    daily = np.concatenate([[start_value], curve[last_of_day]])
    returns = daily[1:] / daily[:-1] - 1.0
    if returns.size < 2:
        return 0.0
    std = float(np.std(returns, ddof=1))
    if std == 0.0 or not np.isfinite(std):
        return 0.0
    return float(np.mean(returns) / std * np.sqrt(365.0))


def max_drawdown_pct(curve: FloatArray) -> float:
    """Largest drop below the running peak in percent of that peak (positive; 100 at or below zero)."""
    if curve.size == 0:
        return 0.0
    peak = np.maximum.accumulate(curve)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(peak > 0, 1.0 - np.maximum(curve, 0.0) / peak, 0.0)
    return float(np.max(drop) * 100.0)


def _trade_stats(trades: Sequence[Trade]) -> tuple[int, float | None, float | None]:
    pnls = [t.pnl_quote for t in trades]
    gains, losses = sum(p for p in pnls if p > 0), -sum(p for p in pnls if p < 0)
    win_rate = sum(p > 0 for p in pnls) / len(pnls) if pnls else None
    return len(pnls), win_rate, (gains / losses if losses > 0 else None)


def _exposure_pct(holdings: FloatArray) -> float:
    if holdings.size < 2:
        return 0.0
    return float(np.mean(np.abs(holdings[:-1]) > DUST_BASE) * 100.0)


def figures_of_curve(
    scope: str,
    timestamps: FloatArray,
    curve: FloatArray,
    start_equity: float,
    fills: Sequence[Fill],
    trades: Sequence[Trade],
    exposure_pct: float,
    *,
    can_be_ruined: bool = True,
) -> Figures:
    """The figures of any curve that starts from ``start_equity`` (the one definition of each).

    ``can_be_ruined=False`` for a market's contribution curve: only the account can be ruined, so a
    market's figures are never clipped and keep adding up to the account's.
    """
    ruined = can_be_ruined and bool(np.any(curve <= 0))
    shown = held_at_ruin(curve) if ruined else curve
    end = float(shown[-1]) if shown.size else start_equity
    net = end - start_equity
    count, win_rate, profit_factor = _trade_stats(trades)
    return Figures(
        scope=scope,
        start_equity_quote=start_equity,
        end_equity_quote=end,
        net_pnl_quote=net,
        return_pct=net / start_equity * 100.0 if start_equity > 0 else 0.0,
        sharpe_daily_annualized=daily_sharpe(timestamps, shown, start_equity),
        max_drawdown_pct=max_drawdown_pct(np.concatenate([[start_equity], shown])),
        ruined=ruined,
        trades=count,
        win_rate=win_rate,
        profit_factor=profit_factor,
        n_fills=len(fills),
        maker_fills=sum(1 for f in fills if f.is_maker),
        fees_quote=float(sum(f.fee_quote for f in fills)),
        volume_quote=float(sum(f.notional for f in fills)),
        exposure_time_pct=exposure_pct,
    )


def market_figures(ledger: LedgerBook, market: Market) -> Figures:
    """One market's figures: its PnL on top of the account's start equity (a contribution)."""
    book: MarketBook = ledger.markets[market]
    curve = ledger.start_equity + book.pnl
    return figures_of_curve(
        market.label,
        ledger.timestamps,
        curve,
        ledger.start_equity,
        book.fills,
        book.trades,
        _exposure_pct(book.holdings),
        can_be_ruined=False,
    )


def account_figures(ledger: LedgerBook) -> Figures:
    """The account's figures: every venue and market together."""
    books = list(ledger.markets.values())
    holding = np.zeros(ledger.timestamps.size, dtype=bool)
    for book in books:
        holding |= np.abs(book.holdings) > DUST_BASE
    exposure = float(np.mean(holding[:-1]) * 100.0) if holding.size > 1 else 0.0
    return figures_of_curve(
        "account",
        ledger.timestamps,
        ledger.equity,
        ledger.start_equity,
        [f for b in books for f in b.fills],
        [t for b in books for t in b.trades],
        exposure,
    )
