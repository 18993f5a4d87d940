"""Audit records of the guard's decisions and transitions."""

from __future__ import annotations

from hummingbot_plugin.audit.records import DecisionRecord, RiskTransitionRecord
from hummingbot_plugin.risk.models import Decision, ExecutorRequest, Transition

__all__ = ["FIGURE_FIELDS", "decision_record", "transition_record"]

#: Figures an equity limit acted on (``hummingbot_plugin.risk.equity.equity_figures``), copied to the record.
FIGURE_FIELDS = (
    "equity_quote",
    "high_water_mark_quote",
    "drawdown_quote",
    "drawdown_pct",
    "capital_quote",
    "day_start_equity_quote",
)


def transition_record(t: Transition) -> RiskTransitionRecord:
    """The audit record of a transition, with the equity, high-water mark and drawdown it acted on."""
    record = RiskTransitionRecord(
        ts=t.at,
        source=t.scope,
        scope=t.scope,
        from_state=t.from_state.value,
        to_state=t.to_state.value,
        reason_code=t.reason.value,
        reason_text=t.text,
    )
    figures = {name: t.extra[name] for name in FIGURE_FIELDS if name in t.extra}
    return record.model_copy(update=figures) if figures else record


def decision_record(scope: str, request: ExecutorRequest, decision: Decision, now: float) -> DecisionRecord:
    return DecisionRecord(
        ts=now,
        source=scope,
        allowed=decision.allowed,
        reason_code=decision.reason.value if decision.reason else None,
        detail=decision.detail,
        executor_id=request.executor_id,
        connector_name=request.connector_name,
        trading_pair=request.trading_pair,
        side=request.side.value,
        amount_base=str(request.amount_base),
        price=str(request.price),
    )
