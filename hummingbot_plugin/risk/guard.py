"""The risk guard: explicit ACTIVE / REDUCING / HALTED state with reasons, persisted, fail-closed.

One guard per scope (a controller, or ``global`` across controllers and exchanges). Call
:meth:`RiskGuard.observe` every tick, then :meth:`RiskGuard.review` for every executor request.
All time comes from the ``now`` argument (the trading clock); the guard never reads wall time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from hummingbot_plugin.audit.log import AuditSink
from hummingbot_plugin.risk import rules
from hummingbot_plugin.risk.equity import track_equity
from hummingbot_plugin.risk.limits import RiskLimits
from hummingbot_plugin.risk.models import (
    Decision,
    DenialReason,
    ExecutorRequest,
    PortfolioSnapshot,
    RiskState,
    Transition,
)
from hummingbot_plugin.risk.records import decision_record, transition_record
from hummingbot_plugin.risk.store import CorruptStateError, JsonStateStore, PersistedRiskState, StateStore

__all__ = ["RiskGuard"]

_SEVERITY = {RiskState.ACTIVE: 0, RiskState.REDUCING: 1, RiskState.HALTED: 2}


class RiskGuard:
    """Pre-trade gate and state machine. Escalations persist until :meth:`reset`."""

    def __init__(
        self,
        limits: RiskLimits,
        store: StateStore,
        audit: AuditSink | None = None,
        *,
        scope: str = "global",
        inflight_ttl_seconds: float = 120.0,
    ) -> None:
        self.scope = scope
        self._limits = limits
        self._store = store
        self._audit = audit
        self._inflight_ttl = inflight_ttl_seconds
        self._inflight: dict[str, rules.Inflight] = {}
        self._deferring = False
        self._save_pending = False
        self._capital: Decimal | None = limits.capital_quote
        self.load_error: CorruptStateError | None = None
        try:
            self._st = store.load(scope)
        except CorruptStateError as exc:  # fail closed; do not overwrite the evidence
            self.load_error = exc
            self._st = PersistedRiskState(
                scope=scope,
                state=RiskState.HALTED,
                reason_code=DenialReason.STATE_CORRUPT,
                reason_text=exc.message,
            )
            self._audit_transition(
                Transition(
                    scope, RiskState.ACTIVE, RiskState.HALTED, DenialReason.STATE_CORRUPT, exc.message, 0.0
                )
            )

    # ----------------------------------------------------------------- read-only views
    @property
    def state(self) -> RiskState:
        return self._st.state

    @property
    def status(self) -> PersistedRiskState:
        """A copy of the persisted status (state, reason, high-water mark, day, cooldown...)."""
        return self._st.model_copy(deep=True)

    @property
    def limits(self) -> RiskLimits:
        return self._limits

    def drawdown_quote(self) -> Decimal:
        hwm, equity = self._st.high_water_mark, self._st.last_equity
        return max(hwm - equity, Decimal(0)) if hwm is not None and equity is not None else Decimal(0)

    def update_limits(self, limits: RiskLimits) -> None:
        """Hot reload: new limits apply from the next observe/review; state and locks are kept."""
        self._limits = limits
        self._capital = limits.capital_quote or self._capital

    # ----------------------------------------------------------------- per tick
    def observe(self, snapshot: PortfolioSnapshot, now: float) -> list[Transition]:
        """Update drawdown, daily loss and the stop-loss streak; escalate the state when a limit breaks."""
        self._capital = self._limits.capital_quote or snapshot.capital_quote
        self._forget_visible_inflight(snapshot, now)
        before = self._st.model_dump_json()
        self._track_stop_losses(snapshot)
        transitions = self._track_equity(snapshot.equity_quote, now)
        if self._st.model_dump_json() != before:
            self._save()
        return transitions

    def review(self, request: ExecutorRequest, snapshot: PortfolioSnapshot, now: float) -> Decision:
        """Allow or deny one executor request. Approvals count towards rate and exposure at once."""
        decision = self._evaluate(request, snapshot, now)
        if decision.allowed:
            self._st.recent_creations = [
                ts for ts in self._st.recent_creations if now - ts < self._limits.rate_window_seconds
            ] + [now]
            key = request.executor_id or f"anon-{now}-{len(self._inflight)}"
            self._inflight[key] = rules.Inflight(
                key, request.connector_name, request.trading_pair, request.side, request.notional_quote, now
            )
            self._save()
        self._audit_decision(request, decision, now)
        return decision

    @contextmanager
    def deferred_save(self) -> Iterator[None]:
        """Review a batch with one durable write at the end (state transitions are still written at once)."""
        self._deferring, self._save_pending = True, False
        try:
            yield
        finally:
            self._deferring = False
            if self._save_pending:
                self._save()

    def quotes_allowed(
        self, connector_name: str, trading_pair: str, snapshot: PortfolioSnapshot, now: float
    ) -> Decision:
        """Whether resting quotes may stay: False (with reason) on stale data or a price spike."""
        denial = rules.check_market_data(self._limits, snapshot.pair(connector_name, trading_pair), now)
        return denial or Decision.allow()

    # ----------------------------------------------------------------- deliberate actions
    def halt(
        self, text: str, now: float, reason: DenialReason = DenialReason.KILL_SWITCH
    ) -> Transition | None:
        """Kill switch: HALTED until :meth:`reset`."""
        return self._escalate(RiskState.HALTED, reason, text, now)

    def reduce(self, text: str, now: float) -> Transition | None:
        return self._escalate(RiskState.REDUCING, DenialReason.MANUAL_REDUCE, text, now)

    def reset(self, now: float, operator: str) -> Transition:
        """Deliberate reset to ACTIVE: the high-water mark restarts at the current equity."""
        if not operator.strip():
            raise ValueError("reset needs the operator's name for the audit trail")
        previous = self._st.state
        equity = self._st.last_equity
        if self.load_error is not None and isinstance(self._store, JsonStateStore):
            self._store.quarantine(suffix=f"{now:.0f}")
        self._st = PersistedRiskState(
            scope=self.scope,
            state=RiskState.ACTIVE,
            reason_code=DenialReason.MANUAL_RESET,
            reason_text=f"reset by {operator}",
            since=now,
            high_water_mark=equity,
            last_equity=equity,
            day=self._st.day,
            day_start_equity=equity,
            seen_closed_ids=self._st.seen_closed_ids,
            recent_creations=self._st.recent_creations,
        )
        self.load_error = None
        self._save()
        transition = Transition(
            self.scope, previous, RiskState.ACTIVE, DenialReason.MANUAL_RESET, f"reset by {operator}", now
        )
        self._audit_transition(transition)
        return transition

    # ----------------------------------------------------------------- internals
    def _evaluate(self, request: ExecutorRequest, snapshot: PortfolioSnapshot, now: float) -> Decision:
        invalid = rules.check_request_valid(request)
        if invalid is not None:
            return invalid
        if self._st.state is RiskState.HALTED:
            return Decision.deny(DenialReason.STATE_HALTED, f"{self._st.reason_code}: {self._st.reason_text}")
        if request.leverage > self._limits.max_leverage:
            return Decision.deny(
                DenialReason.LEVERAGE, f"leverage {request.leverage} > max {self._limits.max_leverage}"
            )
        pairs = rules.effective_pairs(snapshot, self._inflight.values())
        pair = next((p for p in pairs if p.key == (request.connector_name, request.trading_pair)), None)
        stale = rules.check_market_data(self._limits, pair, now, request.price)
        if stale is not None:
            return stale
        reducing = rules.is_reducing(pair, request)
        if self._st.state is RiskState.REDUCING and not reducing:
            return Decision.deny(
                DenialReason.STATE_REDUCING, f"only exposure-reducing executors: {self._st.reason_text}"
            )
        denial = self._check_counts(snapshot, now, reducing)
        if denial is None:
            denial = rules.check_exposure(
                self._limits, self._capital or snapshot.capital_quote, pairs, request
            )
        if (
            denial is None
            and rules.count_in_window(self._st.recent_creations, now, self._limits.rate_window_seconds)
            >= self._limits.max_executors_per_window
        ):
            denial = Decision.deny(
                DenialReason.RATE_LIMIT,
                f"{self._limits.max_executors_per_window} executors already created in the last "
                f"{self._limits.rate_window_seconds:g}s (denied, not queued)",
            )
        return denial or Decision.allow("reducing" if reducing else "")

    def _check_counts(self, snapshot: PortfolioSnapshot, now: float, reducing: bool) -> Decision | None:
        if reducing:
            return None
        open_count = len(snapshot.open_executor_ids | set(self._inflight))
        if open_count >= self._limits.max_open_executors:
            return Decision.deny(
                DenialReason.MAX_OPEN_EXECUTORS,
                f"{open_count} open executors >= max {self._limits.max_open_executors}",
            )
        if self._st.cooldown_until is not None and now < self._st.cooldown_until:
            return Decision.deny(
                DenialReason.STOP_LOSS_COOLDOWN,
                f"{self._limits.stop_loss_streak} consecutive stop losses; "
                f"cooldown until {self._st.cooldown_until:.0f}",
            )
        return None

    def _forget_visible_inflight(self, snapshot: PortfolioSnapshot, now: float) -> None:
        closed = {c.executor_id for c in snapshot.closed_executors} | snapshot.known_executor_ids
        self._inflight = {
            key: item
            for key, item in self._inflight.items()
            if key not in snapshot.open_executor_ids
            and key not in closed
            and now - item.approved_at < self._inflight_ttl
        }

    def _track_stop_losses(self, snapshot: PortfolioSnapshot) -> None:
        seen = set(self._st.seen_closed_ids)
        for closed in sorted(snapshot.closed_executors, key=lambda c: c.close_timestamp):
            if closed.executor_id in seen:
                continue
            self._st.remember_closed(closed.executor_id)
            self._st.consecutive_stop_losses = self._st.consecutive_stop_losses + 1 if closed.stop_loss else 0
            if self._st.consecutive_stop_losses >= self._limits.stop_loss_streak:
                self._st.cooldown_until = closed.close_timestamp + self._limits.stop_loss_cooldown_seconds
                self._st.consecutive_stop_losses = 0

    def _track_equity(self, equity: Decimal, now: float) -> list[Transition]:
        breaches = track_equity(self._st, self._limits, self._capital or equity, equity, now)
        transitions = [self._escalate(b.state, b.reason, b.text, now) for b in breaches]
        return [t for t in transitions if t is not None]

    def _escalate(
        self, to_state: RiskState, reason: DenialReason, text: str, now: float
    ) -> Transition | None:
        if _SEVERITY[to_state] <= _SEVERITY[self._st.state]:
            return None
        transition = Transition(self.scope, self._st.state, to_state, reason, text, now)
        self._st.state, self._st.reason_code, self._st.reason_text, self._st.since = (
            to_state,
            reason,
            text,
            now,
        )
        self._save(force=True)
        self._audit_transition(transition)
        return transition

    def _save(self, force: bool = False) -> None:
        if self._deferring and not force:
            self._save_pending = True
            return
        if self.load_error is None:  # never overwrite a corrupt file before a deliberate reset
            self._store.save(self._st)

    def _audit_transition(self, t: Transition) -> None:
        if self._audit is not None:
            self._audit.append(transition_record(t))

    def _audit_decision(self, request: ExecutorRequest, decision: Decision, now: float) -> None:
        if self._audit is not None:
            self._audit.append(decision_record(self.scope, request, decision, now))
