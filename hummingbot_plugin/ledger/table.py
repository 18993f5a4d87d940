"""One text table for every figure the CLI prints (backtest, replay, compare): rounded, with units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ROWS", "format_table"]

# (figure key, label, format); the quote asset is appended to "(quote)" labels
ROWS: tuple[tuple[str, str, str], ...] = (
    ("return_pct", "return %", "+.2f"),
    ("net_pnl_quote", "net PnL (quote)", "+,.2f"),
    ("sharpe_daily_annualized", "Sharpe (daily, ann.)", ".2f"),
    ("max_drawdown_pct", "max drawdown %", ".2f"),
    ("trades", "trades (closing orders)", "d"),
    ("win_rate", "win rate", ".1%"),
    ("profit_factor", "profit factor", ".2f"),
    ("n_fills", "fills", "d"),
    ("fees_quote", "fees (quote)", ",.2f"),
    ("volume_quote", "volume (quote)", ",.0f"),
    ("exposure_time_pct", "time in market %", ".1f"),
)


def _cell(value: Any, spec: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(int(value) if spec == "d" else float(value), spec)


def format_table(columns: Sequence[tuple[str, Mapping[str, Any]]], quote: str = "quote") -> str:
    """``columns``: (label, figures dict) pairs; one row per figure, '-' where a column lacks it."""
    width = max(14, *(len(label) + 2 for label, _ in columns)) if columns else 14
    lines = [f"{'':26}" + "".join(f"{label:>{width}}" for label, _ in columns)]
    for key, label, spec in ROWS:
        cells = "".join(f"{_cell(values.get(key), spec):>{width}}" for _, values in columns)
        lines.append(f"{label.replace('quote', quote):26}{cells}")
    ruined = [label for label, values in columns if values.get("ruined")]
    if ruined:
        lines.append(f"RUINED (equity reached zero; return shown as -100 %): {', '.join(ruined)}")
    return "\n".join(lines)
