"""Fibonacci retracement and extension levels of one leg (pure arithmetic)."""

from __future__ import annotations

__all__ = ["EXTENSIONS", "RETRACEMENTS", "fib_levels"]

RETRACEMENTS = (0.236, 0.382, 0.5, 0.618, 0.786)
EXTENSIONS = (1.272, 1.618)


def fib_levels(start: float, end: float) -> list[tuple[float, float]]:
    """(ratio, price) of a leg from ``start`` to ``end``.

    Retracement ``r`` lies back from ``end`` towards ``start``: ``end - r (end - start)``; extension
    ``e`` projects the leg past ``end``: ``start + e (end - start)``. The leg's ends are ratios 0 and 1.
    """
    move = end - start
    out = [(0.0, end), (1.0, start)]
    out += [(r, end - r * move) for r in RETRACEMENTS]
    out += [(e, start + e * move) for e in EXTENSIONS]
    return sorted(out, key=lambda rp: rp[1])
