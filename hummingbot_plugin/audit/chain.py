"""The hash chain shared by the writer and the verifier.

Each JSONL line is an :class:`ChainEntry`: a sequence number, the previous entry's hash, this
entry's hash and the record. ``hash = sha256(prev_hash | seq | canonical JSON of record)``, so
editing, deleting or reordering any line breaks the chain from that line on.
"""

from __future__ import annotations

import hashlib
import hmac
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
    "entry_mac",
    "file_name",
    "head_mac",
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
    mac: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$", description="HMAC of hash (keyed chain)")

    def to_line(self) -> str:
        body = self.model_dump(mode="json")
        if body["mac"] is None:
            del body["mac"]
        return canonical_json(body) + "\n"


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(prev_hash: str, seq: int, record: dict[str, Any]) -> str:
    """The hash that chains ``record`` (number ``seq``) to its predecessor."""
    payload = f"{prev_hash}|{seq}|{canonical_json(record)}".encode()
    return hashlib.sha256(payload).hexdigest()


def entry_mac(key: bytes, entry_hash_hex: str) -> str:
    """HMAC-SHA256 of an entry's hash: without the key no one can append, edit or re-chain."""
    return hmac.new(key, f"entry|{entry_hash_hex}".encode(), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, head_hash: str) -> str:
    """HMAC of the chain head (seq + hash), recorded outside the log as an anchor."""
    return hmac.new(key, f"head|{seq}|{head_hash}".encode(), hashlib.sha256).hexdigest()


def file_name(index: int) -> str:
    return f"audit-{index:06d}.jsonl"


def audit_files(path: Path) -> list[Path]:
    """The audit files under ``path`` in chain order (a single file is returned as is)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if FILE_PATTERN.match(p.name))
