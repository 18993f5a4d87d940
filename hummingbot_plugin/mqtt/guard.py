"""Message-layer protection: every external message passes here before anything uses it.

Order for overrides: retained flag → byte cap → strict parse → schema → signature → time window →
replay → target → retained-by-age (issued before our subscription). Predictions: byte cap → parse →
schema → signature (if required) → time window → per-topic monotonic timestamp (replay).
Failures come back as :class:`Rejection` values; nothing here raises into the caller.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.mqtt.decoding import DecodeFailure, check_parsed, decode_bytes
from hummingbot_plugin.mqtt.mailbox import Inbound
from hummingbot_plugin.mqtt.messages import (
    MSG_ID_PATTERN,
    ExternalPrediction,
    OverrideRequest,
    PredictionWire,
    epoch_seconds,
)
from hummingbot_plugin.mqtt.priority import is_command_change
from hummingbot_plugin.mqtt.rejections import Rejection, RejectionReason
from hummingbot_plugin.mqtt.settings import ControlChannelSettings
from hummingbot_plugin.mqtt.signing import Keyring

__all__ = ["MessageGuard", "safe_msg_id"]

_SAFE_ID = re.compile(MSG_ID_PATTERN)


def safe_msg_id(payload: object) -> str | None:
    """The payload's ``msg_id`` only when it is a valid identifier (charset, length); never raw input."""
    value = payload.get("msg_id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) and _SAFE_ID.fullmatch(value) else None


_RANGE_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_long",
        "too_short",
        "string_too_long",
        "string_too_short",
        "value_error",
    }
)


class MessageGuard:
    """Validates inbound predictions and overrides for one controller."""

    def __init__(
        self, settings: ControlChannelSettings, keyring: Keyring, replay: ReplayStore, controller_id: str
    ) -> None:
        self._settings = settings
        self._keyring = keyring
        self._replay = replay
        self._controller_id = controller_id

    def check_prediction(
        self, message: Inbound, trading_pair: str, now: float
    ) -> ExternalPrediction | Rejection:
        topic = message.topic
        parsed = self._parse(message, PredictionWire)
        if isinstance(parsed, Rejection):
            return parsed
        wire, body = parsed
        signed = self._check_signature(topic, wire, body, self._settings.require_signed_predictions)
        if isinstance(signed, Rejection):
            return signed
        stamp = epoch_seconds(wire.timestamp)
        late = self._check_window(topic, stamp, now, self._settings.max_signal_age, None)
        if late is not None:
            return late
        if stamp <= self._replay.watermark(topic):
            return Rejection(
                RejectionReason.REPLAYED, f"timestamp {stamp} not newer than last accepted", topic
            )
        self._replay.advance_watermark(topic, stamp)
        short, neutral, long = wire.probabilities
        return ExternalPrediction(
            trading_pair=trading_pair,
            topic=topic,
            short=short,
            neutral=neutral,
            long=long,
            target_pct=wire.target_pct,
            timestamp=stamp,
            received_at=now,
            signed_by=signed,
        )

    def check_override(
        self, message: Inbound, now: float, subscribed_since: float
    ) -> OverrideRequest | Rejection:
        """Validate an override; ``subscribed_since`` is when the current subscription became live."""
        topic = message.topic
        if message.retained:
            return Rejection(
                RejectionReason.RETAINED, "retained messages are ignored on override topics", topic
            )
        parsed = self._parse(message, OverrideRequest)
        if isinstance(parsed, Rejection):
            return parsed
        request, body = parsed
        msg_id = request.msg_id
        signed = self._check_signature(topic, request, body, self._settings.require_signed_overrides, msg_id)
        if isinstance(signed, Rejection):
            return signed
        late = self._check_window(topic, request.issued_at, now, self._settings.max_override_age, msg_id)
        if late is not None:
            return late
        if self._replay.is_replay(msg_id, request.issued_at):
            return Rejection(
                RejectionReason.REPLAYED, "msg_id already seen (or older than the floor)", topic, msg_id
            )
        if request.controller_id != self._controller_id:
            detail = f"controller_id {request.controller_id!r} is not {self._controller_id!r}"
            return Rejection(RejectionReason.WRONG_TARGET, detail, topic, msg_id)
        if request.issued_at < subscribed_since:
            detail = f"issued_at {request.issued_at} precedes the subscription ({subscribed_since}): retained"
            return Rejection(RejectionReason.RETAINED, detail, topic, msg_id)
        persisted = self._replay.remember(msg_id, request.issued_at, now)
        if not persisted and not is_command_change(request.changes):
            detail = f"anti-replay state not writable ({self._replay.write_error}); only commands accepted"
            return Rejection(RejectionReason.STATE_UNWRITABLE, detail, topic, msg_id)
        return request

    def _parse[M: BaseModel](self, message: Inbound, model: type[M]) -> tuple[M, dict[str, Any]] | Rejection:
        limit = self._settings.max_message_bytes
        try:
            if isinstance(message.payload, (bytes, bytearray)):
                payload = decode_bytes(bytes(message.payload), limit)
            else:
                payload = check_parsed(message.payload, limit)
        except DecodeFailure as failure:
            return Rejection(failure.reason, failure.detail, message.topic, None)
        try:
            return model.model_validate(payload), payload
        except ValidationError as exc:
            reason, detail = _schema_reason(exc)
            raw_id = payload.get("msg_id")
            if raw_id is not None and safe_msg_id(payload) is None:
                detail += f" (unsafe msg_id {str(raw_id)[:80]})"  # logged escaped by describe(), never used
            return Rejection(reason, detail, message.topic, safe_msg_id(payload))

    def _check_signature(
        self,
        topic: str,
        wire: PredictionWire | OverrideRequest,
        body: dict[str, Any],
        required: bool,
        msg_id: str | None = None,
    ) -> str | Rejection | None:
        """The key id that signed it, None when unsigned and allowed, or a rejection."""
        if wire.signature is None or wire.key_id is None:
            if required or wire.signature is not None:
                return Rejection(RejectionReason.UNSIGNED, "signature and key_id are required", topic, msg_id)
            return None
        if self._keyring.secret(wire.key_id) is None:
            return Rejection(
                RejectionReason.UNKNOWN_KEY, f"key_id {wire.key_id!r} not in keyring", topic, msg_id
            )
        if not self._keyring.verify(topic, body, wire.key_id, wire.signature):
            return Rejection(
                RejectionReason.BAD_SIGNATURE, "HMAC does not match the canonical body", topic, msg_id
            )
        return wire.key_id

    def _check_window(
        self, topic: str, stamp: float, now: float, max_age: float, msg_id: str | None
    ) -> Rejection | None:
        if stamp < now - max_age:
            return Rejection(
                RejectionReason.STALE, f"issued {now - stamp:.3f}s ago > {max_age}s", topic, msg_id
            )
        if stamp > now + self._settings.max_clock_skew:
            detail = f"issued {stamp - now:.3f}s in the future > skew {self._settings.max_clock_skew}s"
            return Rejection(RejectionReason.FUTURE, detail, topic, msg_id)
        return None


def _schema_reason(exc: ValidationError) -> tuple[RejectionReason, str]:
    error = exc.errors()[0]
    where = ".".join(str(loc) for loc in error["loc"]) or "message"
    detail = f"{where}: {error['msg']}"
    if error["type"] == "extra_forbidden":
        return RejectionReason.UNKNOWN_FIELD, detail
    if error["type"] == "finite_number":
        return RejectionReason.NON_FINITE, detail
    if error["type"] in _RANGE_ERRORS:
        return RejectionReason.OUT_OF_RANGE, detail
    return RejectionReason.SCHEMA, detail
