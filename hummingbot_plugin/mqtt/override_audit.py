"""Audit records for override decisions (the shared sha256-chained audit log, when one is configured)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from hummingbot_plugin.audit import AuditSink, AuditWriteError, OverrideRecord
from hummingbot_plugin.mqtt.messages import OverrideAck

__all__ = ["OverrideAuditor", "payload_digest"]


def payload_digest(payload: Any) -> str:
    """sha256 of the raw bytes, or of the compact JSON of an already-parsed payload ("" if not encodable)."""
    if isinstance(payload, (bytes, bytearray)):
        return hashlib.sha256(payload).hexdigest()
    try:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class OverrideAuditor:
    """Writes one :class:`OverrideRecord` per override decision; ``sink=None`` disables it."""

    def __init__(self, sink: AuditSink | None, logger: logging.Logger) -> None:
        self._sink = sink
        self._logger = logger

    def record(self, ack: OverrideAck, payload: Any, sender: str | None) -> bool:
        """Append the decision; False if the audit log could not be written (the caller fails closed)."""
        if self._sink is None:
            return True
        command = "override"
        if ack.accepted:
            changed = {path: f"{old} -> {new}" for path, (old, new) in ack.changed.items()}
            loosen = f" LOOSENED by operator key {sender}: {ack.loosened}" if ack.loosened else ""
            command = f"override {ack.msg_id or '?'}: {changed}{loosen}"[:2000]
        record = OverrideRecord(
            ts=ack.at,
            source=ack.controller_id,
            accepted=ack.accepted,
            command=command,
            reason=ack.reason if ack.accepted else f"{ack.reason}: {ack.detail}"[:500],
            sender=sender or "",
            payload_sha256=payload_digest(payload),
        )
        try:
            self._sink.append(record)
        except (AuditWriteError, OSError) as exc:
            self._logger.error("audit log unavailable for an override: %s", exc)
            return False
        return getattr(self._sink, "healthy", True) is not False  # buffered in memory is not audited
