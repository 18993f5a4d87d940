"""Quote risk for market makers: which sides may quote, with reasons.

The state is the risk layer's own :class:`~hummingbot_plugin.risk.models.RiskState` (one ordered state
for every controller). The risk gate decides a state; this module turns a state plus the current
inventory into the set of sides a market maker may quote, and adds the market-making checks of its own
(inventory at its limit, hedge failures across venues).

- ``ACTIVE``: both sides quote (an inventory limit still one-sides the ladder).
- ``REDUCING``: only the side that reduces inventory quotes; with a flat book nothing quotes.
- ``HALTED``: nothing quotes and resting quotes are pulled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator

from hummingbot_plugin.risk.models import RiskState

__all__ = [
    "QuoteRiskDecision",
    "RiskState",
    "RiskStateOverride",
    "SidePermission",
    "from_guard_state",
    "hedge_failure_check",
    "inventory_limit_check",
    "side_permission",
    "worst",
]


def _legacy_spelling(value: object) -> object:
    """``NORMAL``, the market makers' former name of ACTIVE, is still read (as ACTIVE)."""
    return RiskState.ACTIVE.value if value == "NORMAL" else value


#: A config's manual risk state for its quotes (one of the :class:`RiskState` values).
RiskStateOverride = Annotated[Literal["ACTIVE", "REDUCING", "HALTED"], BeforeValidator(_legacy_spelling)]


@dataclass(frozen=True)
class QuoteRiskDecision:
    """A risk state with the reasons that produced it (empty when ACTIVE)."""

    state: RiskState = RiskState.ACTIVE
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SidePermission:
    """Which sides may hold quotes now, and whether resting quotes of a side must be pulled."""

    buy: bool
    sell: bool

    @property
    def any(self) -> bool:
        return self.buy or self.sell


def worst(*decisions: QuoteRiskDecision) -> QuoteRiskDecision:
    """Combine decisions: the most severe state, with every non-normal reason kept."""
    state = max((d.state for d in decisions), key=lambda s: s.severity, default=RiskState.ACTIVE)
    reasons = tuple(r for d in decisions for r in d.reasons)
    return QuoteRiskDecision(state=state, reasons=reasons)


def side_permission(state: RiskState, inventory_dev: float, eps: float = 1e-9) -> SidePermission:
    """Sides allowed given the state and the inventory deviation in [-1, 1] (+1 = long limit).

    At a limit the side that would grow inventory is switched off even in ACTIVE.
    """
    if state == RiskState.HALTED:
        return SidePermission(buy=False, sell=False)
    if state == RiskState.REDUCING:
        return SidePermission(buy=inventory_dev < -eps, sell=inventory_dev > eps)
    return SidePermission(buy=inventory_dev < 1.0 - eps, sell=inventory_dev > -1.0 + eps)


def inventory_limit_check(inventory_dev: float, reduce_at: float = 1.0) -> QuoteRiskDecision:
    """REDUCING once the inventory deviation reaches ``reduce_at`` (in range units) either way."""
    if abs(inventory_dev) >= reduce_at:
        side = "long" if inventory_dev > 0 else "short"
        return QuoteRiskDecision(
            RiskState.REDUCING, (f"inventory at {side} limit (deviation {inventory_dev:+.2f})",)
        )
    return QuoteRiskDecision()


def hedge_failure_check(
    failure_times: list[float], now: float, window_s: float, max_failures: int
) -> QuoteRiskDecision:
    """HALTED when at least ``max_failures`` hedges failed within the last ``window_s`` seconds."""
    recent = [t for t in failure_times if now - window_s <= t <= now]
    if len(recent) >= max_failures:
        return QuoteRiskDecision(
            RiskState.HALTED, (f"{len(recent)} hedge failures in the last {window_s:.0f}s",)
        )
    return QuoteRiskDecision()


def from_guard_state(state: str, reason: str = "") -> QuoteRiskDecision:
    """Map the team risk guard's state (``ACTIVE`` / ``REDUCING`` / ``HALTED``) onto a quote decision."""
    mapped = RiskState(state) if state in RiskState.__members__ else RiskState.HALTED  # unknown: fail closed
    if mapped == RiskState.ACTIVE:
        return QuoteRiskDecision()
    return QuoteRiskDecision(mapped, (f"risk guard {state}{': ' + reason if reason else ''}",))
