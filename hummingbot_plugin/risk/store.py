"""Persisted risk state: schema-validated JSON, written atomically (tmp + fsync + rename).

A missing file is a fresh start. A file that cannot be read or does not match the schema is NOT
ignored: :meth:`JsonStateStore.load` raises :class:`CorruptStateError` and the guard starts HALTED.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hummingbot_plugin.errors import RiskError
from hummingbot_plugin.risk.models import DenialReason, RiskState
from hummingbot_plugin.settings import PROJECT_ROOT

__all__ = [
    "CorruptStateError",
    "JsonStateStore",
    "MemoryStateStore",
    "PersistedRiskState",
    "StateStore",
    "default_state_dir",
]

STATE_DIR_ENV = "HBP_STATE_DIR"
MAX_SEEN_IDS = 1000


def default_state_dir() -> Path:
    """``$HBP_STATE_DIR`` or ``<project>/state``."""
    raw = os.environ.get(STATE_DIR_ENV)
    return Path(raw).expanduser().resolve() if raw else PROJECT_ROOT / "state"


class CorruptStateError(RiskError):
    """The persisted state exists but cannot be trusted."""


class PersistedRiskState(BaseModel):
    """Everything that must survive a restart."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    scope: str
    state: RiskState = RiskState.ACTIVE
    reason_code: DenialReason | None = None
    reason_text: str = ""
    since: float = 0.0
    high_water_mark: Decimal | None = Field(default=None, allow_inf_nan=False)
    last_equity: Decimal | None = Field(default=None, allow_inf_nan=False)
    day: str | None = None
    day_start_equity: Decimal | None = Field(default=None, allow_inf_nan=False)
    consecutive_stop_losses: int = Field(default=0, ge=0)
    cooldown_until: float | None = None
    seen_closed_ids: list[str] = Field(default_factory=list)
    recent_creations: list[float] = Field(default_factory=list)

    def remember_closed(self, executor_id: str) -> None:
        self.seen_closed_ids.append(executor_id)
        del self.seen_closed_ids[:-MAX_SEEN_IDS]


class StateStore(Protocol):
    def load(self, scope: str) -> PersistedRiskState: ...

    def save(self, state: PersistedRiskState) -> None: ...


class JsonStateStore:
    """One JSON file; atomic replace on save."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self, scope: str) -> PersistedRiskState:
        if not self.path.exists():
            return PersistedRiskState(scope=scope)
        try:
            state = PersistedRiskState.model_validate_json(self.path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            raise CorruptStateError(
                f"risk state file {self.path} is unreadable or invalid: {exc}",
                fix=f"inspect {self.path}; after review, reset the guard (it moves the file aside)",
            ) from exc
        if state.scope != scope:
            raise CorruptStateError(
                f"risk state file {self.path} belongs to scope {state.scope!r}, not {scope!r}",
                fix="point each controller to its own state file",
            )
        return state

    def save(self, state: PersistedRiskState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        data = state.model_dump_json(indent=1).encode()
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def quarantine(self, suffix: str) -> Path | None:
        """Move a corrupt file aside (never deleted) before a deliberate reset."""
        if not self.path.exists():
            return None
        target = self.path.with_name(f"{self.path.name}.corrupt-{suffix}")
        os.replace(self.path, target)
        return target


class MemoryStateStore:
    """In-memory store (simulations that must not touch disk); same contract as JsonStateStore."""

    def __init__(self) -> None:
        self.saved: PersistedRiskState | None = None

    def load(self, scope: str) -> PersistedRiskState:
        return self.saved.model_copy(deep=True) if self.saved is not None else PersistedRiskState(scope=scope)

    def save(self, state: PersistedRiskState) -> None:
        self.saved = state.model_copy(deep=True)
