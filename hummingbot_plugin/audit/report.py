"""Summarise an audit chain over a period: counts by type, denials by reason, risk transitions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hummingbot_plugin.audit.records import DecisionRecord, OverrideRecord, RiskTransitionRecord
from hummingbot_plugin.audit.verify import iter_records

__all__ = ["AuditSummary", "summarise"]


@dataclass
class AuditSummary:
    """What happened between ``start`` and ``end`` (inclusive, epoch seconds; None = open)."""

    start: float | None
    end: float | None
    records: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    counts_by_type: Counter[str] = field(default_factory=Counter)
    denials_by_reason: Counter[str] = field(default_factory=Counter)
    overrides_rejected: int = 0
    transitions: list[RiskTransitionRecord] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable report lines."""
        out = [f"records: {self.records} (ts {self.first_ts} .. {self.last_ts})", "by type:"]
        out += [f"  {name}: {count}" for name, count in sorted(self.counts_by_type.items())]
        out.append("denials by reason:")
        out += [f"  {name}: {count}" for name, count in sorted(self.denials_by_reason.items())] or ["  none"]
        out.append(f"overrides rejected: {self.overrides_rejected}")
        out.append("risk transitions:")
        out += [
            f"  {t.ts}: [{t.scope}] {t.from_state} -> {t.to_state} ({t.reason_code}: {t.reason_text})"
            for t in self.transitions
        ] or ["  none"]
        return out


def summarise(path: Path, start: float | None = None, end: float | None = None) -> AuditSummary:
    summary = AuditSummary(start=start, end=end)
    for record in iter_records(path):
        if (start is not None and record.ts < start) or (end is not None and record.ts > end):
            continue
        summary.records += 1
        summary.first_ts = record.ts if summary.first_ts is None else min(summary.first_ts, record.ts)
        summary.last_ts = record.ts if summary.last_ts is None else max(summary.last_ts, record.ts)
        summary.counts_by_type[record.type] += 1
        if isinstance(record, DecisionRecord) and not record.allowed:
            summary.denials_by_reason[record.reason_code or "UNKNOWN"] += 1
        elif isinstance(record, OverrideRecord) and not record.accepted:
            summary.overrides_rejected += 1
        elif isinstance(record, RiskTransitionRecord):
            summary.transitions.append(record)
    return summary
