"""Audit records for Hummingbot order events (created, cancelled, failed, completed, filled)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from hummingbot_plugin.audit.records import FillRecord, OrderRecord

__all__ = ["connector_of", "fill_record", "order_record"]


def connector_of(connectors: Mapping[str, Any], order_id: str) -> str:
    """The name of the connector tracking ``order_id`` ("" once it is no longer tracked)."""
    for name, connector in connectors.items():
        if order_id in (getattr(connector, "in_flight_orders", None) or {}):
            return str(name)
    return ""


def order_record(
    event: Any, kind: Literal["created", "cancelled", "failed", "completed"], connector: str, side: str = ""
) -> OrderRecord:
    amount = getattr(event, "amount", None) or getattr(event, "base_asset_amount", None)
    order_type = getattr(event, "type", None) or getattr(event, "order_type", None)
    return OrderRecord(
        ts=float(event.timestamp),
        source="orders",
        event=kind,
        order_id=str(event.order_id),
        connector_name=connector,
        trading_pair=str(getattr(event, "trading_pair", "") or ""),
        side=side,
        order_type=getattr(order_type, "name", "") or "",
        amount_base=str(amount or ""),
        price=str(getattr(event, "price", "") or ""),
    )


def _fee_quote(event: Any) -> Decimal:
    fee = event.trade_fee
    total = Decimal(str(getattr(fee, "percent", 0) or 0)) * Decimal(event.price) * Decimal(event.amount)
    quote = str(event.trading_pair).split("-")[-1]
    for flat in getattr(fee, "flat_fees", None) or []:
        if getattr(flat, "token", "") == quote:
            total += Decimal(flat.amount)
    return total


def fill_record(event: Any, connector: str) -> FillRecord:
    return FillRecord(
        ts=float(event.timestamp),
        source="orders",
        order_id=str(event.order_id),
        connector_name=connector,
        trading_pair=str(event.trading_pair),
        side=event.trade_type.name,
        amount_base=str(event.amount),
        price=str(event.price),
        fee_quote=str(_fee_quote(event)),
    )
