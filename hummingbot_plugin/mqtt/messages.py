"""Wire schemas of the MQTT control channel, validated at the edge (``extra="forbid"``, finite, ranged).

* Predictions keep upstream's AI-livestream format on ``<prefix>/<pair>/ML_SIGNALS``:
  ``{"probabilities": [short, neutral, long], "target_pct": x, "timestamp": t}`` plus optional
  ``key_id``/``signature`` when signing is enabled.
* Overrides: ``{"msg_id", "issued_at", "controller_id", "changes": {field: value}, "key_id", "signature"}``.
* Acks: :class:`OverrideAck`, published on the reply topic.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

__all__ = [
    "MSG_ID_PATTERN",
    "MS_TIMESTAMP_THRESHOLD",
    "PROBABILITY_SUM_TOLERANCE",
    "ExternalPrediction",
    "OverrideAck",
    "OverrideRequest",
    "PredictionWire",
    "epoch_seconds",
]

PROBABILITY_SUM_TOLERANCE = 1e-3
# Upstream publishers send epoch seconds; values above this are taken as epoch milliseconds.
MS_TIMESTAMP_THRESHOLD = 1e11

_Probability = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
_EpochTime = Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)]
_KeyId = Annotated[str, Field(strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
_Signature = Annotated[str, Field(strict=True, pattern=r"^[0-9a-f]{64}$")]
#: Identifiers that may be logged: checked before any use.
MSG_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"


def epoch_seconds(value: float) -> float:
    """Normalise an epoch timestamp given in seconds or milliseconds to seconds."""
    return value / 1000.0 if value > MS_TIMESTAMP_THRESHOLD else value


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PredictionWire(_Wire):
    """A prediction exactly as published on ``.../ML_SIGNALS``."""

    probabilities: tuple[_Probability, _Probability, _Probability]
    target_pct: Annotated[float, Field(strict=True, gt=0.0, le=0.5, allow_inf_nan=False)]
    timestamp: _EpochTime
    key_id: _KeyId | None = None
    signature: _Signature | None = None

    @field_validator("probabilities")
    @classmethod
    def _sums_to_one(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        total = math.fsum(value)
        if abs(total - 1.0) > PROBABILITY_SUM_TOLERANCE:
            raise ValueError(f"probabilities must sum to 1 (got {total:.6f})")
        return value


class ExternalPrediction(BaseModel):
    """A validated external prediction for one trading pair (timestamps in epoch seconds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trading_pair: str
    topic: str
    short: float = Field(ge=0.0, le=1.0)
    neutral: float = Field(ge=0.0, le=1.0)
    long: float = Field(ge=0.0, le=1.0)
    target_pct: float = Field(gt=0.0, le=0.5)
    timestamp: float = Field(gt=0.0, description="when the publisher made it (epoch s)")
    received_at: float = Field(description="channel clock when it was accepted (epoch s)")
    signed_by: str | None = None

    @property
    def probabilities(self) -> tuple[float, float, float]:
        """``(short, neutral, long)``, upstream's order."""
        return (self.short, self.neutral, self.long)

    def age(self, now: float) -> float:
        """Seconds since the publisher made it."""
        return now - self.timestamp

    def is_fresh(self, now: float, max_age: float) -> bool:
        return self.age(now) <= max_age


class OverrideRequest(_Wire):
    """A request to change updatable fields of one controller's config."""

    msg_id: Annotated[str, Field(strict=True, min_length=1, max_length=64, pattern=MSG_ID_PATTERN)]
    issued_at: _EpochTime
    controller_id: Annotated[
        str, Field(strict=True, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    ]
    changes: Annotated[dict[str, JsonValue], Field(min_length=1, max_length=32)]
    loosen: Annotated[bool, Field(strict=True)] = Field(
        default=False, description="consent to loosen a risk limit or capital (operator keys only)"
    )
    key_id: _KeyId | None = None
    signature: _Signature | None = None


class OverrideAck(BaseModel):
    """The answer to one override message, published on the controller's ack topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    controller_id: str
    msg_id: str | None
    accepted: bool
    reason: str = Field(description="'accepted' or a RejectionReason value")
    detail: str = ""
    applied: dict[str, Any] = Field(default_factory=dict)
    changed: dict[str, list[Any]] = Field(
        default_factory=dict, description='every field that changed: {"risk.max_leverage": [old, new]}'
    )
    loosened: list[str] = Field(default_factory=list, description="changed fields that loosen protection")
    at: float
