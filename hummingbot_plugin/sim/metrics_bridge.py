"""The backtest command's metrics (hummingbot_plugin.backtest.metrics) computed for a replay.

Each executor becomes an ``ExecutorRecord`` from its REAL fills: entry at the first fill of its open
order, entry price = that order's volume-weighted fill price, amount = base actually filled, fees =
every fill of every order it placed. Equity is then marked on the replayed candle closes exactly
like the backtest, so both commands' JSONs carry the same metric names with the same definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hummingbot_plugin.backtest.metrics import BacktestMetrics, ExecutorRecord, FloatArray, compute_metrics
from hummingbot_plugin.sim.ledger import LedgerEntry
from hummingbot_plugin.sim.models import ZERO

__all__ = ["ReplayExecutor", "executor_records", "replay_backtest_metrics"]


@dataclass(frozen=True)
class ReplayExecutor:
    """What the replay knows about one executor (plain values, no Hummingbot)."""

    executor_id: str
    side: int  # +1 buy/long, -1 sell/short
    created_ts: float
    close_ts: float | None
    order_ids: tuple[str, ...]
    net_pnl_quote: float
    close_type: str | None


def executor_records(
    executors: Sequence[ReplayExecutor], fills: Sequence[LedgerEntry]
) -> list[ExecutorRecord]:
    by_order: dict[str, list[LedgerEntry]] = defaultdict(list)
    for fill in fills:
        by_order[fill.order_id].append(fill)
    records = []
    for ex in executors:
        opening = by_order.get(ex.order_ids[0], []) if ex.order_ids else []
        amount = sum((f.amount for f in opening), ZERO)
        vwap = sum((f.price * f.amount for f in opening), ZERO) / amount if amount > 0 else None
        fees = sum((f.fee_quote for oid in ex.order_ids for f in by_order.get(oid, [])), ZERO)
        records.append(
            ExecutorRecord(
                executor_id=ex.executor_id,
                side=ex.side,
                created_ts=ex.created_ts,
                entry_ts=opening[0].timestamp if opening else None,
                close_ts=ex.close_ts,
                amount_base=float(amount),
                entry_price=float(vwap) if vwap is not None else None,
                net_pnl_quote=ex.net_pnl_quote,
                fees_quote=float(fees),
                close_type=ex.close_type,
            )
        )
    return records


def replay_backtest_metrics(
    timestamps: FloatArray,
    closes: FloatArray,
    executors: Sequence[ReplayExecutor],
    fills: Sequence[LedgerEntry],
    capital: float,
    fee: float,
) -> tuple[BacktestMetrics, FloatArray, list[ExecutorRecord]]:
    """Same metrics as ``backtest`` for the replay's executors on the replayed closes."""
    records = executor_records(executors, fills)
    metrics, equity, _hold = compute_metrics(
        np.asarray(timestamps, dtype=np.float64), np.asarray(closes, dtype=np.float64), records, capital, fee
    )
    return metrics, equity, records
