"""Settings of a control channel: topics, freshness windows, limits, signing and replay state."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hummingbot_plugin.mqtt.blend import PredictionMode

__all__ = [
    "ControlChannelSettings",
    "ack_topic",
    "override_topic",
    "prediction_topic",
    "status_topic",
]

_TOPIC_PREFIX = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.:-]+$")


def _segment(value: str, what: str) -> str:
    if not _SEGMENT.match(value):
        raise ValueError(f"{what} {value!r} cannot be used in an MQTT topic (letters, digits, _ . : - only)")
    return value


def prediction_topic(prefix: str, trading_pair: str) -> str:
    """Upstream's AI-livestream topic: ``<prefix>/<pair lower, '-'→'_'>/ML_SIGNALS``."""
    return f"{prefix}/{_segment(trading_pair.replace('-', '_').lower(), 'trading pair')}/ML_SIGNALS"


def override_topic(prefix: str, controller_id: str) -> str:
    return f"{prefix}/{_segment(controller_id, 'controller id')}/override"


def ack_topic(prefix: str, controller_id: str) -> str:
    return f"{prefix}/{_segment(controller_id, 'controller id')}/ack"


def status_topic(prefix: str, controller_id: str) -> str:
    return f"{prefix}/{_segment(controller_id, 'controller id')}/status"


class ControlChannelSettings(BaseModel):
    """Everything a :class:`ChannelCore` needs besides the controller config and the clock."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prediction_topic_prefix: str = Field(
        default="hbot/predictions", description="upstream AI-livestream prefix"
    )
    control_topic_prefix: str = Field(default="hbot/control", description="<prefix>/<controller_id>/override")
    subscribe_predictions: bool = True
    prediction_mode: PredictionMode = PredictionMode.BLEND
    external_weight: float = Field(
        default=0.5, ge=0.0, le=1.0, description="BLEND weight of the external view"
    )
    max_signal_age: float = Field(
        default=60.0, gt=0.0, le=86_400.0, description="seconds a prediction is usable"
    )
    max_override_age: float = Field(
        default=30.0, gt=0.0, le=3_600.0, description="oldest issued_at accepted (s)"
    )
    max_clock_skew: float = Field(default=5.0, ge=0.0, le=300.0, description="newest issued_at accepted (s)")
    max_message_bytes: int = Field(default=4096, ge=256, le=1_048_576)
    override_mailbox: int = Field(default=8, ge=1, le=1024, description="override messages kept per tick")
    require_signed_overrides: bool = True
    require_signed_predictions: bool = False
    keyring_file: Path | None = Field(default=None, description='JSON {"key_id": "hex"}; else $HBP_MQTT_KEYS')
    replay_state_dir: Path | None = Field(default=Path("data/mqtt"), description="None keeps state in memory")
    replay_capacity: int = Field(default=10_000, ge=16, le=1_000_000)
    replay_fsync: bool = Field(
        default=True, description="fsync replay state (survives power loss; ~ms/override)"
    )
    drop_prediction_on_disconnect: bool = True
    operator_key_ids: tuple[str, ...] = Field(
        default=(),
        description="operator-role key ids: only they may loosen risk limits or capital (loosen: true)",
    )
    command_mailbox: int = Field(
        default=64, ge=1, le=1024, description="signed commands kept per tick (never evicted by data)"
    )

    @field_validator("prediction_topic_prefix", "control_topic_prefix")
    @classmethod
    def _plain_prefix(cls, value: str) -> str:
        if not _TOPIC_PREFIX.match(value):
            raise ValueError(f"topic prefix {value!r} must be plain segments (no wildcards, no leading '/')")
        return value

    def replay_state_file(self, controller_id: str) -> Path | None:
        if self.replay_state_dir is None:
            return None
        return self.replay_state_dir / f"replay_{_segment(controller_id, 'controller id')}.json"
