"""Walk an audit chain (one file or a directory of rotated files) and find the first broken record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from hummingbot_plugin.audit.chain import GENESIS_HASH, ChainEntry, audit_files, entry_hash
from hummingbot_plugin.audit.records import AuditRecord, parse_record

__all__ = ["ChainBreak", "VerifyResult", "iter_records", "verify_chain"]


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the chain is broken."""

    file: Path
    line: int
    seq: int | None
    problem: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int
    files: int
    first_break: ChainBreak | None


def verify_chain(path: Path) -> VerifyResult:
    """Check every line: valid entry, valid record, consecutive seq, prev_hash link, recomputed hash.

    A single file may start mid-chain (a rotated file): its first entry is then trusted as the anchor.
    """
    files = audit_files(path)
    if not files:
        brk = ChainBreak(path, 0, None, "no audit files found")
        return VerifyResult(False, 0, 0, brk)
    count = 0
    expected_seq: int | None = None if path.is_file() else 1
    prev_hash: str | None = None if path.is_file() else GENESIS_HASH
    for file in files:
        for line_no, raw in _lines(file):
            problem, entry = _check_line(raw, expected_seq, prev_hash)
            if problem is not None:
                return VerifyResult(
                    False, count, len(files), ChainBreak(file, line_no, _seq_of(entry), problem)
                )
            assert entry is not None
            count += 1
            expected_seq, prev_hash = entry.seq + 1, entry.hash
    return VerifyResult(True, count, len(files), None)


def iter_records(path: Path) -> Iterator[AuditRecord]:
    """Yield the typed records of a chain in order (no verification; use :func:`verify_chain`)."""
    for file in audit_files(path):
        for _, raw in _lines(file):
            yield parse_record(ChainEntry.model_validate_json(raw).record)


def _lines(file: Path) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(file.read_bytes().splitlines(), start=1):
        if raw.strip():
            yield number, raw


def _check_line(
    raw: bytes, expected_seq: int | None, prev_hash: str | None
) -> tuple[str | None, ChainEntry | None]:
    try:
        entry = ChainEntry.model_validate_json(raw)
    except ValidationError as exc:
        return f"not a chain entry: {exc.errors()[0]['msg']}", None
    if expected_seq is not None and entry.seq != expected_seq:
        return f"sequence {entry.seq} where {expected_seq} was expected (record deleted or reordered)", entry
    if prev_hash is not None and entry.prev_hash != prev_hash:
        return "prev_hash does not match the previous record's hash (record deleted or reordered)", entry
    if entry_hash(entry.prev_hash, entry.seq, entry.record) != entry.hash:
        return "hash does not match the record's content (record edited)", entry
    try:
        parse_record(entry.record)
    except ValidationError as exc:
        return f"record is not a valid audit record: {exc.errors()[0]['msg']}", entry
    return None, entry


def _seq_of(entry: ChainEntry | None) -> int | None:
    return entry.seq if entry is not None else None
