"""Which fills belong to which controller: executor order ids, read from the connectors, tick by tick.

A controller's executors name their orders in ``custom_info`` (``order_ids``, ``order_id``,
``held_position_orders``). Every id seen is remembered for the controller, so executors Hummingbot
later archives keep counting. Fills come from the connector that holds the order: the simulated
exchange's own ledger (``order_fills``, exactly what the replay reports), otherwise the order's trade
updates in Hummingbot's ``ClientOrderTracker``; fills read once are kept even when the tracker forgets
the order. A fill counts from the first observation strictly after its timestamp, so the equity at
``now`` is the ledger's over the fills dated before ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hummingbot.core.data_type.common import TradeType

from hummingbot_plugin.risk.equity import MarketKey, ScopeBook, ScopeFill

__all__ = ["ScopeFills", "connector_fills", "executor_order_ids"]


def executor_order_ids(info: Any) -> list[str]:
    """Client order ids an ``ExecutorInfo`` names (current orders and the orders of a held position)."""
    custom = info.custom_info if isinstance(info.custom_info, dict) else {}
    ids = [str(o) for o in custom.get("order_ids") or [] if o]
    if custom.get("order_id"):
        ids.append(str(custom["order_id"]))
    for held in custom.get("held_position_orders") or []:
        oid = held.get("client_order_id") if isinstance(held, dict) else None
        if oid:
            ids.append(str(oid))
    return list(dict.fromkeys(ids))


def _side(value: Any) -> int:
    name = getattr(value, "name", str(value)).upper()
    return 1 if name == "BUY" else -1


def connector_fills(connector: Any, name: str, order_id: str) -> list[ScopeFill] | None:
    """The fills of ``order_id`` on ``connector`` (None: the connector does not know the order)."""
    if hasattr(connector, "order_fills"):  # the simulated exchange: its ledger, exactly
        return [
            ScopeFill(
                (name, e.trading_pair),
                e.order_id,
                e.trade_id,
                float(e.timestamp),
                _side(e.side),
                Decimal(e.price),
                Decimal(e.amount),
                Decimal(e.fee_quote),
            )
            for e in connector.order_fills(order_id)
        ]
    tracker = getattr(connector, "_order_tracker", None)
    order = tracker.all_orders.get(order_id) if tracker is not None else None
    if order is None:
        return None
    quote = order.trading_pair.split("-")[1]
    side = 1 if order.trade_type == TradeType.BUY else -1
    return [
        ScopeFill(
            (name, order.trading_pair),
            order_id,
            str(t.trade_id),
            float(t.fill_timestamp),
            side,
            Decimal(t.fill_price),
            Decimal(t.fill_base_amount),
            Decimal(
                t.fee.fee_amount_in_token(
                    order.trading_pair, t.fill_price, t.fill_base_amount, quote, connector
                )
            ),
        )
        for t in order.order_fills.values()
    ]


@dataclass
class _Order:
    connectors: tuple[str, ...]
    counted: set[str] = field(default_factory=set)
    pending: dict[str, ScopeFill] = field(default_factory=dict)  # read, dated at or after the last look
    done: bool = False  # its executor closed or vanished; read once more, then never again


@dataclass
class _Scope:
    book: ScopeBook = field(default_factory=ScopeBook)
    orders: dict[str, _Order] = field(default_factory=dict)
    open_ids: set[str] = field(default_factory=set)


class ScopeFills:
    """Per scope (a controller id): the order ids of its executors and the book of their fills."""

    def __init__(self) -> None:
        self._scopes: dict[str, _Scope] = {}

    def book(self, scope: str) -> ScopeBook:
        return self._scopes.setdefault(scope, _Scope()).book

    def update(
        self, scope: str, executors: Iterable[Any], connectors: Mapping[str, Any], markets_of: Any, now: float
    ) -> ScopeBook:
        """Register the ids the executors name, read their new fills, book those dated before ``now``."""
        state = self._scopes.setdefault(scope, _Scope())
        visible: set[str] = set()
        for info in executors:
            names = tuple(dict.fromkeys(c for c, _ in markets_of(info.config)))
            for oid in executor_order_ids(info):
                visible.add(oid)
                order = state.orders.setdefault(oid, _Order(names))
                if oid not in state.open_ids and not order.done:
                    state.open_ids.add(oid)
                order.done = order.done or not info.is_active
        for oid in list(state.open_ids):
            order = state.orders[oid]
            order.done = order.done or oid not in visible
            self._read(order, oid, connectors)
            self._count(state.book, order, now)
            if order.done and not order.pending:
                state.open_ids.discard(oid)
        return state.book

    @staticmethod
    def _read(order: _Order, oid: str, connectors: Mapping[str, Any]) -> None:
        for name in order.connectors:
            connector = connectors.get(name)
            fills = connector_fills(connector, name, oid) if connector is not None else None
            for fill in fills or []:
                if fill.trade_id not in order.counted:
                    order.pending[fill.trade_id] = fill

    @staticmethod
    def _count(book: ScopeBook, order: _Order, now: float) -> None:
        for trade_id, fill in sorted(order.pending.items(), key=lambda kv: kv[1].timestamp):
            if fill.timestamp < now:
                book.book(fill)
                order.counted.add(trade_id)
                del order.pending[trade_id]

    def markets(self, scope: str) -> list[MarketKey]:
        return list(self.book(scope).cash)
