"""Pre-trade risk gate: state ACTIVE / REDUCING / HALTED, reason-coded denials, persisted limits."""

from hummingbot_plugin.risk.guard import RiskGuard
from hummingbot_plugin.risk.limits import RiskLimits
from hummingbot_plugin.risk.models import (
    ClosedExecutor,
    Decision,
    DenialReason,
    ExecutorRequest,
    PairSnapshot,
    PortfolioSnapshot,
    RiskState,
    Side,
    Transition,
)
from hummingbot_plugin.risk.store import (
    CorruptStateError,
    JsonStateStore,
    MemoryStateStore,
    PersistedRiskState,
    StateStore,
    audit_dir_from_env,
    state_dir_from_env,
)

__all__ = [
    "ClosedExecutor",
    "CorruptStateError",
    "Decision",
    "DenialReason",
    "ExecutorRequest",
    "JsonStateStore",
    "MemoryStateStore",
    "PairSnapshot",
    "PersistedRiskState",
    "PortfolioSnapshot",
    "RiskGuard",
    "RiskLimits",
    "RiskState",
    "Side",
    "StateStore",
    "Transition",
    "audit_dir_from_env",
    "state_dir_from_env",
]
