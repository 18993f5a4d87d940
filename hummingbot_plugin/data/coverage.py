"""Which part of a requested period the data covers: one pure rule shared by ``backtest`` and ``replay``.

The data period is the part every file covers (the latest first timestamp to the earliest last one).
The used period is its intersection with the request (``--start``/``--end``, inclusive; None = open).

* no intersection → :class:`DataError` naming every file's coverage and the fix;
* a request that reaches ``step_s`` or more beyond the data on either side is *clipped*: the run goes
  on over the used part, and :meth:`Coverage.note` says which part that is.

Every time in a message is an ISO time in UTC (``2023-01-01T00:00:00Z``), never raw epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hummingbot_plugin.errors import DataError

__all__ = ["Coverage", "DataSpan", "coverage", "iso"]


def iso(ts: float | None) -> str:
    """``2023-01-01T00:00:00Z`` for epoch seconds (fractions dropped); ``open`` for None."""
    if ts is None:
        return "open"
    return datetime.fromtimestamp(int(ts // 1), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class DataSpan:
    """One file's coverage: first and last timestamp, and its time step (bar length; 0 = exact)."""

    name: str
    first: float
    last: float
    step_s: float = 0.0

    def text(self) -> str:
        return f"{self.name} covers {iso(self.first)} → {iso(self.last)}"


@dataclass(frozen=True, slots=True)
class Coverage:
    """The requested, available and used periods (epoch seconds) and whether the request was cut."""

    requested_start: float | None
    requested_end: float | None
    data_start: float
    data_end: float
    used_start: float
    used_end: float
    start_clipped: bool
    end_clipped: bool

    @property
    def clipped(self) -> bool:
        return self.start_clipped or self.end_clipped

    def note(self) -> str:
        """One line for stderr ('' when the request was not clipped)."""
        if not self.clipped:
            return ""
        cut = " and ".join(
            part for part, flag in (("its start", self.start_clipped), ("its end", self.end_clipped)) if flag
        )
        return (
            f"note: the requested period {iso(self.requested_start)} → {iso(self.requested_end)} is partly "
            f"outside the data ({cut}); using {iso(self.used_start)} → {iso(self.used_end)} "
            f"(data covers {iso(self.data_start)} → {iso(self.data_end)})"
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON ``period`` fields (ISO times)."""
        return {
            "requested_start": None if self.requested_start is None else iso(self.requested_start),
            "requested_end": None if self.requested_end is None else iso(self.requested_end),
            "data_start": iso(self.data_start),
            "data_end": iso(self.data_end),
            "used_start": iso(self.used_start),
            "used_end": iso(self.used_end),
            "clipped": self.clipped,
        }


def coverage(spans: Sequence[DataSpan], start: float | None, end: float | None) -> Coverage:
    """The used period of ``[start, end]`` over ``spans`` (see module docstring)."""
    if not spans:
        raise DataError("no data files given", fix="pass at least one data file")
    empty = [s for s in spans if not s.last >= s.first]
    if empty:
        raise DataError(f"{empty[0].name} holds no data", fix="pass a non-empty data file")
    if start is not None and end is not None and end < start:
        raise DataError(
            f"--start {iso(start)} is after --end {iso(end)}", fix="give an end on or after the start"
        )
    data_start = max(s.first for s in spans)
    data_end = min(s.last for s in spans)
    listing = "; ".join(s.text() for s in spans)
    if data_end < data_start:
        raise DataError(
            f"the data files share no common period ({listing})",
            fix="pass files covering the same dates",
        )
    used_start = data_start if start is None else max(data_start, start)
    used_end = data_end if end is None else min(data_end, end)
    if used_end <= used_start:
        raise DataError(
            f"the requested period {iso(start)} → {iso(end)} is outside the data ({listing})",
            fix=f"choose --start/--end inside {iso(data_start)} → {iso(data_end)}, or add data for it",
        )
    step = max(s.step_s for s in spans)
    return Coverage(
        requested_start=start,
        requested_end=end,
        data_start=data_start,
        data_end=data_end,
        used_start=used_start,
        used_end=used_end,
        start_clipped=start is not None and used_start - start >= max(step, 1e-9),
        end_clipped=end is not None and end - used_end >= max(step, 1e-9),
    )
