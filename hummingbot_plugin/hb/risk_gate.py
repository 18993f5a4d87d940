"""The ONE pre-trade gate every plugin controller goes through (adapter over :mod:`hummingbot_plugin.risk`).

Controllers inherit :class:`RiskGatedController` (a mixin, first in the bases). It routes every action
list through :meth:`RiskGate.filter_actions` in ``send_actions`` and refuses Hummingbot's direct
``buy()``/``sell()`` helpers, so no order path bypasses the guard.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
    StoreExecutorAction,
)

from hummingbot_plugin.audit.log import AuditSink
from hummingbot_plugin.audit.records import DecisionRecord, ExecutorActionRecord
from hummingbot_plugin.errors import RiskError
from hummingbot_plugin.hb.budget_cap import cap_to_balance
from hummingbot_plugin.hb.risk_snapshot import (
    BookClock,
    build_snapshot,
    is_running,
    market_of,
    request_from_action,
)
from hummingbot_plugin.prometheus import PluginMetrics
from hummingbot_plugin.risk import (
    DenialReason,
    JsonStateStore,
    PortfolioSnapshot,
    RiskGuard,
    RiskLimits,
    RiskState,
)

__all__ = ["GATED_METHODS", "UNGATED_FIX", "RiskGate", "RiskGatedController", "limits_of"]

_LOG = logging.getLogger(__name__)
UNGATED_FIX = (
    "run the controller through scripts/v2_guarded_controllers.py or scripts/v2_plugin_controllers.py, "
    "which give every controller its risk gate"
)

#: Methods a plugin controller must inherit from :class:`RiskGatedController` (checked by a test).
GATED_METHODS = ("control_task", "send_actions", "_create_order")


def limits_of(config: Any) -> RiskLimits:
    """The controller's ``risk`` field, or conservative defaults."""
    limits = getattr(config, "risk", None)
    return limits if isinstance(limits, RiskLimits) else RiskLimits()


class RiskGate:
    """Wraps a controller's proposed actions: reviews creations, adds protective stops, audits."""

    def __init__(
        self,
        guard: RiskGuard,
        audit: AuditSink | None = None,
        books: BookClock | None = None,
        metrics: PluginMetrics | None = None,
    ) -> None:
        self.guard = guard
        self.audit = audit
        self.books = books or BookClock()
        self.metrics = metrics
        self.last_snapshot: PortfolioSnapshot | None = None
        self._stop_sent: set[str] = set()

    @classmethod
    def for_controller(
        cls,
        controller: Any,
        state_dir: Path,
        audit: AuditSink | None = None,
        metrics: PluginMetrics | None = None,
    ) -> RiskGate:
        """A gate on ``<state_dir>/<controller id>.json`` (the folder is the caller's: never read here)."""
        scope = str(controller.config.id)
        store = JsonStateStore(state_dir / f"{scope}.json")
        return cls(RiskGuard(limits_of(controller.config), store, audit, scope=scope), audit, metrics=metrics)

    def capital(self, controller: Any) -> Decimal:
        limits = self.guard.limits
        return (
            limits.capital_quote
            or Decimal(str(getattr(controller.config, "total_amount_quote", 0) or 0))
            or Decimal(1)
        )

    def filter_actions(self, controller: Any, actions: list[ExecutorAction]) -> list[ExecutorAction]:
        """Reviewed creations + all stop/store actions + protective stops required by the risk state."""
        now = float(controller.market_data_provider.time())
        self.guard.update_limits(limits_of(controller.config))
        snapshot = build_snapshot(controller, self.books, self.capital(controller), now)
        self.last_snapshot = snapshot
        self.guard.observe(snapshot, now)
        out: list[ExecutorAction] = []
        with self.guard.deferred_save():  # one durable write per tick, not one per approval
            connectors = getattr(controller.market_data_provider, "connectors", None) or {}
            for action in actions:
                if isinstance(action, CreateExecutorAction):
                    action = cap_to_balance(action, connectors, _mid(snapshot, action))
                    if self._review(action, snapshot, now):
                        out.append(action)
                elif isinstance(action, StopExecutorAction | StoreExecutorAction):
                    out.append(action)
        out.extend(self._protective_stops(controller, snapshot, now, out))
        for action in out:
            self._audit_action(action, now)
        self._publish_metrics(controller, snapshot)
        return out

    def _publish_metrics(self, controller: Any, snapshot: PortfolioSnapshot) -> None:
        if self.metrics is None:
            return
        scope, capital = self.guard.scope, self.capital(controller)
        drawdown = self.guard.drawdown_quote()
        exposures = {p.trading_pair: float(p.worst_case_exposure()) for p in snapshot.pairs}
        self.metrics.observe_risk(
            scope,
            self.guard.state.value,
            float(drawdown / capital),
            float(drawdown),
            float(snapshot.pnl_quote),
            exposures,
        )
        executors = list(controller.executors_info or [])
        self.metrics.set_executors(
            scope,
            {
                "quoting": sum(1 for e in executors if e.is_active and not e.is_trading),
                "trading": sum(1 for e in executors if e.is_active and e.is_trading),
                "closed": sum(1 for e in executors if not e.is_active),
            },
        )

    def _review(self, action: CreateExecutorAction, snapshot: PortfolioSnapshot, now: float) -> bool:
        market = market_of(action.executor_config)
        pair = snapshot.pair(*market) if market else None
        request = request_from_action(action, pair.mid_price if pair else None)
        if request is None:
            self._audit_unassessable(action, now)
            return False
        decision = self.guard.review(request, snapshot, now)
        if not decision.allowed and self.metrics is not None and decision.reason is not None:
            self.metrics.denials.labels(self.guard.scope, decision.reason.value).inc()
        return decision.allowed

    def _protective_stops(
        self, controller: Any, snapshot: PortfolioSnapshot, now: float, already: list[ExecutorAction]
    ) -> list[StopExecutorAction]:
        stopping = {a.executor_id for a in already if isinstance(a, StopExecutorAction)}
        halted = self.guard.state is RiskState.HALTED
        keep = not self.guard.limits.close_positions_on_halt
        stops = []
        for executor in controller.executors_info or []:
            if not is_running(executor) or executor.id in stopping or executor.id in self._stop_sent:
                continue
            if halted:
                stops.append(
                    StopExecutorAction(
                        controller_id=controller.config.id, executor_id=executor.id, keep_position=keep
                    )
                )
            elif not executor.is_trading and not self._quotes_allowed(executor.config, snapshot, now):
                stops.append(StopExecutorAction(controller_id=controller.config.id, executor_id=executor.id))
        self._stop_sent.update(s.executor_id for s in stops)
        active = {e.id for e in controller.executors_info or [] if e.is_active}
        self._stop_sent &= active
        return stops

    def _quotes_allowed(self, config: Any, snapshot: PortfolioSnapshot, now: float) -> bool:
        market = market_of(config)
        return market is None or self.guard.quotes_allowed(market[0], market[1], snapshot, now).allowed

    def _audit_unassessable(self, action: CreateExecutorAction, now: float) -> None:
        if self.audit is not None:
            self.audit.append(
                DecisionRecord(
                    ts=now,
                    source=self.guard.scope,
                    allowed=False,
                    reason_code=DenialReason.INVALID_REQUEST.value,
                    detail=f"executor type {action.executor_config.type!r} cannot be assessed "
                    "(no side/amount/price)",
                    executor_id=str(action.executor_config.id or ""),
                )
            )

    def _audit_action(self, action: ExecutorAction, now: float) -> None:
        if self.audit is None:
            return
        if isinstance(action, CreateExecutorAction):
            kind, executor_id, keep = "create", str(action.executor_config.id), None
        elif isinstance(action, StopExecutorAction):
            kind, executor_id, keep = "stop", action.executor_id, bool(action.keep_position)
        else:
            kind, executor_id, keep = "store", str(getattr(action, "executor_id", "")), None
        self.audit.append(
            ExecutorActionRecord(
                ts=now,
                source=self.guard.scope,
                action=kind,  # type: ignore[arg-type]
                executor_id=executor_id,
                controller_id=str(action.controller_id),
                keep_position=keep,
                detail=self.guard.state.value,
            )
        )


def _mid(snapshot: PortfolioSnapshot, action: CreateExecutorAction) -> Decimal | None:
    market = market_of(action.executor_config)
    pair = snapshot.pair(*market) if market else None
    return pair.mid_price if pair else None


class RiskGatedController:
    """Mixin for every plugin controller: ``class X(RiskGatedController, DirectionalTradingControllerBase)``.

    Not a ``ControllerBase`` subclass, so Hummingbot's "first controller class in the module" rule
    never picks it. The script that runs the controller assigns ``controller.risk_gate`` (its state
    folder, audit log and metrics); a controller without one sends no action at all and says so once.
    """

    _risk_gate: RiskGate | None = None
    _ungated_reported: bool = False
    config: Any
    market_data_provider: Any
    actions_queue: Any
    executors_update_event: Any

    @property
    def risk_gate(self) -> RiskGate:
        if self._risk_gate is None:
            raise RiskError(f"controller {self.config.id} has no risk gate", fix=UNGATED_FIX)
        return self._risk_gate

    @risk_gate.setter
    def risk_gate(self, gate: RiskGate) -> None:
        self._risk_gate = gate

    async def control_task(self) -> None:
        """Like Hummingbot's, but the gate also runs when data is not ready (halts and pulls still go out)."""
        proposed: list[ExecutorAction] = []
        if self.market_data_provider.ready and self.executors_update_event.is_set():
            await self.update_processed_data()  # type: ignore[attr-defined]
            proposed = list(self.determine_executor_actions())  # type: ignore[attr-defined]
        await self.send_actions(proposed)

    async def send_actions(self, executor_actions: list[ExecutorAction]) -> None:
        if self._risk_gate is None:  # fail closed: nothing reaches the orchestrator
            if not self._ungated_reported:
                self._ungated_reported = True
                _LOG.error(f"controller {self.config.id} has no risk gate: no orders. Fix: {UNGATED_FIX}")
            return
        gated = self._risk_gate.filter_actions(self, list(executor_actions))
        if gated:
            await self.actions_queue.put(gated)
            self.executors_update_event.clear()

    def _create_order(self, *args: Any, **kwargs: Any) -> str:
        raise RiskError(
            "direct buy()/sell() from a plugin controller would bypass the risk gate",
            fix="return a CreateExecutorAction from determine_executor_actions instead",
        )
