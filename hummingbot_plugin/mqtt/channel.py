"""ChannelCore: the transport-agnostic control channel a controller polls once per tick.

It subscribes when the transport appears, drains the bounded mailbox, runs every message through the
:class:`MessageGuard`, applies accepted overrides by rebuilding the config with its own class, acks
each override, and hands back the latest fresh prediction. Nothing in :meth:`poll` raises on bad input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from hummingbot_plugin.audit import AuditSink
from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.mqtt.guard import MessageGuard
from hummingbot_plugin.mqtt.mailbox import Inbound, LatestMailbox
from hummingbot_plugin.mqtt.messages import ExternalPrediction, OverrideAck, OverrideRequest
from hummingbot_plugin.mqtt.override_audit import OverrideAuditor
from hummingbot_plugin.mqtt.overrides import build_overridden_config, merge_changes
from hummingbot_plugin.mqtt.priority import signed_command_classifier
from hummingbot_plugin.mqtt.rejections import Rejection, RejectionLedger, RejectionReason, escaped
from hummingbot_plugin.mqtt.settings import (
    ControlChannelSettings,
    ack_topic,
    override_topic,
    prediction_topic,
    status_topic,
)
from hummingbot_plugin.mqtt.signing import Keyring
from hummingbot_plugin.risk.alarms import ALARMS
from hummingbot_plugin.risk.models import DenialReason

__all__ = ["ChannelCore", "ChannelCounters", "ChannelUpdate", "Transport"]


class Transport(Protocol):
    """What the channel needs from an MQTT client (Hummingbot's bridge in production)."""

    def available(self) -> bool:
        """True when the client exists and subscriptions can be registered."""

    def connection_id(self) -> int:
        """0 while disconnected, a new positive value per (re)connect, -1 if subscriptions were lost."""

    def subscribe(self, topic: str, on_message: Callable[[Inbound], None]) -> object:
        """Register ``on_message`` for ``topic``; returns a handle for :meth:`unsubscribe`."""

    def unsubscribe(self, handle: object) -> None: ...

    def publish(self, topic: str, payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class ChannelCounters:
    received: int
    predictions_accepted: int
    overrides_accepted: int
    rejected: dict[str, int]
    predictions_expired: int

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass(frozen=True, slots=True)
class ChannelUpdate:
    """Result of one :meth:`ChannelCore.poll`."""

    prediction: ExternalPrediction | None
    new_config: BaseModel | None
    applied: list[OverrideAck]
    counters: ChannelCounters
    subscribed: bool
    connected: bool
    rejections: list[Rejection] = field(default_factory=list)
    persist_error: str | None = None


class ChannelCore:
    """One controller's MQTT control channel over any :class:`Transport`."""

    def __init__(
        self,
        config: BaseModel,
        settings: ControlChannelSettings,
        transport: Transport,
        *,
        now: float,
        keyring: Keyring | None = None,
        logger: logging.Logger | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self._config = config
        self._settings = settings
        self._transport = transport
        self._logger = logger or logging.getLogger(__name__)
        self.controller_id = str(getattr(config, "id", "") or "")
        pair = getattr(config, "trading_pair", None) if settings.subscribe_predictions else None
        self.trading_pair: str | None = str(pair) if pair else None
        self.prediction_topic = prediction_topic(settings.prediction_topic_prefix, pair) if pair else None
        self.override_topic = override_topic(settings.control_topic_prefix, self.controller_id)
        self.ack_topic = ack_topic(settings.control_topic_prefix, self.controller_id)
        self.status_topic = status_topic(settings.control_topic_prefix, self.controller_id)
        capacities = {self.override_topic: settings.override_mailbox}
        if self.prediction_topic:
            capacities[self.prediction_topic] = 1
        keys = keyring or Keyring({})
        self._mailbox = LatestMailbox(
            capacities,
            priority=signed_command_classifier(keys, settings.max_message_bytes),
            command_capacity=settings.command_mailbox,
        )
        self._ledger = RejectionLedger(self._logger)
        self._audit = audit
        self._auditor = OverrideAuditor(audit, self._logger)
        horizon = settings.max_override_age + settings.max_clock_skew
        self._replay = ReplayStore(
            settings.replay_state_file(self.controller_id),
            capacity=settings.replay_capacity,
            horizon=horizon,
            now=now,
            fsync=settings.replay_fsync,
        )
        self._guard = MessageGuard(settings, keys, self._replay, self.controller_id)
        self._handles: list[object] = []
        self._subscribed_since = float("inf")
        self._connection = 0
        self._prediction: ExternalPrediction | None = None
        self._overlay: dict[str, Any] = {}
        self._accepted = {"predictions": 0, "overrides": 0, "expired": 0}

    @property
    def subscribed(self) -> bool:
        return bool(self._handles)

    def poll(self, now: float, current_config: BaseModel | None = None) -> ChannelUpdate:
        """Subscribe if possible, process what arrived since the last poll, return what to use now."""
        if current_config is not None:
            self._config = current_config
        self._track_connection(now)
        drain = self._mailbox.drain()
        for topic, dropped in drain.dropped.items():
            self._ledger.add_drops(RejectionReason.MAILBOX_OVERFLOW, dropped, topic)
        rejections: list[Rejection] = []
        acks: list[OverrideAck] = []
        new_config: BaseModel | None = None
        for message in drain.messages:
            if message.topic == self.override_topic:
                applied = self._handle_override(message, now, rejections)
                if applied is not None:
                    new_config, ack = applied
                    acks.append(ack)
            else:
                self._handle_prediction(message, now, rejections)
        self._replay.flush()  # also the retry of a failed write
        self._raise_alarms()
        return ChannelUpdate(
            prediction=self._fresh_prediction(now),
            new_config=new_config,
            applied=acks,
            counters=self.counters(),
            subscribed=self.subscribed,
            connected=self._connection != 0,
            rejections=rejections,
            persist_error=self._replay.write_error,
        )

    def _raise_alarms(self) -> None:
        """Kill switch set, or anti-replay state unwritable: the guard of this controller halts this tick."""
        scope = self.controller_id
        if bool(getattr(self._config, "manual_kill_switch", False)):
            ALARMS.raise_alarm(scope, "manual_kill_switch", DenialReason.KILL_SWITCH, "set by an override")
        else:
            ALARMS.clear(scope, "manual_kill_switch")
        error = self._replay.write_error
        if error is not None:
            ALARMS.raise_alarm(scope, "mqtt_replay_state", DenialReason.PERSIST_FAILED, error)
        else:
            ALARMS.clear(scope, "mqtt_replay_state")

    def overlay(self, config: BaseModel) -> BaseModel:
        """``config`` with every override accepted so far re-applied (use when Hummingbot reloads configs)."""
        if not self._overlay:
            return config
        outcome = build_overridden_config(config, self._overlay)
        return outcome.config if outcome.config is not None else config

    def counters(self) -> ChannelCounters:
        return ChannelCounters(
            received=self._mailbox.received,
            predictions_accepted=self._accepted["predictions"],
            overrides_accepted=self._accepted["overrides"],
            rejected={reason.value: n for reason, n in self._ledger.snapshot().items()},
            predictions_expired=self._accepted["expired"],
        )

    def publish_status(self, now: float) -> None:
        """Publish counters and connection state on the status topic."""
        counters = self.counters()
        prediction = self._fresh_prediction(now)
        self._transport.publish(
            self.status_topic,
            {
                "controller_id": self.controller_id,
                "at": now,
                "subscribed": self.subscribed,
                "received": counters.received,
                "rejected": counters.rejected,
                "overrides_accepted": counters.overrides_accepted,
                "commands_received": self._mailbox.commands_received,
                "prediction_age": None if prediction is None else prediction.age(now),
                "persist_error": self._replay.write_error,
                "alarms": [f"{a.source}: {a.reason.value}" for a in ALARMS.active(self.controller_id)],
                "audit_head": self._audit_head(),
            },
        )

    def _audit_head(self) -> dict[str, Any] | None:
        head = getattr(self._audit, "signed_head", None)
        return head() if callable(head) else None

    def stop(self) -> None:
        """Remove the subscriptions and persist replay state; safe to call twice."""
        for handle in self._handles:
            self._transport.unsubscribe(handle)
        self._handles.clear()
        self._subscribed_since = float("inf")
        self._replay.flush()

    def _track_connection(self, now: float) -> None:
        connection = self._transport.connection_id() if self._handles else 0
        if connection < 0:  # the transport was replaced (bridge restarted): subscribe again
            self.stop()
        if not self._handles and self._transport.available():
            for topic in filter(None, (self.override_topic, self.prediction_topic)):
                self._handles.append(self._transport.subscribe(topic, self._mailbox.put))
            self._subscribed_since = now
            self._connection = connection = self._transport.connection_id()
            self._logger.info("control channel %s subscribed to %s", self.controller_id, self.override_topic)
        if connection == self._connection:
            return
        if connection != 0:
            self._subscribed_since = now  # new connection: retained copies are re-delivered from here on
        elif self._settings.drop_prediction_on_disconnect:
            self._prediction = None
        self._connection = connection

    def _handle_prediction(self, message: Inbound, now: float, rejections: list[Rejection]) -> None:
        assert self.trading_pair is not None
        result = self._guard.check_prediction(message, self.trading_pair, now)
        if isinstance(result, Rejection):
            self._ledger.record(result)
            rejections.append(result)
            return
        self._prediction = result
        self._accepted["predictions"] += 1

    def _handle_override(
        self, message: Inbound, now: float, rejections: list[Rejection]
    ) -> tuple[BaseModel, OverrideAck] | None:
        result = self._guard.check_override(message, now, self._subscribed_since)
        if isinstance(result, OverrideRequest):
            operator = result.key_id is not None and result.key_id in self._settings.operator_key_ids
            outcome = build_overridden_config(
                self._config, result.changes, allow_loosen=operator and result.loosen
            )
            if outcome.config is not None:
                ack = OverrideAck(
                    controller_id=self.controller_id,
                    msg_id=result.msg_id,
                    accepted=True,
                    reason="accepted",
                    applied=dict(result.changes),
                    changed=outcome.changed or {},
                    loosened=list(outcome.loosened),
                    at=now,
                )
                if self._auditor.record(ack, message.payload, result.key_id):  # audited before applied
                    return self._apply(outcome.config, result, ack)
                result = Rejection(
                    RejectionReason.AUDIT_UNAVAILABLE, "audit log not writable", message.topic, result.msg_id
                )
            else:
                assert outcome.reason is not None
                result = Rejection(outcome.reason, outcome.detail, message.topic, result.msg_id)
        self._ledger.record(result)
        rejections.append(result)
        refusal = OverrideAck(
            controller_id=self.controller_id,
            msg_id=result.msg_id,
            accepted=False,
            reason=result.reason.value,
            detail=result.detail,
            at=now,
        )
        self._auditor.record(refusal, message.payload, None)
        self._ack(refusal)
        return None

    def _apply(
        self, config: BaseModel, request: OverrideRequest, ack: OverrideAck
    ) -> tuple[BaseModel, OverrideAck]:
        self._config = config
        self._overlay = merge_changes(self._overlay, request.changes)
        self._accepted["overrides"] += 1
        self._logger.info(
            'override applied msg_id="%s" controller="%s" changed="%s" loosened="%s"',
            escaped(request.msg_id),
            escaped(self.controller_id),
            escaped(ack.changed),
            escaped(ack.loosened),
        )
        self._ack(ack)
        return config, ack

    def _ack(self, ack: OverrideAck) -> None:
        self._transport.publish(self.ack_topic, ack.model_dump())

    def _fresh_prediction(self, now: float) -> ExternalPrediction | None:
        prediction = self._prediction
        if prediction is not None and not prediction.is_fresh(now, self._settings.max_signal_age):
            self._prediction = None
            self._accepted["expired"] += 1
            return None
        return prediction
