"""Pure summaries of a replay: equity curve metrics, fill/order tables, the live status line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise

from hummingbot_plugin.simulation.engine.ledger import LedgerEntry
from hummingbot_plugin.simulation.engine.models import ZERO, Side

__all__ = ["EquityPoint", "decimal_dict", "fill_record", "replay_metrics", "status_line"]


@dataclass(frozen=True)
class EquityPoint:
    """Account value in quote at one simulated time (balances marked at mid)."""

    timestamp: float
    equity_quote: float


def fill_record(connector: str, entry: LedgerEntry) -> dict[str, object]:
    """JSON-ready description of one fill (decimals as strings: exact)."""
    return {
        "timestamp": entry.timestamp,
        "connector": connector,
        "trading_pair": entry.trading_pair,
        "order_id": entry.order_id,
        "side": entry.side.value,
        "price": str(entry.price),
        "amount": str(entry.amount),
        "fee_quote": str(entry.fee_quote),
        "is_maker": entry.is_maker,
        "trade_id": entry.trade_id,
    }


def replay_metrics(equity: Sequence[EquityPoint], fills: Sequence[LedgerEntry]) -> dict[str, float | int]:
    """Headline figures: PnL, return, drawdown, Sharpe of per-point returns, volume and fees."""
    start = equity[0].equity_quote if equity else 0.0
    end = equity[-1].equity_quote if equity else 0.0
    peak, max_dd = -math.inf, 0.0
    for point in equity:
        peak = max(peak, point.equity_quote)
        if peak > 0:
            max_dd = max(max_dd, (peak - point.equity_quote) / peak)
    rets = [b.equity_quote / a.equity_quote - 1 for a, b in pairwise(equity) if a.equity_quote > 0]
    mean = sum(rets) / len(rets) if rets else 0.0
    var = sum((r - mean) ** 2 for r in rets) / (len(rets) - 1) if len(rets) > 1 else 0.0
    volume = sum((e.price * e.amount for e in fills), ZERO)
    fees = sum((e.fee_quote for e in fills), ZERO)
    return {
        "start_equity_quote": start,
        "end_equity_quote": end,
        "net_pnl_quote": end - start,
        "return_pct": (end / start - 1) * 100 if start > 0 else 0.0,
        "max_drawdown_pct": max_dd * 100,
        "sharpe_per_point": mean / math.sqrt(var) if var > 0 else 0.0,
        "n_fills": len(fills),
        "n_buys": sum(1 for e in fills if e.side is Side.BUY),
        "n_sells": sum(1 for e in fills if e.side is Side.SELL),
        "maker_fills": sum(1 for e in fills if e.is_maker),
        "volume_quote": float(volume),
        "fees_quote": float(fees),
    }


def status_line(
    now: float,
    start: float,
    end: float,
    *,
    orders: int,
    fills: int,
    equity_quote: float,
    quote: str,
    speed: float,
) -> str:
    """One line, rewritten in place during a replay."""
    span = max(end - start, 1e-9)
    pct = min(100.0, max(0.0, (now - start) / span * 100))
    stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"[replay] {stamp}Z {pct:5.1f}% | orders {orders} | fills {fills} | "
        f"equity {equity_quote:,.2f} {quote} | {speed:,.0f}x real time"
    )


def decimal_dict(values: dict[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(values.items())}
