"""One ledger for every mode: fills in, balances, positions, equity and every headline figure out.

Backtest, replay and paper all reduce their run to :class:`Fill` records plus marks (bar closes);
:func:`build_ledger` books them into cash and positions per market, and :func:`account_figures` /
:func:`market_figures` compute every headline figure from that one record. Per-market parts add up to
the account exactly (PnL, fees, volume, trades, return contribution).
"""

from hummingbot_plugin.ledger.book import LedgerBook, MarketBook, build_ledger
from hummingbot_plugin.ledger.figures import (
    Figures,
    account_figures,
    daily_sharpe,
    market_figures,
    max_drawdown_pct,
)
from hummingbot_plugin.ledger.types import Fill, Market, Marks, Trade

__all__ = [
    "Figures",
    "Fill",
    "LedgerBook",
    "Market",
    "MarketBook",
    "Marks",
    "Trade",
    "account_figures",
    "build_ledger",
    "daily_sharpe",
    "market_figures",
    "max_drawdown_pct",
]
