"""Backtest–replay parity: do two runs of one config on one period enter on the same bars?

Both runs are reduced to their ledgers. An *entry* is a fill that takes a market's position away from
flat; its bar is the bar in which it happened (``floor(time / bar)``). The backtest books a fill at the
open-time label of the bar whose close it trades at, so its entries are moved forward one bar first
(``backtest_offset_s``) to the time the close exists, which is when the replay's order can fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hummingbot_plugin.ledger.book import DUST_BASE, LedgerBook
from hummingbot_plugin.ledger.figures import account_figures
from hummingbot_plugin.ledger.types import Fill

__all__ = ["ParityReport", "entry_bars", "parity"]


def entry_bars(fills: Sequence[Fill], bar_s: float, offset_s: float = 0.0) -> list[int]:
    """Bar numbers (``floor((t + offset) / bar)``) of the fills that open a position from flat."""
    position: dict[object, float] = {}
    bars = []
    for fill in sorted(fills, key=lambda f: f.timestamp):
        before = position.get(fill.market, 0.0)
        after = before + fill.side * fill.amount
        position[fill.market] = after
        if abs(before) <= DUST_BASE < abs(after):
            bars.append(int((fill.timestamp + offset_s) // bar_s))
    return bars


@dataclass(frozen=True)
class ParityReport:
    """Entries matched bar by bar, and the two runs' headline figures side by side."""

    backtest_entries: int
    replay_entries: int
    matched_entries: int
    backtest_trades: int
    replay_trades: int
    backtest_net_pnl: float
    replay_net_pnl: float
    fees_paid: float  # the larger of the two runs' fees
    volume: float  # the larger of the two runs' traded notional

    @property
    def entry_match_pct(self) -> float:
        most = max(self.backtest_entries, self.replay_entries)
        return 100.0 * self.matched_entries / most if most else 100.0

    @property
    def trades_diff_pct(self) -> float:
        most = max(self.backtest_trades, self.replay_trades)
        return 100.0 * abs(self.backtest_trades - self.replay_trades) / most if most else 0.0

    @property
    def pnl_gap_bp_of_volume(self) -> float:
        """|net PnL difference| per traded notional, in basis points (execution cost per unit traded)."""
        gap = abs(self.backtest_net_pnl - self.replay_net_pnl)
        return 1e4 * gap / self.volume if self.volume > 0 else (0.0 if gap == 0 else float("inf"))

    @property
    def pnl_diff_pct_of_fees(self) -> float:
        gap = abs(self.backtest_net_pnl - self.replay_net_pnl)
        return 100.0 * gap / self.fees_paid if self.fees_paid > 0 else (0.0 if gap == 0 else float("inf"))


def parity(backtest: LedgerBook, replay: LedgerBook, bar_s: float) -> ParityReport:
    """Compare a backtest ledger with a replay ledger of the same config and period."""
    ours = [f for book in backtest.markets.values() for f in book.fills]
    theirs = [f for book in replay.markets.values() for f in book.fills]
    left = entry_bars(ours, bar_s, offset_s=bar_s)
    right = entry_bars(theirs, bar_s)
    remaining = list(right)
    matched = 0
    for bar in left:
        if bar in remaining:
            remaining.remove(bar)
            matched += 1
    a, b = account_figures(backtest), account_figures(replay)
    return ParityReport(
        backtest_entries=len(left),
        replay_entries=len(right),
        matched_entries=matched,
        backtest_trades=a.trades,
        replay_trades=b.trades,
        backtest_net_pnl=a.net_pnl_quote,
        replay_net_pnl=b.net_pnl_quote,
        fees_paid=max(a.fees_quote, b.fees_quote),
        volume=max(a.volume_quote, b.volume_quote),
    )
