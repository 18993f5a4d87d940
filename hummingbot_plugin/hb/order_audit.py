"""Hummingbot's order and fill events into the audit trail: a mixin for a V2 script with ``self.audit``.

Put it FIRST in the script's bases (``class S(OrderAuditMixin, StrategyV2Base)``) so its ``did_*``
handlers replace the base class's no-op ones.
"""

from __future__ import annotations

from typing import Any, Literal

from hummingbot_plugin.audit import AuditLog
from hummingbot_plugin.hb.audit_events import connector_of, fill_record, order_record

__all__ = ["OrderAuditMixin"]

OrderEvent = Literal["created", "cancelled", "failed", "completed"]


class OrderAuditMixin:
    """Created / cancelled / failed / completed orders and every fill, one audit record each."""

    audit: AuditLog
    connectors: Any

    def _audit_order(self, event: Any, what: OrderEvent, side: str = "") -> None:
        self.audit.append(order_record(event, what, connector_of(self.connectors, event.order_id), side))

    def did_create_buy_order(self, event: Any) -> None:
        self._audit_order(event, "created", "BUY")

    def did_create_sell_order(self, event: Any) -> None:
        self._audit_order(event, "created", "SELL")

    def did_cancel_order(self, event: Any) -> None:
        self._audit_order(event, "cancelled")

    def did_fail_order(self, event: Any) -> None:
        self._audit_order(event, "failed")

    def did_complete_buy_order(self, event: Any) -> None:
        self._audit_order(event, "completed", "BUY")

    def did_complete_sell_order(self, event: Any) -> None:
        self._audit_order(event, "completed", "SELL")

    def did_fill_order(self, event: Any) -> None:
        self.audit.append(fill_record(event, connector_of(self.connectors, event.order_id)))
