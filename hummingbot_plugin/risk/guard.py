"""The risk guard: explicit ACTIVE / REDUCING / HALTED state with reasons, persisted, fail-closed.

One guard per scope (a controller, or ``global`` across controllers and exchanges). Call
:meth:`RiskGuard.observe` every tick, then :meth:`RiskGuard.review` for every executor request.
All time comes from the ``now`` argument (the trading clock); the guard never reads wall time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from hummingbot_plugin.audit.log import AuditSink
from hummingbot_plugin.audit.records import AuditRecord
from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.risk import rules
from hummingbot_plugin.risk.alarms import ALARMS
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
from hummingbot_plugin.risk.store import (
    CorruptStateError,
    JsonStateStore,
    MissingStateError,
    PersistedRiskState,
    StateStore,
)

__all__ = ["RiskGuard"]

_LOG = logging.getLogger("hummingbot_plugin.risk")


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
        self.persist_error: str | None = None
        self._saving = False
        self._now = 0.0
        try:
            self._st = store.load(scope)
        except CorruptStateError as exc:  # fail closed; do not overwrite the evidence
            self.load_error = exc
            reason = (
                DenialReason.STATE_MISSING
                if isinstance(exc, MissingStateError)
                else DenialReason.STATE_CORRUPT
            )
            self._st = PersistedRiskState(
                scope=scope, state=RiskState.HALTED, reason_code=reason, reason_text=exc.message
            )
            _LOG.error("risk guard %s starts HALTED: %s", scope, exc.message)
            self._audit_transition(
                Transition(scope, RiskState.ACTIVE, RiskState.HALTED, reason, exc.message, 0.0)
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
        self._now = now
        self._capital = self._limits.capital_quote or snapshot.capital_quote
        self._forget_visible_inflight(snapshot, now)
        before = self._st.model_dump_json()
        rules.track_stop_losses(self._st, self._limits, snapshot)
        transitions = self._track_equity(snapshot.equity_quote, now)
        transitions += self._read_alarms(now)
        if self._st.model_dump_json() != before or self.persist_error is not None:
            self._save()  # also the retry of a failed write, once per tick
        return transitions

    def _read_alarms(self, now: float) -> list[Transition]:
        found = [
            self._escalate(RiskState.HALTED, a.reason, f"{a.source}: {a.text}", now)
            for a in ALARMS.active(self.scope)
        ]
        return [t for t in found if t is not None]

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
        if decision.allowed and self.persist_error is not None:  # not durable: never let it through
            return Decision.deny(DenialReason.PERSIST_FAILED, self.persist_error)
        return decision

    def save_now(self) -> None:
        """Write the state now (e.g. to record a new audit head); a failure halts, as any write."""
        self._save()

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
        open_ids = snapshot.open_executor_ids | set(self._inflight)
        denial = None if reducing else rules.check_counts(self._limits, self._st, len(open_ids), now)
        if denial is None:
            denial = rules.check_exposure(
                self._limits, self._capital or snapshot.capital_quote, pairs, request
            )
        if denial is None:
            denial = rules.check_rate(self._limits, self._st.recent_creations, now)
        return denial or Decision.allow("reducing" if reducing else "")

    def _forget_visible_inflight(self, snapshot: PortfolioSnapshot, now: float) -> None:
        closed = {c.executor_id for c in snapshot.closed_executors} | snapshot.known_executor_ids
        self._inflight = {
            key: item
            for key, item in self._inflight.items()
            if key not in snapshot.open_executor_ids
            and key not in closed
            and now - item.approved_at < self._inflight_ttl
        }

    def _track_equity(self, equity: Decimal, now: float) -> list[Transition]:
        breaches = track_equity(self._st, self._limits, self._capital or equity, equity, now)
        transitions = [self._escalate(b.state, b.reason, b.text, now, b.figures) for b in breaches]
        return [t for t in transitions if t is not None]

    def _escalate(
        self,
        to_state: RiskState,
        reason: DenialReason,
        text: str,
        now: float,
        figures: dict[str, str] | None = None,
    ) -> Transition | None:
        self._now = max(self._now, now)
        if to_state.severity <= self._st.state.severity:
            return None
        transition = Transition(self.scope, self._st.state, to_state, reason, text, now, dict(figures or {}))
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
        if self.load_error is not None or self._saving:  # never overwrite a corrupt file before a reset
            return
        head = getattr(self._audit, "signed_head", None)
        if callable(head):
            self._st.audit_head = head()
        self._saving = True
        try:
            self._store.save(self._st)
        except OSError as exc:  # fail closed in memory, act, keep retrying every tick
            self._persist_failed(f"cannot write the risk state: {exc}")
        else:
            if self.persist_error is not None:
                _LOG.warning("risk state of %s written again after: %s", self.scope, self.persist_error)
            self.persist_error = None
        finally:
            self._saving = False

    def _persist_failed(self, text: str) -> None:
        first = self.persist_error is None
        self.persist_error = text
        if first:
            _LOG.error("risk guard %s: %s; HALTED in memory, retrying every tick", self.scope, text)
        self._escalate(RiskState.HALTED, DenialReason.PERSIST_FAILED, text, self._now)

    def _audit_transition(self, t: Transition) -> None:
        self._append(transition_record(t))

    def _audit_decision(self, request: ExecutorRequest, decision: Decision, now: float) -> None:
        self._append(decision_record(self.scope, request, decision, now))

    def _append(self, record: AuditRecord) -> None:
        if self._audit is None:
            return
        try:
            self._audit.append(record)
            error = getattr(self._audit, "write_error", None)  # a buffering log keeps it in memory
        except (PluginError, OSError) as exc:
            error = str(getattr(exc, "message", exc))
        if error is not None and self.persist_error is None:  # the audit cannot be written: fail closed
            self._persist_failed(f"cannot write the audit log: {error}")
