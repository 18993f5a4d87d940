"""Walk an audit chain (one file or a directory of rotated files) and find the first broken record."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hummingbot_plugin.audit.chain import (
    GENESIS_HASH,
    ChainEntry,
    audit_files,
    entry_hash,
    entry_mac,
    head_mac,
)
from hummingbot_plugin.audit.records import AuditRecord, parse_record

__all__ = ["ChainBreak", "VerifyResult", "find_anchor", "iter_records", "verify_chain"]


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


def verify_chain(
    path: Path, key: bytes | None = None, anchor: Mapping[str, Any] | None = None
) -> VerifyResult:
    """Check every line: valid entry, valid record, consecutive seq, prev_hash link, recomputed hash.

    With ``key`` every entry's HMAC must verify (a forged or re-chained record has none that does).
    With ``anchor`` (a signed head recorded outside the log) the chain must still contain that head:
    dropped last records, deleted or emptied files are reported. A single file may start mid-chain
    (a rotated file): its first entry is then trusted as the anchor.
    """
    files = audit_files(path)
    if not files and anchor is None:
        brk = ChainBreak(path, 0, None, "no audit files found")
        return VerifyResult(False, 0, 0, brk)
    count, seen = 0, {}
    expected_seq: int | None = None if path.is_file() else 1
    prev_hash: str | None = None if path.is_file() else GENESIS_HASH
    for file in files:
        for line_no, raw in _lines(file):
            problem, entry = _check_line(raw, expected_seq, prev_hash, key)
            if problem is not None:
                return VerifyResult(
                    False, count, len(files), ChainBreak(file, line_no, _seq_of(entry), problem)
                )
            assert entry is not None
            count += 1
            expected_seq, prev_hash = entry.seq + 1, entry.hash
            if anchor is not None and entry.seq == anchor.get("seq"):
                seen[entry.seq] = entry.hash
    problem = _check_anchor(anchor, seen, key, (expected_seq or 1) - 1) if anchor is not None else None
    if problem is not None:
        return VerifyResult(
            False, count, len(files), ChainBreak(files[-1] if files else path, 0, None, problem)
        )
    return VerifyResult(True, count, len(files), None)


def _check_anchor(
    anchor: Mapping[str, Any], seen: dict[int, str], key: bytes | None, last: int
) -> str | None:
    seq, digest = anchor.get("seq"), anchor.get("hash")
    if not isinstance(seq, int) or not isinstance(digest, str):
        return "the recorded head is malformed"
    if key is not None and not hmac.compare_digest(head_mac(key, seq, digest), str(anchor.get("mac", ""))):
        return "the recorded head's signature does not verify (forged anchor or wrong key)"
    if seq == 0:
        return None
    if seq not in seen:
        return (
            f"the chain ends at seq {last} but the head recorded outside the log is seq {seq} "
            "(records or files deleted)"
        )
    if seen[seq] != digest:
        return f"record seq {seq} differs from the head recorded outside the log (chain rewritten)"
    return None


def find_anchor(paths: list[Path]) -> dict[str, Any] | None:
    """The newest signed head (highest seq) found in risk-state JSON files (``audit_head``)."""
    best: dict[str, Any] | None = None
    for path in paths:
        try:
            head = json.loads(path.read_text(encoding="utf-8")).get("audit_head")
        except (OSError, ValueError, AttributeError):
            continue
        valid = isinstance(head, dict) and isinstance(head.get("seq"), int)
        if valid and (best is None or head["seq"] > best["seq"]):
            best = head
    return best


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
    raw: bytes, expected_seq: int | None, prev_hash: str | None, key: bytes | None = None
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
    if key is not None and not hmac.compare_digest(entry.mac or "", entry_mac(key, entry.hash)):
        return "HMAC does not verify with the audit key (record forged or chain rewritten)", entry
    try:
        parse_record(entry.record)
    except ValidationError as exc:
        return f"record is not a valid audit record: {exc.errors()[0]['msg']}", entry
    return None, entry


def _seq_of(entry: ChainEntry | None) -> int | None:
    return entry.seq if entry is not None else None
