"""Append-only, hash-chained JSONL audit log with rotation that never breaks the chain."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Protocol

from hummingbot_plugin.audit.chain import (
    FILE_PATTERN,
    GENESIS_HASH,
    ChainEntry,
    audit_files,
    entry_hash,
    file_name,
)
from hummingbot_plugin.audit.records import AuditRecord, RecoveryRecord
from hummingbot_plugin.errors import PluginError

__all__ = ["AuditLog", "AuditSink", "AuditWriteError"]

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class AuditWriteError(PluginError):
    """The audit log could not be opened or appended to."""


class AuditLog:
    """Append typed records to ``directory/audit-NNNNNN.jsonl``; each line chained by sha256.

    A new file is started when the current one would exceed ``max_bytes``; the first entry of the
    new file chains to the last entry of the previous one. Every append is flushed and fsynced
    before it returns. Reopening resumes the chain; a torn last line (crash mid-write) is moved to
    ``<file>.torn`` (kept, not deleted) and a :class:`RecoveryRecord` is appended.
    """

    def __init__(self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, fsync: bool = True) -> None:
        if max_bytes < 1024:
            raise AuditWriteError(f"max_bytes={max_bytes} is too small", fix="use at least 1024 bytes")
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._fsync = fsync
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = self._acquire_lock()
        self._seq = 0
        self._head = GENESIS_HASH
        self._index = 1
        self._pending_recovery: RecoveryRecord | None = None
        self._resume()
        if self._pending_recovery is not None:
            self.append(self._pending_recovery)

    def _acquire_lock(self) -> object:
        """One writer per directory (two would fork the chain); released by :meth:`close` or at exit."""
        handle = open(self.directory / ".audit.lock", "a+b")  # noqa: SIM115 - held for the log's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise AuditWriteError(
                f"{self.directory} is already open by another audit writer",
                fix="share one AuditLog per directory (e.g. controller.risk_gate.audit), or use another one",
            ) from exc
        return handle

    def close(self) -> None:
        """Release the directory for another writer."""
        close = getattr(self._lock, "close", None)
        if close is not None:
            close()

    @property
    def seq(self) -> int:
        """Sequence number of the last appended record (0 when empty)."""
        return self._seq

    @property
    def head_hash(self) -> str:
        return self._head

    @property
    def current_file(self) -> Path:
        return self.directory / file_name(self._index)

    def append(self, record: AuditRecord) -> ChainEntry:
        """Append ``record``; returns the chained entry once it is durably on disk."""
        body = record.model_dump(mode="json")
        seq = self._seq + 1
        entry = ChainEntry(seq=seq, prev_hash=self._head, hash=entry_hash(self._head, seq, body), record=body)
        line = entry.to_line().encode()
        target = self.current_file
        if (
            target.exists()
            and target.stat().st_size > 0
            and target.stat().st_size + len(line) > self.max_bytes
        ):
            self._index += 1
            target = self.current_file
        try:
            with open(target, "ab") as handle:
                handle.write(line)
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise AuditWriteError(
                f"cannot append to {target}: {exc}", fix="check disk space/permissions"
            ) from exc
        self._seq, self._head = seq, entry.hash
        return entry

    def _resume(self) -> None:
        files = audit_files(self.directory)
        if not files:
            return
        last = files[-1]
        match = FILE_PATTERN.match(last.name)
        self._index = int(match.group(1)) if match else len(files)
        self._cut_torn_tail(last)
        for path in reversed(files):
            entry = _last_entry(path)
            if entry is not None:
                self._seq, self._head = entry.seq, entry.hash
                return

    def _cut_torn_tail(self, path: Path) -> None:
        data = path.read_bytes()
        if not data or data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        torn = data[keep:]
        side_file = path.with_name(path.name + ".torn")
        with open(side_file, "ab") as handle:
            handle.write(torn + b"\n")
        with open(path, "r+b") as handle:
            handle.truncate(keep)
        self._pending_recovery = RecoveryRecord(
            ts=os.stat(path).st_mtime,
            source="audit",
            file=path.name,
            torn_bytes=len(torn),
            torn_sha256=hashlib.sha256(torn).hexdigest(),
            moved_to=side_file.name,
        )


def _last_entry(path: Path) -> ChainEntry | None:
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return ChainEntry.model_validate_json(lines[-1])
    except ValueError as exc:
        raise AuditWriteError(
            f"last record of {path} is unreadable: {exc}",
            fix=f"run `python -m hummingbot_plugin audit verify {path.parent}` and restore the file",
        ) from exc


class AuditSink(Protocol):
    """Anything that accepts audit records (an :class:`AuditLog`, or a list-backed sink in tests)."""

    def append(self, record: AuditRecord) -> object: ...
