"""Merge per-controller snapshots into one portfolio view for the global guard."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from hummingbot_plugin.risk.models import ClosedExecutor, PairSnapshot, PortfolioSnapshot

__all__ = ["merge_snapshots"]


def merge_snapshots(snapshots: Iterable[PortfolioSnapshot], capital_quote: Decimal) -> PortfolioSnapshot:
    """Sum exposures per (connector, pair) and PnL across controllers; market data of a pair is shared."""
    pairs: dict[tuple[str, str], PairSnapshot] = {}
    pnl = Decimal(0)
    open_ids: set[str] = set()
    known_ids: set[str] = set()
    closed: list[ClosedExecutor] = []
    for snapshot in snapshots:
        pnl += snapshot.pnl_quote
        open_ids |= snapshot.open_executor_ids
        known_ids |= snapshot.known_executor_ids
        closed.extend(snapshot.closed_executors)
        for pair in snapshot.pairs:
            known = pairs.get(pair.key)
            pairs[pair.key] = (
                pair
                if known is None
                else dataclasses.replace(
                    known,
                    net_position_quote=known.net_position_quote + pair.net_position_quote,
                    pending_buy_quote=known.pending_buy_quote + pair.pending_buy_quote,
                    pending_sell_quote=known.pending_sell_quote + pair.pending_sell_quote,
                )
            )
    return PortfolioSnapshot(
        capital_quote, pnl, tuple(pairs.values()), frozenset(open_ids), tuple(closed), frozenset(known_ids)
    )
