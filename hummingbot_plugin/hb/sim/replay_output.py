"""The replay's JSON document: metrics, balances and their reconciliation, every order, fill, executor."""

from __future__ import annotations

from dataclasses import asdict
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

from hummingbot_plugin.hb.sim.exchange import SimulatedExchange
from hummingbot_plugin.sim.metrics_bridge import ReplayExecutor, replay_backtest_metrics
from hummingbot_plugin.sim.report import decimal_dict, fill_record, replay_metrics

__all__ = ["backtest_metrics", "build_payload", "executor_record", "order_records", "replay_executor"]


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


def replay_executor(info: Any) -> ReplayExecutor:
    side = getattr(info.config, "side", None)
    custom = info.custom_info if isinstance(info.custom_info, dict) else {}
    return ReplayExecutor(
        executor_id=str(info.id),
        side=-1 if side is not None and side.name == "SELL" else 1,
        created_ts=float(info.timestamp),
        close_ts=float(info.close_timestamp) if info.close_timestamp is not None else None,
        order_ids=tuple(str(o) for o in custom.get("order_ids", []) or []),
        net_pnl_quote=float(info.net_pnl_quote),
        close_type=info.close_type.name if info.close_type is not None else None,
    )


def _market_metrics(replay: Any, executors: list[Any], connector: str, pair: str) -> dict[str, Any]:
    """The backtest command's metrics for the executors of one market, marked on its own candles."""
    timestamps, closes = replay.candles.closes(connector, pair, replay.start_ts, replay.end_ts)
    exchange = replay.exchanges[connector]
    mine = [
        replay_executor(i)
        for i in executors
        if getattr(i.config, "connector_name", None) == connector
        and getattr(i.config, "trading_pair", None) == pair
    ]
    if timestamps.size == 0:
        return {}
    metrics, _, _ = replay_backtest_metrics(
        timestamps,
        closes,
        mine,
        exchange.ledger.entries,
        replay.capital,
        float(exchange.sim_config.taker_fee),
    )
    return {**asdict(metrics), "capital": replay.capital, "market": f"{connector} {pair}"}


def backtest_metrics(replay: Any, executors: list[Any]) -> dict[str, Any]:
    """The backtest metrics of the primary (first) market at top level, and of every market in ``per_market``.

    Executor-based metrics are per market (each is marked on its own candles); the balance-based
    ``account`` section of the payload covers every market and venue together.
    """
    markets = sorted((name, pair) for name, ex in replay.exchanges.items() for pair in ex.trading_pairs)
    per_market = {f"{c} {p}": m for c, p in markets if (m := _market_metrics(replay, executors, c, p))}
    primary = per_market.get("{} {}".format(*replay.primary_market), {})
    if not primary:
        return {}
    return {
        **primary,
        "equity_method": "same as backtest: capital + per-executor mark-to-market PnL at each bar's close, "
        "with entry price/fees from the replay's real fills",
        "metrics_scope": f"{primary['market']} only (see per_market; 'account' covers all markets)",
        "per_market": per_market,
    }


def build_payload(replay: Any, executors: list[Any], wall_seconds: float) -> dict[str, Any]:
    """Assemble the JSON document for one finished replay."""
    exchanges: dict[str, SimulatedExchange] = replay.exchanges
    fills = [fill_record(name, e) for name, ex in exchanges.items() for e in ex.ledger.entries]
    fills.sort(key=lambda f: (f["timestamp"], f["connector"], f["trade_id"]))
    entries = [e for ex in exchanges.values() for e in ex.ledger.entries]
    sim_seconds = replay.end_ts - replay.start_ts
    return {
        **backtest_metrics(replay, executors),
        "kind": "replay",
        "script_config": str(replay.bundle.config_path),
        "data": [str(f.path) for _, f in replay.assigned],
        "start": replay.start_ts,
        "end": replay.end_ts,
        "tick_seconds": replay.tick,
        "executor_update_seconds": replay.control_interval,
        "account": replay_metrics(replay.equity, entries),
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
        "equity_curve": [[p.timestamp, p.equity_quote] for p in replay.equity],
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
