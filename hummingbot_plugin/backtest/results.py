"""The backtest results document (JSON) and its console summary."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.backtest.metrics import BacktestMetrics, ExecutorRecord, FloatArray

__all__ = ["RunContext", "build_results", "format_summary", "write_json"]


@dataclass(frozen=True, slots=True)
class RunContext:
    """What was run: inputs echoed into the results so a figure can be reproduced."""

    config_file: str
    config: dict[str, Any]
    data_file: str
    interval: str
    resolution: str
    requested_start: str | None
    requested_end: str | None
    fee: float
    capital: float


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def build_results(
    context: RunContext,
    metrics: BacktestMetrics,
    timestamps: FloatArray,
    equity: FloatArray,
    hold: FloatArray,
    records: list[ExecutorRecord],
    hummingbot_summary: dict[str, Any],
) -> dict[str, Any]:
    """The full results document (metrics at top level, then inputs, curve and executors)."""
    document: dict[str, Any] = asdict(metrics)
    document.update(
        {
            "config_file": context.config_file,
            "config": context.config,
            "data_file": context.data_file,
            "interval": context.interval,
            "resolution": context.resolution,
            "period": {
                "requested_start": context.requested_start,
                "requested_end": context.requested_end,
                "first_bar": _iso(float(timestamps[0])) if timestamps.size else None,
                "last_bar": _iso(float(timestamps[-1])) if timestamps.size else None,
                "bars": int(timestamps.size),
            },
            "fee": context.fee,
            "capital": context.capital,
            "equity_method": "capital + per-executor mark-to-market PnL at each bar's close "
            "(fees charged at entry); see hummingbot_plugin/backtest/metrics.py",
            "equity_curve": [
                {"timestamp": int(t), "equity": float(e), "buy_and_hold": float(h)}
                for t, e, h in zip(timestamps, equity, hold, strict=True)
            ],
            "executors": [asdict(r) for r in records],
            "hummingbot_summary": hummingbot_summary,
        }
    )
    return dict(_clean(document))


def write_json(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, allow_nan=False))


def _fmt(value: float | int | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def format_summary(metrics: BacktestMetrics, context: RunContext, first_bar: str, last_bar: str) -> str:
    """A readable table: the strategy next to buy-and-hold."""
    rows = [
        ("return %", _fmt(metrics.return_pct, "+.2f"), _fmt(metrics.buy_and_hold_return_pct, "+.2f")),
        (
            "Sharpe (daily, ann.)",
            _fmt(metrics.sharpe_daily_annualized, ".2f"),
            _fmt(metrics.buy_and_hold_sharpe_daily_annualized, ".2f"),
        ),
        (
            "max drawdown %",
            _fmt(metrics.max_drawdown_pct, ".2f"),
            _fmt(metrics.buy_and_hold_max_drawdown_pct, ".2f"),
        ),
        (
            "net PnL (quote)",
            _fmt(metrics.net_pnl_quote, "+.2f"),
            _fmt(metrics.buy_and_hold_return_pct / 100 * context.capital, "+.2f"),
        ),
        ("trades", str(metrics.trades), "1"),
        ("win rate", _fmt(metrics.win_rate, ".1%"), ""),
        ("profit factor", _fmt(metrics.profit_factor, ".2f"), ""),
        ("fees (quote)", _fmt(metrics.fees_quote, ".2f"), ""),
        ("volume (quote)", _fmt(metrics.volume_quote, ",.0f"), ""),
        ("time in market %", _fmt(metrics.exposure_time_pct, ".1f"), "100.0"),
    ]
    head = (
        f"{context.config.get('id', '')} on {Path(context.data_file).name}  {first_bar} → {last_bar}  "
        f"fee {context.fee:g}  capital {context.capital:g}"
    )
    lines = [head, f"{'':24}{'strategy':>14}{'buy & hold':>14}"]
    lines += [f"{name:24}{ours:>14}{hold:>14}" for name, ours, hold in rows]
    if metrics.trades == 0:
        lines.append("no trade was made in this period (zero-trade report)")
    return "\n".join(lines)
