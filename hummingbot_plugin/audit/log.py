"""Append-only, hash-chained JSONL audit log with rotation that never breaks the chain."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from hummingbot_plugin.audit.chain import (
    FILE_PATTERN,
    GENESIS_HASH,
    ChainEntry,
    audit_files,
    entry_hash,
    entry_mac,
    file_name,
    head_mac,
)
from hummingbot_plugin.audit.records import AuditRecord, RecoveryRecord
from hummingbot_plugin.errors import PluginError

__all__ = ["AuditLog", "AuditSink", "AuditWriteError", "load_or_create_key"]

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
MAX_PENDING = 100_000
_LOG = logging.getLogger("hummingbot_plugin.audit")


class AuditWriteError(PluginError):
    """The audit log could not be opened or appended to."""


class AuditLog:
    """Append typed records to ``directory/audit-NNNNNN.jsonl``; each line chained by sha256.

    A new file is started when the current one would exceed ``max_bytes``; the first entry of the
    new file chains to the last entry of the previous one. Every append is flushed and fsynced
    before it returns. Reopening resumes the chain; a torn last line (crash mid-write) is moved to
    ``<file>.torn`` (kept, not deleted) and a :class:`RecoveryRecord` is appended.

    With ``key`` every entry also carries ``mac = HMAC(key, hash)`` and :meth:`signed_head` gives an
    anchor to record outside the log. With ``buffer_on_error`` a failed write does not raise: the
    entry is kept in memory (chain order preserved), ``on_failure(text)`` is called, every later
    append retries the backlog first, and :attr:`healthy` is False until it is all on disk.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync: bool = True,
        key: bytes | None = None,
        buffer_on_error: bool = False,
        on_failure: Callable[[str | None], None] | None = None,
    ) -> None:
        if max_bytes < 1024:
            raise AuditWriteError(f"max_bytes={max_bytes} is too small", fix="use at least 1024 bytes")
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._fsync = fsync
        self._key = key
        self._buffer = buffer_on_error
        self._on_failure = on_failure
        self._pending: list[bytes] = []
        self.write_error: str | None = None
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

    @property
    def healthy(self) -> bool:
        """True when every appended record is durably on disk."""
        return not self._pending

    def signed_head(self) -> dict[str, str | int]:
        """``{"seq", "hash", "mac"}`` of the last record (mac empty without a key): the outside anchor."""
        mac = head_mac(self._key, self._seq, self._head) if self._key is not None else ""
        return {"seq": self._seq, "hash": self._head, "mac": mac}

    def append(self, record: AuditRecord) -> ChainEntry:
        """Append ``record``; returns the chained entry once it is durably on disk (or buffered)."""
        body = record.model_dump(mode="json")
        seq = self._seq + 1
        digest = entry_hash(self._head, seq, body)
        mac = entry_mac(self._key, digest) if self._key is not None else None
        entry = ChainEntry(seq=seq, prev_hash=self._head, hash=digest, record=body, mac=mac)
        self._pending.append(entry.to_line().encode())
        self._seq, self._head = seq, entry.hash
        try:
            self.retry()
        except AuditWriteError:
            if not self._buffer:
                self._pending.pop()
                self._seq, self._head = seq - 1, entry.prev_hash
                raise
            del self._pending[:-MAX_PENDING]
        return entry

    def retry(self) -> None:
        """Write the backlog in order; raises :class:`AuditWriteError` (after ``on_failure``) if it fails."""
        while self._pending:
            try:
                self._write(self._pending[0])
            except OSError as exc:
                text = f"cannot append to {self.current_file}: {exc}"
                if self.write_error is None:
                    _LOG.error(
                        "audit log unwritable (%s); %d record(s) kept in memory", text, len(self._pending)
                    )
                self.write_error = text
                if self._on_failure is not None:
                    self._on_failure(text)
                raise AuditWriteError(text, fix="check disk space/permissions") from exc
            self._pending.pop(0)
        if self.write_error is not None:
            _LOG.warning("audit log writable again: backlog written")
            self.write_error = None
            if self._on_failure is not None:
                self._on_failure(None)

    def _write(self, line: bytes) -> None:
        target = self.current_file
        if (
            target.exists()
            and target.stat().st_size > 0
            and target.stat().st_size + len(line) > self.max_bytes
        ):
            self._index += 1
            target = self.current_file
        with open(target, "ab") as handle:
            start = handle.tell()
            try:
                handle.write(line)
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
            except OSError:
                handle.truncate(start)  # never leave a torn line behind a failed write
                raise

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


def load_or_create_key(path: Path, audit_dir: Path) -> bytes:
    """The chain's HMAC key from ``path`` (kept outside ``audit_dir``); created (0600) for a new log only."""
    if path.resolve().is_relative_to(audit_dir.resolve()):
        raise AuditWriteError(f"audit key {path} is inside the log folder", fix="keep the key outside it")
    if path.exists():
        key = bytes.fromhex(path.read_text(encoding="utf-8").strip())
        if len(key) < 16:
            raise AuditWriteError(f"audit key {path} is shorter than 16 bytes", fix="restore the key file")
        return key
    if audit_files(audit_dir):
        raise AuditWriteError(
            f"audit key {path} is missing but {audit_dir} holds records",
            fix="restore the key file (a new key would make the existing chain unverifiable)",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return load_or_create_key(path, audit_dir)


class AuditSink(Protocol):
    """Anything that accepts audit records (an :class:`AuditLog`, or a list-backed sink in tests)."""

    def append(self, record: AuditRecord) -> object: ...
