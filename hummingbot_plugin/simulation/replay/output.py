"""The replay's JSON document: metrics, balances and their reconciliation, every order, fill, executor."""

from __future__ import annotations

from typing import Any

from hummingbot.core.event.events import (
    BuyOrderCompletedEvent,
    BuyOrderCreatedEvent,
    MarketOrderFailureEvent,
    OrderCancelledEvent,
    OrderFilledEvent,
    SellOrderCompletedEvent,
    SellOrderCreatedEvent,
)

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.ledger import Fill, LedgerBook, Market, Marks, build_ledger
from hummingbot_plugin.ledger.document import (
    ACCOUNTING_RULES,
    buy_and_hold,
    headline,
    iso,
    ledger_section,
)
from hummingbot_plugin.simulation.engine.models import Side
from hummingbot_plugin.simulation.engine.report import decimal_dict, fill_record
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange

__all__ = [
    "build_payload",
    "executor_record",
    "ledger_payload",
    "order_records",
    "replay_fills",
    "replay_ledger",
]


def order_records(exchange: SimulatedExchange) -> list[dict[str, Any]]:
    """Every order the connector saw, from its own event log (created → filled → final state)."""
    orders: dict[str, dict[str, Any]] = {}
    for event in exchange.journal.events:
        order_id = getattr(event, "order_id", None)
        if order_id is None:
            continue
        rec = orders.setdefault(
            order_id,
            {
                "order_id": order_id,
                "connector": exchange.name,
                "status": "submitted",
                "filled_amount": "0",
                "n_fills": 0,
            },
        )
        if isinstance(event, BuyOrderCreatedEvent | SellOrderCreatedEvent):
            rec.update(
                side="buy" if isinstance(event, BuyOrderCreatedEvent) else "sell",
                trading_pair=event.trading_pair,
                order_type=event.type.name,
                amount=str(event.amount),
                price=str(event.price),
                created_at=event.creation_timestamp,
                status="open",
            )
        elif isinstance(event, OrderFilledEvent):
            rec["n_fills"] += 1
            rec["filled_amount"] = str(sum_str(rec["filled_amount"], event.amount))
            rec.setdefault("trading_pair", event.trading_pair)
            rec.setdefault("side", event.trade_type.name.lower())
            rec["status"] = "partially_filled"
        elif isinstance(event, BuyOrderCompletedEvent | SellOrderCompletedEvent):
            rec.update(status="filled", completed_at=event.timestamp)
        elif isinstance(event, OrderCancelledEvent):
            rec.update(status="cancelled", cancelled_at=event.timestamp)
        elif isinstance(event, MarketOrderFailureEvent):
            rec.update(
                status="failed",
                order_type=event.order_type.name,
                failed_at=event.timestamp,
                error=event.error_message,
            )
    return list(orders.values())


def sum_str(current: str, amount: Any) -> Any:
    from decimal import Decimal

    return Decimal(current) + Decimal(str(amount))


def executor_record(info: Any) -> dict[str, Any]:
    """The fields of Hummingbot's ExecutorInfo that matter for a report."""
    side = info.custom_info.get("side") if isinstance(info.custom_info, dict) else None
    return {
        "id": info.id,
        "controller_id": info.controller_id,
        "type": info.type,
        "connector": getattr(info.config, "connector_name", None),
        "trading_pair": getattr(info.config, "trading_pair", None),
        "side": getattr(side, "name", str(side) if side is not None else None),
        "timestamp": info.timestamp,
        "close_timestamp": info.close_timestamp,
        "close_type": info.close_type.name if info.close_type is not None else None,
        "net_pnl_quote": str(info.net_pnl_quote),
        "net_pnl_pct": str(info.net_pnl_pct),
        "cum_fees_quote": str(info.cum_fees_quote),
        "filled_amount_quote": str(info.filled_amount_quote),
        "order_ids": list(info.custom_info.get("order_ids", []) or [])
        if isinstance(info.custom_info, dict)
        else [],
    }


def replay_fills(exchanges: dict[str, SimulatedExchange], executors: list[Any]) -> list[Fill]:
    """Every fill of every venue as a ledger :class:`Fill`, tagged with the executor that placed it."""
    owner = {
        str(order_id): str(info.id)
        for info in executors
        if isinstance(info.custom_info, dict)
        for order_id in info.custom_info.get("order_ids", []) or []
    }
    return [
        Fill(
            timestamp=float(e.timestamp),
            market=Market(name, e.trading_pair),
            side=1 if e.side is Side.BUY else -1,
            price=float(e.price),
            amount=float(e.amount),
            fee_quote=float(e.fee_quote),
            is_maker=e.is_maker,
            order_id=e.order_id,
            executor_id=owner.get(e.order_id, ""),
        )
        for name, ex in exchanges.items()
        for e in ex.ledger.entries
    ]


def replay_marks(replay: Any) -> Marks:
    """Each market marked at its bar closes (close time) inside the replayed period, on one timeline."""
    series = {}
    for name, exchange in replay.exchanges.items():
        for pair in exchange.trading_pairs:
            ts, closes = replay.candles.closes(name, pair, replay.start_ts, replay.end_ts)
            if ts.size == 0:
                raise SimulationError(
                    f"no bar of {name} {pair} closed inside the replayed period: nothing to value it at",
                    fix="replay at least one full bar of every market",
                )
            series[Market(name, pair)] = (ts, closes)
    return Marks.aligned(series)


def replay_ledger(replay: Any, executors: list[Any]) -> LedgerBook:
    """The replay booked on the one ledger: fills from the venues, starting balances, bar-close marks."""
    start = {
        name: {a: float(v) for a, v in ex.ledger.starting_balances.items()}
        for name, ex in replay.exchanges.items()
    }
    return build_ledger(replay_fills(replay.exchanges, executors), start, replay_marks(replay))


def ledger_payload(ledger: LedgerBook, fee: float) -> dict[str, Any]:
    """Headline (the account), buy-and-hold of the same start equity, and the ledger section."""
    hold = buy_and_hold(sorted(ledger.markets), ledger.marks, ledger.start_equity, fee)
    section = ledger_section(ledger)
    return {
        **headline(ledger, hold),
        "equity_method": ACCOUNTING_RULES,
        "per_market": section["per_market"],
        "account": section["account"],
        "equity_curve": section["equity_curve"],
        "ledger": section,
    }


def build_payload(
    replay: Any, executors: list[Any], ledger: LedgerBook, wall_seconds: float
) -> dict[str, Any]:
    """Assemble the JSON document for one finished replay (``ledger``: :func:`replay_ledger`)."""
    exchanges: dict[str, SimulatedExchange] = replay.exchanges
    fills = [fill_record(name, e) for name, ex in exchanges.items() for e in ex.ledger.entries]
    fills.sort(key=lambda f: (f["timestamp"], f["connector"], f["trade_id"]))
    sim_seconds = replay.end_ts - replay.start_ts
    taker = max(float(ex.sim_config.taker_fee) for ex in exchanges.values())
    return {
        **ledger_payload(ledger, taker),
        "kind": "replay",
        "script_config": str(replay.bundle.config_path),
        "data": [str(f.path) for _, f in replay.assigned],
        "start": replay.start_ts,
        "end": replay.end_ts,
        "period": {
            "start": iso(replay.start_ts),
            "end": iso(replay.end_ts),
            "first_bar": iso(float(ledger.timestamps[0])),
            "last_bar": iso(float(ledger.timestamps[-1])),
            "marks": int(ledger.timestamps.size),
            "mark_times": "bar close times",
        },
        "tick_seconds": replay.tick,
        "executor_update_seconds": replay.control_interval,
        "connectors": {
            name: {
                "trading_pairs": list(ex.trading_pairs),
                "maker_fee": str(ex.sim_config.maker_fee),
                "taker_fee": str(ex.sim_config.taker_fee),
                "order_latency_s": ex.sim_config.order_latency_s,
                "cancel_latency_s": ex.sim_config.cancel_latency_s,
                "start_balances": decimal_dict(ex.ledger.starting_balances),
                "end_balances": decimal_dict(ex.ledger.totals()),
                "reconciliation": decimal_dict(ex.ledger.reconcile()),
            }
            for name, ex in exchanges.items()
        },
        "equity_at_mid_samples": [[p.timestamp, p.equity_quote] for p in replay.equity],
        "orders": [o for ex in exchanges.values() for o in order_records(ex)],
        "fills": fills,
        "executors": [executor_record(i) for i in executors],
        "speed": {
            "sim_seconds": sim_seconds,
            "wall_seconds": wall_seconds,
            "events": replay.n_events,
            "sim_s_per_wall_s": sim_seconds / wall_seconds if wall_seconds > 0 else 0.0,
            "events_per_s": replay.n_events / wall_seconds if wall_seconds > 0 else 0.0,
        },
    }
