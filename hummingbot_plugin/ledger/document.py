"""The ledger as a JSON-ready document section, and buy-and-hold on the same ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from hummingbot_plugin.ledger.book import LedgerBook, build_ledger
from hummingbot_plugin.ledger.figures import Figures, account_figures, market_figures
from hummingbot_plugin.ledger.types import Fill, Market, Marks

__all__ = [
    "ACCOUNTING_RULES",
    "buy_and_hold",
    "figures_dict",
    "headline",
    "hold_figures",
    "iso",
    "ledger_section",
]

ACCOUNTING_RULES = (
    "one ledger (hummingbot_plugin/ledger): every figure is computed from the fills; equity = quote balances "
    "+ base balances × mark at every mark point; a market's PnL = its cash flow + its position × mark + its "
    "starting holding's revaluation; per-market net PnL, fees, volume, trades and return (a contribution to "
    "the account return) add up to the account"
)


def iso(epoch_s: float) -> str:
    """UTC ISO-8601 time, e.g. 2023-01-01T00:00:00Z."""
    return datetime.fromtimestamp(float(epoch_s), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def figures_dict(figures: Figures) -> dict[str, Any]:
    return asdict(figures)


def buy_and_hold(
    markets: Sequence[Market], marks: Marks, capital: float, fee: float, venue_balances: str | None = None
) -> LedgerBook:
    """``capital`` split equally over ``markets``, each bought at its first mark paying ``fee``, then held."""
    share = capital / max(1, len(markets))
    t0 = float(marks.timestamps[0])
    fills = []
    for market in markets:
        price = float(marks.prices[market][0])
        amount = share / (price * (1.0 + fee))
        fills.append(Fill(t0, market, 1, price, amount, fee * price * amount, False, f"hold-{market.label}"))
    venues = sorted({m.venue for m in markets})
    quote = markets[0].quote if markets else "USDT"
    start = {v: {quote: share * sum(1 for m in markets if m.venue == v)} for v in venues}
    return build_ledger(fills, start, Marks(marks.timestamps, {m: marks.prices[m] for m in markets}))


def hold_figures(hold: LedgerBook) -> Figures:
    """Buy-and-hold's account figures, labelled as such (a comparison row)."""
    return replace(account_figures(hold), scope="buy & hold")


def ledger_section(ledger: LedgerBook, *, max_points: int | None = None) -> dict[str, Any]:
    """Account and per-market figures, balances at the end, the equity curve and every trade."""
    ts = ledger.timestamps
    keep = np.arange(ts.size)
    if max_points is not None and ts.size > max_points:
        keep = np.unique(np.linspace(0, ts.size - 1, max_points).astype(int))
    return {
        "accounting": ACCOUNTING_RULES,
        "quote_asset": ledger.quote_asset,
        "account": figures_dict(account_figures(ledger)),
        "per_market": {m.label: figures_dict(market_figures(ledger, m)) for m in ledger.markets},
        "start_balances": ledger.start_balances,
        "end_balances": {
            f"{venue} {asset}": float(series[-1])
            for (venue, asset), series in sorted(ledger.balances.items())
        },
        "unmarked_assets": list(ledger.unmarked_assets),
        "overdrawn": [
            {"venue": v, "asset": a, "first_at": iso(t), "lowest": low} for v, a, t, low in ledger.overdrawn()
        ],
        "equity_curve": [
            {"time": iso(ts[i]), "timestamp": float(ts[i]), "equity": float(ledger.equity[i])} for i in keep
        ],
        "trades": [
            {
                **asdict(t),
                "market": t.market.label,
                "opened": iso(t.open_timestamp),
                "closed": iso(t.close_timestamp),
            }
            for book in ledger.markets.values()
            for t in book.trades
        ],
    }


def headline(ledger: LedgerBook, hold: LedgerBook) -> dict[str, Any]:
    """The account's figures at the top level of a result document, buy-and-hold beside them."""
    account, held = account_figures(ledger), account_figures(hold)
    return {
        **figures_dict(account),
        "metrics_scope": "account (every market and venue; see ledger.per_market)",
        "buy_and_hold_return_pct": held.return_pct,
        "buy_and_hold_sharpe_daily_annualized": held.sharpe_daily_annualized,
        "buy_and_hold_max_drawdown_pct": held.max_drawdown_pct,
        "buy_and_hold_net_pnl_quote": held.net_pnl_quote,
    }
