"""The regime comparison table (issue-10 format plus trades, deflated Sharpe and time per regime)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.research.regime_run import RegimeResult, RegimeRunSettings

__all__ = ["format_regime_table", "write_regime_report"]


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


def format_regime_table(title: str, result: RegimeResult) -> str:
    """Markdown table: every strategy and baseline on one ledger, then regime time and DSR notes."""
    rows = result.rows
    years = sorted({y for r in rows for y in r["per_year_return_pct"]})
    head = ["", "Sharpe", "return %", "max DD %", *(f"{y} %" for y in years)]
    head += ["trades", "turnover/yr", "fees", "in market %", "fills", "DSR"]
    lines = [title, "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["name"], _num(r["sharpe_daily_annualized"]), _num(r["return_pct"], 1)]
        cells += [_num(-r["max_drawdown_pct"], 1), *(_num(r["per_year_return_pct"].get(y), 1) for y in years)]
        cells += [str(r["trades"]), _num(r["turnover_per_year"], 1), _num(r["fees_quote"], 1)]
        cells += [_num(r["time_in_market_pct"], 1), str(r["n_fills"]), _num(r["deflated_sharpe"], 3)]
        lines.append("| " + " | ".join(cells) + " |")
    shares = ", ".join(f"{k} {v:.1f} %" for k, v in result.regime_share_pct.items())
    low, high = result.summary["switch_sharpe_bootstrap_90"]
    lines += [
        "",
        "time in each regime (switcher: range -> level grid, trends -> directional, high_vol -> flat): "
        + shares,
        f"DSR = deflated Sharpe probability with N = {result.summary['configs_tried']} configurations tried; "
        f"regime_switch block-bootstrap 90 % Sharpe interval [{_num(low)}, {_num(high)}]",
    ]
    return "\n".join(lines)


def write_regime_report(result: RegimeResult, settings: RegimeRunSettings, table: str) -> Path:
    """``report.json`` and ``table.txt`` in ``settings.out``."""
    payload: dict[str, Any] = {
        "settings": {k: str(v) for k, v in asdict(settings).items()},
        "execution": "decided at a bar's close; market orders at the next open, limit buys at the level; "
        "fee per side; one ledger",
        "table": result.rows,
        "regime_share_pct": result.regime_share_pct,
        "summary": result.summary,
    }
    settings.out.mkdir(parents=True, exist_ok=True)
    path = settings.out / "report.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    (settings.out / "table.txt").write_text(table + "\n", encoding="utf-8")
    return path
