"""Side-by-side table of backtest / replay result JSONs (the metric names both commands write)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import DataError

__all__ = ["COMPARED_METRICS", "ResultColumn", "format_comparison", "load_result_column"]

# (json key, row label, format) in display order; the buy-and-hold column reuses the *_buy_and_hold keys.
COMPARED_METRICS: tuple[tuple[str, str, str], ...] = (
    ("return_pct", "return %", "+.2f"),
    ("sharpe_daily_annualized", "Sharpe (daily, ann.)", ".2f"),
    ("max_drawdown_pct", "max drawdown %", ".2f"),
    ("net_pnl_quote", "net PnL (quote)", "+.2f"),
    ("trades", "trades", "d"),
    ("win_rate", "win rate", ".1%"),
    ("fees_quote", "fees (quote)", ".2f"),
    ("exposure_time_pct", "time in market %", ".1f"),
)
_BUY_AND_HOLD_KEYS = {
    "return_pct": "buy_and_hold_return_pct",
    "sharpe_daily_annualized": "buy_and_hold_sharpe_daily_annualized",
    "max_drawdown_pct": "buy_and_hold_max_drawdown_pct",
}


@dataclass(frozen=True)
class ResultColumn:
    """One column of the table: a label and the metric values it shows (None = not reported)."""

    label: str
    values: dict[str, float | int | None]


def load_result_column(path: Path, label: str | None = None) -> tuple[ResultColumn, ResultColumn]:
    """The strategy column and its buy-and-hold column from one result JSON."""
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read result JSON {path}: {exc}",
                        fix="pass a file written by the backtest or replay command (--json)") from exc
    missing = [key for key, _, _ in COMPARED_METRICS[:3] if key not in document]
    if missing:
        raise DataError(f"{path} has no {', '.join(missing)}",
                        fix="pass a file written by the backtest or replay command (--json)")
    name = label or path.stem
    strategy = ResultColumn(name, {key: document.get(key) for key, _, _ in COMPARED_METRICS})
    hold = ResultColumn(f"buy & hold ({name})",
                        {key: document.get(_BUY_AND_HOLD_KEYS[key]) for key in _BUY_AND_HOLD_KEYS})
    return strategy, hold


def _cell(value: float | int | None, spec: str) -> str:
    if value is None:
        return "-"
    return format(int(value) if spec == "d" else float(value), spec)


def format_comparison(columns: list[ResultColumn]) -> str:
    """A fixed-width text table, one row per metric, one column per result."""
    width = max(14, *(len(column.label) + 2 for column in columns))
    header = f"{'':24}" + "".join(f"{column.label:>{width}}" for column in columns)
    rows = [header]
    for key, label, spec in COMPARED_METRICS:
        cells = "".join(f"{_cell(column.values.get(key), spec):>{width}}" for column in columns)
        rows.append(f"{label:24}{cells}")
    return "\n".join(rows)
