"""A minimal progress display on stderr for long commands (no extra dependency)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

__all__ = ["progress"]


def progress[T](
    items: Iterable[T],
    *,
    total: int | None = None,
    label: str = "",
    stream: TextIO | None = None,
    enabled: bool = True,
) -> Iterator[T]:
    """Yield ``items`` while printing ``label  i/total  pct`` on one updating line."""
    out = stream or sys.stderr
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    last_pct = -1
    count = 0
    for count, item in enumerate(items, start=1):
        if enabled:
            pct = int(100 * count / total) if total else -1
            if pct != last_pct:
                shown = f"{pct:3d}%" if total else f"{count}"
                out.write(f"\r{label} {count}/{total or '?'} {shown}")
                out.flush()
                last_pct = pct
        yield item
    if enabled and count:
        out.write("\n")
        out.flush()
