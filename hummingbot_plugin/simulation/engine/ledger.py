"""Balances of the simulated account: totals, amounts locked by open orders, exact fee accounting.

Fees are charged in the quote asset for both sides (Hummingbot's ``AddedToCostTradeFee`` convention),
so ``end = start + Σ signed fill notionals − Σ fees`` holds exactly in :class:`~decimal.Decimal`.
A negative fee is a maker rebate: ``fee_quote < 0`` adds ``|fee_quote|`` to the quote balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.simulation.engine.models import ZERO, Side

__all__ = ["Ledger", "LedgerEntry"]


@dataclass(frozen=True)
class LedgerEntry:
    """One applied fill, as recorded for reconciliation and reports."""

    timestamp: float
    order_id: str
    trading_pair: str
    side: Side
    price: Decimal
    amount: Decimal
    fee_quote: Decimal
    is_maker: bool
    trade_id: str


class Ledger:
    """Per-asset totals and per-order locks."""

    def __init__(self, balances: dict[str, Decimal]) -> None:
        for asset, amount in balances.items():
            if amount < ZERO:
                raise SimulationError(
                    f"starting balance of {asset} is negative ({amount})",
                    fix="give every starting balance as a number >= 0",
                )
        self._start = dict(balances)
        self._total: dict[str, Decimal] = dict(balances)
        self._locks: dict[str, tuple[str, Decimal]] = {}
        self.entries: list[LedgerEntry] = []

    @property
    def starting_balances(self) -> dict[str, Decimal]:
        return dict(self._start)

    def total(self, asset: str) -> Decimal:
        return self._total.get(asset, ZERO)

    def locked(self, asset: str) -> Decimal:
        return sum((amt for a, amt in self._locks.values() if a == asset), ZERO)

    def available(self, asset: str) -> Decimal:
        return self.total(asset) - self.locked(asset)

    def totals(self) -> dict[str, Decimal]:
        return dict(self._total)

    def lock(self, order_id: str, asset: str, amount: Decimal) -> None:
        """Reserve ``amount`` of ``asset`` for an open order (replaces a previous lock)."""
        self._locks[order_id] = (asset, max(ZERO, amount))

    def release(self, order_id: str) -> None:
        self._locks.pop(order_id, None)

    def apply_fill(self, entry: LedgerEntry) -> None:
        """Move base and quote for one fill and charge its fee in quote (a rebate, fee < 0, is cash in)."""
        base, quote = entry.trading_pair.split("-", 1)
        notional = entry.price * entry.amount
        sign = Decimal(1) if entry.side is Side.BUY else Decimal(-1)
        self._total[base] = self.total(base) + sign * entry.amount
        self._total[quote] = self.total(quote) - sign * notional - entry.fee_quote
        self.entries.append(entry)

    def reconcile(self) -> dict[str, Decimal]:
        """``start + Σ fills − fees − end`` per asset: all zeros when the books balance."""
        expected = dict(self._start)
        for e in self.entries:
            base, quote = e.trading_pair.split("-", 1)
            sign = Decimal(1) if e.side is Side.BUY else Decimal(-1)
            expected[base] = expected.get(base, ZERO) + sign * e.amount
            expected[quote] = expected.get(quote, ZERO) - sign * e.price * e.amount - e.fee_quote
        assets = set(expected) | set(self._total)
        return {a: expected.get(a, ZERO) - self.total(a) for a in sorted(assets)}
