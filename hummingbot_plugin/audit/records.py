"""Typed audit records: one pydantic model per kind of event, tagged by ``type``.

Every record carries ``ts`` (seconds since epoch, taken from the trading clock, never wall time)
and ``source`` (the controller id or component that produced it). Decimal amounts are kept as
strings so the JSON round-trip is exact.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "AuditRecord",
    "DecisionRecord",
    "ExecutorActionRecord",
    "FillRecord",
    "ModelRecord",
    "OrderRecord",
    "OverrideRecord",
    "RecoveryRecord",
    "RiskTransitionRecord",
    "SignalRecord",
    "parse_record",
]


class _RecordBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ts: float = Field(description="event time from the trading clock (epoch seconds)")
    source: str = Field(min_length=1, description="controller id or component that produced the record")


class SignalRecord(_RecordBase):
    """A model produced a trading signal."""

    type: Literal["signal"] = "signal"
    model_id: str
    model_sha256: str
    trading_pair: str
    signal: int = Field(ge=-1, le=1)
    probabilities: dict[str, float] = Field(default_factory=dict)
    inference_ms: float | None = None
    detail: str = ""


class DecisionRecord(_RecordBase):
    """The risk guard allowed or denied a request to create an executor."""

    type: Literal["decision"] = "decision"
    allowed: bool
    reason_code: str | None = None
    detail: str = ""
    executor_id: str = ""
    connector_name: str = ""
    trading_pair: str = ""
    side: str = ""
    amount_base: str = ""
    price: str = ""


class OverrideRecord(_RecordBase):
    """An external (e.g. MQTT) override or command was accepted or rejected."""

    type: Literal["override"] = "override"
    accepted: bool
    command: str
    reason: str = ""
    sender: str = ""
    payload_sha256: str = ""


class RiskTransitionRecord(_RecordBase):
    """The risk state changed (ACTIVE / REDUCING / HALTED)."""

    type: Literal["risk_transition"] = "risk_transition"
    scope: str
    from_state: str
    to_state: str
    reason_code: str
    reason_text: str
    # what an equity limit acted on (decimal strings; None for other reasons)
    equity_quote: str | None = None
    high_water_mark_quote: str | None = None
    drawdown_quote: str | None = None
    drawdown_pct: str | None = None
    capital_quote: str | None = None
    day_start_equity_quote: str | None = None


class ExecutorActionRecord(_RecordBase):
    """An executor action left the risk gate towards the orchestrator."""

    type: Literal["executor_action"] = "executor_action"
    action: Literal["create", "stop", "store"]
    executor_id: str
    controller_id: str
    keep_position: bool | None = None
    detail: str = ""


class OrderRecord(_RecordBase):
    """An order event (created, cancelled, failed, completed)."""

    type: Literal["order"] = "order"
    event: Literal["created", "cancelled", "failed", "completed"]
    order_id: str
    connector_name: str
    trading_pair: str
    side: str = ""
    order_type: str = ""
    amount_base: str = ""
    price: str = ""


class FillRecord(_RecordBase):
    """An order was (partially) filled."""

    type: Literal["fill"] = "fill"
    order_id: str
    connector_name: str
    trading_pair: str
    side: str
    amount_base: str
    price: str
    fee_quote: str = "0"


class ModelRecord(_RecordBase):
    """The model lifecycle: a version loaded, swapped in, refused (kept the current one) or expired."""

    type: Literal["model"] = "model"
    event: Literal["loaded", "swapped", "refused", "expired"]
    trading_pair: str
    model_id: str
    version: str = ""
    model_sha256: str = ""
    previous_model_id: str = ""
    previous_sha256: str = ""
    reason: str = ""


class RecoveryRecord(_RecordBase):
    """The log found and set aside a torn (partially written) tail when it was reopened."""

    type: Literal["recovery"] = "recovery"
    file: str
    torn_bytes: int
    torn_sha256: str
    moved_to: str


AuditRecord = Annotated[
    SignalRecord
    | DecisionRecord
    | OverrideRecord
    | RiskTransitionRecord
    | ExecutorActionRecord
    | OrderRecord
    | FillRecord
    | ModelRecord
    | RecoveryRecord,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[AuditRecord] = TypeAdapter(AuditRecord)


def parse_record(data: object) -> AuditRecord:
    """Validate a decoded JSON object as one of the audit record types."""
    return _ADAPTER.validate_python(data)
