"""The backtest results document (JSON) and its console summary, from the one ledger."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.ledger import LedgerBook
from hummingbot_plugin.ledger.document import ACCOUNTING_RULES, headline, iso, ledger_section
from hummingbot_plugin.ledger.table import format_table

__all__ = ["RunContext", "RunOutcome", "build_results", "format_summary", "write_json"]


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
    sizing: str = "fixed"


@dataclass(frozen=True)
class RunOutcome:
    """What the engine did besides fills: risk state changes, denials, budget refusals, ruin."""

    executors: list[dict[str, Any]]
    risk_transitions: list[Any]
    risk_denials: dict[str, int]
    budget_refusals: dict[str, int]
    ruined_at: float | None
    hummingbot_summary: dict[str, Any]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become null, numpy scalars become Python numbers, dataclasses dicts."""
    if is_dataclass(value) and not isinstance(value, type):
        return _clean(asdict(value))
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
    context: RunContext, ledger: LedgerBook, hold: LedgerBook, outcome: RunOutcome
) -> dict[str, Any]:
    """The results document: the account's figures at top level (buy-and-hold beside), then the inputs,
    the period, the risk section, the ledger (per market, balances, curve, trades) and the executors."""
    ts = ledger.timestamps
    section = ledger_section(ledger)
    hold_curve = hold.equity
    document: dict[str, Any] = {
        **headline(ledger, hold),
        "kind": "backtest",
        "config_file": context.config_file,
        "config": context.config,
        "data_file": context.data_file,
        "interval": context.interval,
        "resolution": context.resolution,
        "period": {
            "requested_start": context.requested_start,
            "requested_end": context.requested_end,
            "first_bar": iso(float(ts[0])),
            "last_bar": iso(float(ts[-1])),
            "bars": int(ts.size),
        },
        "fee": context.fee,
        "capital": context.capital,
        "sizing": context.sizing,
        "equity_method": ACCOUNTING_RULES,
        "per_market": section["per_market"],
        "account": section["account"],
        "risk": {
            "transitions": outcome.risk_transitions,
            "denials_by_reason": outcome.risk_denials,
            "budget_refusals_by_reason": outcome.budget_refusals,
            "ruined_at": iso(outcome.ruined_at) if outcome.ruined_at is not None else None,
        },
        "equity_curve": [
            {"time": p["time"], "timestamp": p["timestamp"], "equity": p["equity"], "buy_and_hold": float(h)}
            for p, h in zip(section["equity_curve"], hold_curve, strict=True)
        ],
        "ledger": section,
        "executors": outcome.executors,
        "hummingbot_summary": outcome.hummingbot_summary,
    }
    return dict(_clean(document))


def write_json(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, allow_nan=False))


def format_summary(document: dict[str, Any]) -> str:
    """The headline table: the strategy (the account) next to buy-and-hold, then risk and budget lines."""
    period = document["period"]
    head = (
        f"backtest of {document['config'].get('id', '')} on {Path(document['data_file']).name}  "
        f"{period['first_bar']} → {period['last_bar']}  fee {document['fee']:g}  "
        f"capital {document['capital']:g}  sizing {document['sizing']}"
    )
    hold = {
        "return_pct": document["buy_and_hold_return_pct"],
        "net_pnl_quote": document["buy_and_hold_net_pnl_quote"],
        "sharpe_daily_annualized": document["buy_and_hold_sharpe_daily_annualized"],
        "max_drawdown_pct": document["buy_and_hold_max_drawdown_pct"],
        "trades": 0,
        "exposure_time_pct": 100.0,
    }
    lines = [
        head,
        format_table(
            [("strategy", document["account"]), ("buy & hold", hold)], document["ledger"]["quote_asset"]
        ),
    ]
    risk = document["risk"]
    for t in risk["transitions"]:
        lines.append(
            f"risk: {iso(t['timestamp'])} {t['scope']} {t['from_state']} -> {t['to_state']} "
            f"({t['reason_code']}: {t['text']})"
        )
    if risk["budget_refusals_by_reason"]:
        lines.append(f"budget: orders refused {risk['budget_refusals_by_reason']}")
    if risk["ruined_at"]:
        lines.append(f"RUIN: from {risk['ruined_at']} the account could not fund any order; trading stopped")
    if document["account"]["n_fills"] == 0:
        lines.append("no trade was made in this period (zero-trade report)")
    return "\n".join(lines)
