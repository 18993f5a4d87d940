"""Progress of long commands on stderr, drawn by tqdm; a plain end-of-run line when it is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from tqdm import tqdm

__all__ = ["progress"]


def progress[T](
    items: Iterable[T],
    *,
    total: int | None = None,
    label: str = "",
    stream: TextIO | None = None,
    enabled: bool = True,
) -> Iterator[T]:
    """Yield ``items`` with a tqdm bar (``label``) on a terminal; elsewhere (a log file) one line at the end,
    so no carriage-return redraws fill the file."""
    out = stream or sys.stderr
    if not enabled:
        yield from items
        return
    if out.isatty():
        yield from tqdm(items, total=total, desc=label, file=out, leave=True)
        return
    count = 0
    for item in items:
        count += 1
        yield item
    if count:
        out.write(f"{label} {count}/{total or count} done\n")
        out.flush()
