"""Global risk layer for the guarded V2 script: one guard across controllers and exchanges.

* :class:`GlobalRiskGate` reviews every ``CreateExecutorAction`` at the orchestrator (after the
  controller's own gate) against TOTAL exposure, and on HALTED stops every running executor.
* :class:`RiskCommandBridge` receives authenticated kill-switch / reset commands over Hummingbot's MQTT
  bridge and acknowledges each one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)

from hummingbot_plugin.audit.log import AuditSink
from hummingbot_plugin.hb.risk_gate import RiskGate, limits_of
from hummingbot_plugin.hb.risk_snapshot import (
    BookClock,
    build_snapshot,
    is_running,
    market_of,
    request_from_action,
)
from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.mqtt.mailbox import LatestMailbox
from hummingbot_plugin.mqtt.priority import signed_command_classifier
from hummingbot_plugin.mqtt.rejections import escaped
from hummingbot_plugin.mqtt.signing import load_keyring
from hummingbot_plugin.prometheus import PluginMetrics
from hummingbot_plugin.risk import (
    DenialReason,
    JsonStateStore,
    PortfolioSnapshot,
    RiskGuard,
    RiskLimits,
    RiskState,
)
from hummingbot_plugin.risk.aggregate import merge_snapshots
from hummingbot_plugin.risk.alarms import ALARMS, ANY_SCOPE
from hummingbot_plugin.risk.commands import (
    MAX_COMMAND_BYTES,
    RiskCommand,
    RiskCommandProcessor,
    command_topics,
)
from hummingbot_plugin.risk.store import traded_in_audit

__all__ = ["GlobalRiskGate", "RiskCommandBridge", "apply_command", "audit_alarm", "gate_for"]

_LOG = logging.getLogger("hummingbot_plugin.risk")


def audit_alarm(error: str | None) -> None:
    """``AuditLog(on_failure=...)``: the log failed (text) or recovered (None); every guard halts on it."""
    if error is not None:
        ALARMS.raise_alarm(ANY_SCOPE, "audit_log", DenialReason.PERSIST_FAILED, error)
    else:
        ALARMS.clear(ANY_SCOPE, "audit_log")


def gate_for(
    controller: Any, state_dir: Path, audit: AuditSink, audit_dir: Path, metrics: PluginMetrics | None
) -> RiskGate:
    """A controller's gate whose state file, if missing while the audit shows trades, starts HALTED."""
    scope = str(controller.config.id)
    store = JsonStateStore(state_dir / f"{scope}.json", traded=lambda: traded_in_audit(audit_dir))
    guard = RiskGuard(limits_of(controller.config), store, audit, scope=scope)
    return RiskGate(guard, audit, metrics=metrics)


class GlobalRiskGate:
    """The portfolio-wide guard; installed around ``ExecutorOrchestrator.execute_action``."""

    def __init__(
        self, limits: RiskLimits, state_dir: Path, audit: AuditSink | None, audit_dir: Path | None = None
    ) -> None:
        traded = (lambda: traded_in_audit(audit_dir)) if audit_dir is not None else None
        store = JsonStateStore(state_dir / "global.json", traded=traded)
        self.guard = RiskGuard(limits, store, audit, scope="global")
        self._audit = audit
        self._anchored: object = None
        self.books = BookClock()
        self.snapshot: PortfolioSnapshot | None = None
        self.now = 0.0
        self._stopped: set[str] = set()

    def capital(self, controllers: dict[str, Any]) -> Decimal:
        configured = self.guard.limits.capital_quote
        total = sum(
            (Decimal(str(getattr(c.config, "total_amount_quote", 0))) for c in controllers.values()),
            Decimal(0),
        )
        return configured or total or Decimal(1)

    def observe(self, controllers: dict[str, Any], now: float) -> None:
        """Merge every controller's snapshot; escalate the global state; propagate a halt to controllers."""
        self.now = now
        capital = self.capital(controllers)
        parts = [
            build_snapshot(c, self.books, Decimal(str(getattr(c.config, "total_amount_quote", 1))), now)
            for c in controllers.values()
        ]
        self.snapshot = merge_snapshots(parts, capital)
        self.guard.observe(self.snapshot, now)
        self._anchor_audit_head()
        if self.guard.state is RiskState.HALTED:
            for controller in controllers.values():
                gate = getattr(controller, "risk_gate", None)
                if isinstance(gate, RiskGate):
                    gate.guard.halt(f"global: {self.guard.status.reason_text}", now)

    def _anchor_audit_head(self) -> None:
        """Record the audit chain's signed head in the global state file when it moved (once per tick)."""
        head = getattr(self._audit, "signed_head", None)
        current = head() if callable(head) else None
        if current is not None and current != self._anchored:
            self.guard.save_now()
            self._anchored = current

    def allow(self, action: CreateExecutorAction) -> bool:
        if self.snapshot is None:
            return False  # nothing observed yet: fail closed
        market = market_of(action.executor_config)
        pair = self.snapshot.pair(*market) if market else None
        request = request_from_action(action, pair.mid_price if pair else None)
        return request is not None and self.guard.review(request, self.snapshot, self.now).allowed

    def halt_stops(self, controllers: dict[str, Any]) -> list[StopExecutorAction]:
        """Stops for every running executor while the global guard is HALTED (each sent once)."""
        if self.guard.state is not RiskState.HALTED:
            return []
        keep = not self.guard.limits.close_positions_on_halt
        stops = [
            StopExecutorAction(controller_id=cid, executor_id=e.id, keep_position=keep)
            for cid, c in controllers.items()
            for e in (c.executors_info or [])
            if is_running(e) and e.id not in self._stopped
        ]
        self._stopped.update(s.executor_id for s in stops)
        return stops

    def wrap(self, execute: Callable[[ExecutorAction], None]) -> Callable[[ExecutorAction], None]:
        def guarded_execute(action: ExecutorAction) -> None:
            if isinstance(action, CreateExecutorAction) and not self.allow(action):
                return
            execute(action)

        return guarded_execute


def apply_command(
    command: RiskCommand, global_gate: GlobalRiskGate, controllers: dict[str, Any], now: float
) -> None:
    """Apply an authenticated command to the global guard or one controller's guard."""
    guards = (
        [global_gate.guard] if command.scope == "global" else [controllers[command.scope].risk_gate.guard]
    )
    if command.command == "reset" and command.scope == "global":
        guards += [
            c.risk_gate.guard
            for c in controllers.values()
            if isinstance(getattr(c, "risk_gate", None), RiskGate)
        ]
    for guard in guards:
        text = f"{command.command} by {command.operator}: {command.reason}"
        if command.command == "kill_switch":
            guard.halt(text, now)
        elif command.command == "reduce":
            guard.reduce(text, now)
        else:
            guard.reset(now, operator=command.operator)


class RiskCommandBridge:
    """Authenticated risk commands over Hummingbot's MQTT bridge, each acknowledged on the ack topic."""

    def __init__(
        self,
        prefix: str,
        keyring_file: str | None,
        replay_path: Path | None,
        now: float,
        audit: AuditSink | None,
        transport: Any = None,
        max_age: float = 30.0,
    ) -> None:
        from hummingbot_plugin.hb.control_channel import BridgeTransport

        self.command_topic, self.ack_topic = command_topics(prefix)
        self.replay = ReplayStore(replay_path, capacity=10_000, horizon=3600.0, now=now)
        keyring = load_keyring(keyring_file)
        self.processor = RiskCommandProcessor(keyring, self.replay, max_age=max_age, audit=audit)
        self.transport = transport or BridgeTransport()
        # Signed commands go to a lane a flood of unsigned messages cannot evict.
        classify = signed_command_classifier(keyring, MAX_COMMAND_BYTES, override=False)
        self._inbox = LatestMailbox({self.command_topic: 64}, priority=classify)
        self._handle: object | None = None

    def poll(self, global_gate: GlobalRiskGate, controllers: dict[str, Any], now: float) -> int:
        """Subscribe when the bridge exists; process queued commands; return how many were accepted."""
        if self._handle is None and self.transport.available():
            self._handle = self.transport.subscribe(self.command_topic, self._inbox.put)
        accepted = 0
        drain = self._inbox.drain()
        for message in drain.messages:
            outcome = self.processor.handle(message.topic, message.payload, now, set(controllers))
            if outcome.command is not None:
                apply_command(outcome.command, global_gate, controllers, now)
                accepted += 1
            _LOG.warning(
                'risk command msg_id="%s" reason=%s detail="%s"',
                escaped(outcome.ack.msg_id),
                outcome.ack.reason,
                escaped(outcome.ack.detail),
            )
            self.transport.publish(self.ack_topic, outcome.ack.payload())
        if drain.dropped:
            _LOG.warning("risk command channel: %d unsigned message(s) dropped", sum(drain.dropped.values()))
        self._check_replay_state()
        return accepted

    def _check_replay_state(self) -> None:
        """Retry the anti-replay write; while it fails the global guard is held HALTED."""
        self.replay.flush()
        error = self.replay.write_error
        if error is not None:
            ALARMS.raise_alarm("global", "risk_command_replay", DenialReason.PERSIST_FAILED, error)
        else:
            ALARMS.clear("global", "risk_command_replay")

    def stop(self) -> None:
        if self._handle is not None:
            self.transport.unsubscribe(self._handle)
            self._handle = None
