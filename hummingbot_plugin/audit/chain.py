"""The hash chain shared by the writer and the verifier.

Each JSONL line is an :class:`ChainEntry`: a sequence number, the previous entry's hash, this
entry's hash and the record. ``hash = sha256(prev_hash | seq | canonical JSON of record)``, so
editing, deleting or reordering any line breaks the chain from that line on.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FILE_PATTERN",
    "GENESIS_HASH",
    "ChainEntry",
    "audit_files",
    "canonical_json",
    "entry_hash",
    "file_name",
]

GENESIS_HASH = "0" * 64
FILE_PATTERN = re.compile(r"^audit-(\d{6})\.jsonl$")


class ChainEntry(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    record: dict[str, Any]

    def to_line(self) -> str:
        return canonical_json(self.model_dump(mode="json")) + "\n"


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(prev_hash: str, seq: int, record: dict[str, Any]) -> str:
    """The hash that chains ``record`` (number ``seq``) to its predecessor."""
    payload = f"{prev_hash}|{seq}|{canonical_json(record)}".encode()
    return hashlib.sha256(payload).hexdigest()


def file_name(index: int) -> str:
    return f"audit-{index:06d}.jsonl"


def audit_files(path: Path) -> list[Path]:
    """The audit files under ``path`` in chain order (a single file is returned as is)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if FILE_PATTERN.match(p.name))
