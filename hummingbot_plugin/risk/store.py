"""Persisted risk state: schema-validated JSON, written atomically (tmp + fsync + rename).

A missing file is a fresh start only when nothing shows the bot has traded: if the audit log holds
orders, fills or executor creations, :meth:`JsonStateStore.load` raises :class:`MissingStateError`
(deleting the HALTED file must not bring the bot back ACTIVE with a fresh high-water mark). A file
that cannot be read or does not match the schema raises :class:`CorruptStateError`. Either way the
guard starts HALTED until an operator resets it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
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
    "MissingStateError",
    "PersistedRiskState",
    "StateStore",
    "audit_dir_from_env",
    "state_dir_from_env",
    "traded_in_audit",
]

STATE_DIR_ENV = "HBP_STATE_DIR"
MAX_SEEN_IDS = 1000


AUDIT_DIR_ENV = "HBP_AUDIT_DIR"


def audit_dir_from_env(state_dir: Path, environ: Mapping[str, str]) -> Path:
    """``HBP_AUDIT_DIR`` of ``environ`` or ``<state_dir>/audit`` (keep it on another disk to survive losing
    the state). Read once by an entry point (a script's constructor), which passes the folder on."""
    raw = environ.get(AUDIT_DIR_ENV)
    return Path(raw).expanduser().resolve() if raw else state_dir / "audit"


def state_dir_from_env(environ: Mapping[str, str]) -> Path:
    """``HBP_STATE_DIR`` of ``environ`` or ``<project>/state``. Read once by an entry point (a script's
    constructor), which passes the folder on; nothing below it reads the environment."""
    raw = environ.get(STATE_DIR_ENV)
    return Path(raw).expanduser().resolve() if raw else PROJECT_ROOT / "state"


class CorruptStateError(RiskError):
    """The persisted state exists but cannot be trusted."""


class MissingStateError(CorruptStateError):
    """The state file is missing although records show the bot has traded."""


_TRADE_RECORDS = frozenset({"order", "fill"})


def traded_in_audit(audit_dir: Path) -> str | None:
    """Why ``audit_dir`` proves the bot traded (first order, fill or executor creation), or None."""
    if not audit_dir.is_dir():
        return None
    for file in sorted(audit_dir.glob("audit-*.jsonl")):
        try:
            lines = file.read_bytes().splitlines()
        except OSError as exc:
            return f"audit file {file.name} is unreadable ({exc.strerror})"
        for raw in lines:
            kind = _record_kind(raw)
            if kind is not None:
                return f"{file.name} records a{'n' if kind[0] in 'aeo' else ''} {kind}"
    return None


def _record_kind(raw: bytes) -> str | None:
    try:
        record = json.loads(raw).get("record", {})
    except (ValueError, AttributeError):
        return None
    kind = record.get("type") if isinstance(record, dict) else None
    if kind in _TRADE_RECORDS:
        return str(kind)
    if kind == "executor_action" and record.get("action") == "create":
        return "executor creation"
    return None


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
    audit_head: dict[str, str | int] | None = Field(
        default=None, description="signed head of the audit chain when this state was saved"
    )

    def remember_closed(self, executor_id: str) -> None:
        self.seen_closed_ids.append(executor_id)
        del self.seen_closed_ids[:-MAX_SEEN_IDS]


class StateStore(Protocol):
    def load(self, scope: str) -> PersistedRiskState: ...

    def save(self, state: PersistedRiskState) -> None: ...


class JsonStateStore:
    """One JSON file; atomic replace on save.

    ``traded`` says why the bot is known to have traded (None if not); it is asked only when the
    file is missing. By default it reads the audit log in ``<state dir>/audit``.
    """

    def __init__(self, path: Path, traded: Callable[[], str | None] | None = None) -> None:
        self.path = Path(path)
        self._traded = traded or (lambda: traded_in_audit(self.path.parent / "audit"))

    def load(self, scope: str) -> PersistedRiskState:
        if not self.path.exists():
            evidence = self._traded()
            if evidence is not None:
                raise MissingStateError(
                    f"risk state file {self.path} is missing but the bot has traded ({evidence})",
                    fix="restore the file from a backup, or review the positions and reset the guard",
                )
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
        """Atomic, durable write; raises OSError (the guard halts and retries) and leaves no temp file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        data = state.model_dump_json(indent=1).encode()
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
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
