"""Confluence zones: Fibonacci levels of the latest legs at several swing orders, clustered in bp.

At every swing order ``k`` (a proxy for a timeframe: k = 6, 24, 72 hourly bars) the last ``legs`` legs
give their Fibonacci levels (``fib.fib_levels``). All levels are sorted and grouped while each stays
within ``tol_bp`` of the group's first price; a zone's ``score`` is the number of DISTINCT legs in it
(the same leg found at two orders counts once). The zones change only when a swing is confirmed, so
:func:`zone_timeline` stores one zone set per such bar; ``at(t)`` is the set known after bar ``t`` closed.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.levels.fib import fib_levels
from hummingbot_plugin.levels.swings import Swing, swing_states

__all__ = ["LevelSettings", "Zone", "ZoneTimeline", "cluster", "zone_timeline", "zones_now"]

FloatArray = NDArray[np.float64]
Source = tuple[int, int]  # (start bar, end bar) of a leg
BP = 1e-4


@dataclass(frozen=True, slots=True)
class LevelSettings:
    """Swing orders (bars), legs per order and the clustering tolerance (basis points)."""

    orders: tuple[int, ...] = (6, 24, 72)
    legs: int = 3
    tol_bp: float = 25.0

    def __post_init__(self) -> None:
        if not self.orders or min(self.orders) < 1 or self.legs < 1 or self.tol_bp <= 0:
            raise ConfigError(
                f"level settings {self}: orders >= 1, legs >= 1, tol_bp > 0 required",
                fix="e.g. orders=(6, 24, 72), legs=3, tol_bp=25",
            )


@dataclass(frozen=True, slots=True)
class Zone:
    """A price band where levels coincide; ``score`` = distinct legs contributing."""

    price: float
    low: float
    high: float
    score: int


def cluster(levels: list[tuple[float, Source]], tol_bp: float) -> tuple[Zone, ...]:
    """Group sorted levels while each is within ``tol_bp`` of its group's first price."""
    ordered = sorted(levels)
    zones: list[Zone] = []
    i = 0
    while i < len(ordered):
        first = ordered[i][0]
        j = i
        while j < len(ordered) and ordered[j][0] <= first * (1.0 + tol_bp * BP):
            j += 1
        prices = [p for p, _ in ordered[i:j]]
        sources = {s for _, s in ordered[i:j]}
        zones.append(Zone(sum(prices) / len(prices), prices[0], prices[-1], len(sources)))
        i = j
    return tuple(zones)


def _levels_of(swings: list[Swing]) -> list[tuple[float, Source]]:
    out: list[tuple[float, Source]] = []
    for a, b in itertools.pairwise(swings):
        out += [(price, (a.index, b.index)) for _, price in fib_levels(a.price, b.price) if price > 0]
    return out


@dataclass(frozen=True)
class ZoneTimeline:
    """Zone sets by the bar after whose close they hold (``bars`` strictly increasing)."""

    bars: NDArray[np.int64]
    zones: tuple[tuple[Zone, ...], ...]

    def at(self, t: int) -> tuple[Zone, ...]:
        """Zones known once bar ``t`` has closed (empty before the first confirmed leg)."""
        j = int(np.searchsorted(self.bars, t, side="right")) - 1
        return self.zones[j] if j >= 0 else ()

    def index_at(self, t: NDArray[np.int64]) -> NDArray[np.int64]:
        """Vectorised ``at``: the zone-set position per bar (−1 = none yet)."""
        return (np.searchsorted(self.bars, t, side="right") - 1).astype(np.int64)


def zone_timeline(high: FloatArray, low: FloatArray, settings: LevelSettings) -> ZoneTimeline:
    """The zone set after every bar whose close confirmed a swing at any order."""
    per_order: dict[int, list[Swing]] = {k: [] for k in settings.orders}
    events: list[tuple[int, int, list[Swing]]] = []
    for k in settings.orders:
        events += [(bar, k, state) for bar, state in swing_states(high, low, k, settings.legs + 1)]
    events.sort(key=lambda e: (e[0], e[1]))
    bars: list[int] = []
    zones: list[tuple[Zone, ...]] = []
    for j, (bar, k, state) in enumerate(events):
        per_order[k] = state
        if j + 1 < len(events) and events[j + 1][0] == bar:
            continue
        unique = {lv for sw in per_order.values() for lv in _levels_of(sw)}
        bars.append(bar)
        zones.append(cluster(list(unique), settings.tol_bp))
    return ZoneTimeline(np.asarray(bars, dtype=np.int64), tuple(zones))


def zones_now(high: FloatArray, low: FloatArray, settings: LevelSettings) -> tuple[Zone, ...]:
    """``zone_timeline(...).at(last bar)`` without the history of zone sets (one clustering)."""
    unique: set[tuple[float, Source]] = set()
    for k in settings.orders:
        last = deque(swing_states(high, low, k, settings.legs + 1), maxlen=1)
        unique |= set(_levels_of(last[0][1])) if last else set()
    return cluster(list(unique), settings.tol_bp)
