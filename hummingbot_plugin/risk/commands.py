"""Authenticated kill-switch / reset commands (transport-agnostic; MQTT delivers them).

A command is accepted only if it parses strictly, is HMAC-signed by a key in the keyring (the same
scheme as the MQTT control channel), is fresh, and was not seen before. Every outcome, accepted or
not, produces an acknowledgement and an :class:`~hummingbot_plugin.audit.records.OverrideRecord`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hummingbot_plugin.audit.log import AuditSink
from hummingbot_plugin.audit.records import OverrideRecord
from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.mqtt.guard import safe_msg_id
from hummingbot_plugin.mqtt.messages import MSG_ID_PATTERN
from hummingbot_plugin.mqtt.signing import Keyring

__all__ = ["CommandAck", "CommandOutcome", "RiskCommand", "RiskCommandProcessor", "command_topics"]

MAX_COMMAND_BYTES = 2048


def command_topics(prefix: str) -> tuple[str, str]:
    """(command topic, ack topic); deploy/mosquitto/acl lets the bot read the first and write the second."""
    return f"{prefix}/risk/command", f"{prefix}/risk/ack"


class RiskCommand(BaseModel):
    """Wire format of a risk command."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    msg_id: str = Field(min_length=1, max_length=64, pattern=MSG_ID_PATTERN)
    issued_at: float = Field(allow_inf_nan=False)
    command: Literal["kill_switch", "reset", "reduce"]
    scope: str = Field(
        min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description='"global" or a controller id'
    )
    reason: str = Field(default="", max_length=500)
    operator: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")
    key_id: str = Field(min_length=1)
    signature: str = Field(min_length=64, max_length=64)


@dataclass(frozen=True)
class CommandAck:
    msg_id: str
    accepted: bool
    reason: str
    detail: str
    at: float

    def payload(self) -> dict[str, Any]:
        return {
            "msg_id": self.msg_id,
            "accepted": self.accepted,
            "reason": self.reason,
            "detail": self.detail,
            "at": self.at,
        }


@dataclass(frozen=True)
class CommandOutcome:
    command: RiskCommand | None
    ack: CommandAck


class RiskCommandProcessor:
    """Validates inbound risk commands; the caller applies accepted ones to the guards."""

    def __init__(
        self,
        keyring: Keyring,
        replay: ReplayStore,
        *,
        max_age: float = 30.0,
        max_skew: float = 5.0,
        audit: AuditSink | None = None,
    ) -> None:
        self._keyring = keyring
        self._replay = replay
        self._max_age = max_age
        self._max_skew = max_skew
        self._audit = audit

    def handle(self, topic: str, payload: Any, now: float, known_scopes: set[str]) -> CommandOutcome:
        raw = json.dumps(payload, sort_keys=True, default=str).encode()
        outcome = self._check(topic, payload, raw, now, known_scopes)
        if self._audit is not None:
            command = outcome.command
            self._audit.append(
                OverrideRecord(
                    ts=now,
                    source="risk_commands",
                    accepted=outcome.ack.accepted,
                    command=command.command if command else "unparsed",
                    reason=f"{outcome.ack.reason}: {outcome.ack.detail}",
                    sender=command.operator if command else "",
                    payload_sha256=hashlib.sha256(raw).hexdigest(),
                )
            )
        return outcome

    def _check(self, topic: str, payload: Any, raw: bytes, now: float, scopes: set[str]) -> CommandOutcome:
        msg_id = safe_msg_id(payload) or ""  # never echo an unvalidated id into a log or an ack
        if len(raw) > MAX_COMMAND_BYTES:
            return _reject(msg_id, "oversized", f"{len(raw)} bytes > {MAX_COMMAND_BYTES}", now)
        try:
            command = RiskCommand.model_validate(payload)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "message"
            return _reject(msg_id, "schema", f"{where}: {error['msg']}", now)
        body = {k: v for k, v in dict(payload).items() if k != "signature"}
        if not self._keyring.verify(topic, body, command.key_id, command.signature):
            return _reject(command.msg_id, "bad_signature", "HMAC does not verify with a known key", now)
        if command.issued_at < now - self._max_age or command.issued_at > now + self._max_skew:
            return _reject(command.msg_id, "stale", f"issued_at {command.issued_at} outside the window", now)
        if self._replay.is_replay(command.msg_id, command.issued_at):
            return _reject(command.msg_id, "replayed", "msg_id already seen", now)
        persisted = self._replay.remember(command.msg_id, command.issued_at, now)
        if not persisted and command.command == "reset":
            detail = f"anti-replay state not writable ({self._replay.write_error}); reset refused"
            return _reject(command.msg_id, "state_unwritable", detail, now)
        if command.scope != "global" and command.scope not in scopes:
            return _reject(command.msg_id, "wrong_target", f"unknown scope {command.scope!r}", now)
        ack = CommandAck(command.msg_id, True, "accepted", f"{command.command} {command.scope}", now)
        return CommandOutcome(command, ack)


def _reject(msg_id: str, reason: str, detail: str, now: float) -> CommandOutcome:
    return CommandOutcome(None, CommandAck(msg_id, False, reason, detail, now))
