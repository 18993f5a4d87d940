"""Side-by-side table of backtest / replay result JSONs, refusing results that are not comparable.

Two results compare only over the same period (first and last bar) and the same scope (the account, or
the same market); ``allow_mixed=True`` prints them anyway with the period and scope in every column label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ledger.table import format_table

__all__ = ["ResultColumn", "check_comparable", "format_comparison", "load_result_column"]

_REQUIRED = ("return_pct", "sharpe_daily_annualized", "max_drawdown_pct")
_HOLD = {
    "return_pct": "buy_and_hold_return_pct",
    "sharpe_daily_annualized": "buy_and_hold_sharpe_daily_annualized",
    "max_drawdown_pct": "buy_and_hold_max_drawdown_pct",
    "net_pnl_quote": "buy_and_hold_net_pnl_quote",
}


@dataclass(frozen=True)
class ResultColumn:
    """One column of the table: a label, its figures, and what they cover (period, scope)."""

    label: str
    values: dict[str, Any]
    period: tuple[str | None, str | None]
    scope: str


def _read(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(
            f"cannot read result JSON {path}: {exc}",
            fix="pass a file written by the backtest or replay command (--json)",
        ) from exc
    missing = [key for key in _REQUIRED if key not in document]
    if missing:
        raise DataError(
            f"{path} has no {', '.join(missing)}",
            fix="pass a file written by the backtest or replay command (--json)",
        )
    return document


def load_result_column(path: Path, label: str | None = None) -> tuple[ResultColumn, ResultColumn]:
    """The strategy column and its buy-and-hold column from one result JSON."""
    document = _read(path)
    name = label or path.stem
    period_doc = document.get("period") or {}
    period = (period_doc.get("first_bar"), period_doc.get("last_bar"))
    scope = str(document.get("metrics_scope") or document.get("scope") or "unknown")
    strategy = ResultColumn(name, document, period, scope)
    hold = ResultColumn(f"buy & hold ({name})", {k: document.get(v) for k, v in _HOLD.items()}, period, scope)
    return strategy, hold


def check_comparable(columns: list[ResultColumn], allow_mixed: bool) -> list[ResultColumn]:
    """The columns as given when they share period and scope; labelled (or refused) when they do not."""
    periods = {c.period for c in columns}
    scopes = {c.scope.split(" (")[0] for c in columns}
    if len(periods) <= 1 and len(scopes) <= 1:
        return columns
    what = []
    if len(periods) > 1:
        what.append("periods " + ", ".join(sorted(f"{a} → {b}" for a, b in periods)))
    if len(scopes) > 1:
        what.append("scopes " + ", ".join(sorted(scopes)))
    if not allow_mixed:
        raise DataError(
            f"these results are not comparable: different {' and '.join(what)}",
            fix="run them over the same period and scope, or pass --allow-mixed to label them",
        )
    return [
        ResultColumn(
            f"{c.label} [{c.period[0]}→{c.period[1]}, {c.scope.split(' (')[0]}]", c.values, c.period, c.scope
        )
        for c in columns
    ]


def format_comparison(columns: list[ResultColumn]) -> str:
    """A fixed-width text table, one row per figure, one column per result."""
    head = ""
    if columns and len({c.period for c in columns}) == 1:
        first, last = columns[0].period
        head = f"period {first} → {last}, scope {columns[0].scope}\n"
    return head + format_table([(c.label, c.values) for c in columns])
