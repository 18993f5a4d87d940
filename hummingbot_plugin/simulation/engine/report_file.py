"""Replay summary (console table) and report (the one HTML/PNG report, from the replay's ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.ledger import LedgerBook
from hummingbot_plugin.ledger.document import buy_and_hold, hold_figures
from hummingbot_plugin.ledger.table import format_table
from hummingbot_plugin.report import RiskChange, report_from_ledger
from hummingbot_plugin.report import write_report as write_one_report

__all__ = ["replay_summary", "write_report"]


def replay_summary(payload: dict[str, Any]) -> str:
    """The account, every market and buy-and-hold, from the ledger figures in the payload."""
    files = ", ".join(Path(d).name for d in payload.get("data", []))
    period = payload.get("period") or {}
    lines = [
        f"replay of {payload.get('script_config')} on {files}"
        f"  {period.get('first_bar', '')} → {period.get('last_bar', '')}"
    ]
    columns = [("account", payload.get("account", {}))]
    per_market = payload.get("per_market") or {}
    if len(per_market) > 1:
        columns += list(per_market.items())
    columns.append(
        (
            "buy & hold",
            {
                "return_pct": payload.get("buy_and_hold_return_pct"),
                "net_pnl_quote": payload.get("buy_and_hold_net_pnl_quote"),
                "sharpe_daily_annualized": payload.get("buy_and_hold_sharpe_daily_annualized"),
                "max_drawdown_pct": payload.get("buy_and_hold_max_drawdown_pct"),
            },
        )
    )
    lines.append(format_table(columns, (payload.get("ledger") or {}).get("quote_asset", "quote")))
    for t in (payload.get("risk") or {}).get("transitions", []):
        lines.append(
            f"risk: {t['time']} {t['scope']} {t['from_state']} -> {t['to_state']} "
            f"({t['reason_code']}: {t['reason_text']})"
        )
    speed = payload.get("speed", {})
    lines.append(
        f"  speed: {speed.get('sim_s_per_wall_s', 0):,.0f} simulated s per wall s, "
        f"{speed.get('events_per_s', 0):,.0f} events/s"
    )
    return "\n".join(lines)


def write_report(payload: dict[str, Any], ledger: LedgerBook | None, path: Path) -> None:
    """Write ``path`` (.html or .png) for a replay: the one report, built from the replay's ledger."""
    if ledger is None:
        raise SimulationError("this replay has no ledger to report", fix="report a finished replay")
    hold = buy_and_hold(sorted(ledger.markets), ledger.marks, ledger.start_equity, _taker(payload))
    changes = [
        RiskChange(
            float(r["ts"]),
            str(r["scope"]),
            str(r["from_state"]),
            str(r["to_state"]),
            str(r["reason_code"]),
            str(r.get("reason_text", "")),
        )
        for r in (payload.get("risk") or {}).get("transitions", [])
    ]
    files = ", ".join(Path(d).name for d in payload.get("data", []))
    report = report_from_ledger(
        ledger,
        kind="replay",
        title=f"{Path(str(payload.get('script_config'))).name} on {files}",
        subtitle="Hummingbot's runtime (V2 script, controllers, real executors) on the simulated exchange",
        fee=", ".join(
            f"{name}: maker {c['maker_fee']}, taker {c['taker_fee']}"
            for name, c in (payload.get("connectors") or {}).items()
        ),
        comparisons=[(hold_figures(hold), hold.equity)],
        risk_changes=changes,
    )
    write_one_report(path, report)


def _taker(payload: dict[str, Any]) -> float:
    connectors = payload.get("connectors") or {}
    return max((float(c["taker_fee"]) for c in connectors.values()), default=0.0)
