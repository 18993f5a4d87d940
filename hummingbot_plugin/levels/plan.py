"""Where the level grid places its buys and takes profit (shared by the research simulator and the
``fib_grid`` controller), and the per-bar plan frame a controller reads.

Buys: confluence zones with ``score >= min_score`` between ``min_gap_bp`` and ``max_depth_pct`` below the
last close, not within ``same_level_bp`` of a level already held, nearest first, at most ``slots``.
Take-profit: the nearest qualifying zone at least ``min_tp_pct`` above the order's level, else
``fallback_tp_pct`` above it. Stop: ``stop_pct`` below the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.levels.confluence import LevelSettings, Zone, zone_timeline, zones_now

__all__ = [
    "GridSettings",
    "OpenOrder",
    "grid_actions",
    "order_levels",
    "plan_frame",
    "plan_now",
    "take_profit",
]


@dataclass(frozen=True, slots=True)
class GridSettings:
    """Order placement and exit rules of the level grid (percent / basis points of price)."""

    min_score: int = 3
    slots: int = 3
    min_gap_bp: float = 30.0
    max_depth_pct: float = 6.0
    min_tp_pct: float = 1.0
    fallback_tp_pct: float = 3.0
    stop_pct: float = 3.0
    time_stop_bars: int = 336
    same_level_bp: float = 25.0

    def __post_init__(self) -> None:
        if self.slots < 1 or self.min_score < 1 or min(self.min_tp_pct, self.stop_pct, self.min_gap_bp) <= 0:
            raise ConfigError(
                f"grid settings {self}: slots, min_score >= 1; tp, stop, gap > 0", fix="use the defaults"
            )


def take_profit(zones: Sequence[Zone], level: float, grid: GridSettings) -> float:
    """Nearest qualifying zone at least ``min_tp_pct`` above ``level`` (else the fallback)."""
    floor = level * (1.0 + grid.min_tp_pct / 100.0)
    above = [z.price for z in zones if z.score >= grid.min_score and z.price >= floor]
    return min(above) if above else level * (1.0 + grid.fallback_tp_pct / 100.0)


def order_levels(
    zones: Sequence[Zone], last_close: float, held: Sequence[float], grid: GridSettings
) -> list[float]:
    """Buy levels for the free slots, nearest first (``held`` = entry levels already open)."""
    top = last_close * (1.0 - grid.min_gap_bp * 1e-4)
    bottom = last_close * (1.0 - grid.max_depth_pct / 100.0)
    near = grid.same_level_bp * 1e-4
    free = [
        z.price
        for z in zones
        if z.score >= grid.min_score
        and bottom <= z.price <= top
        and all(abs(z.price / h - 1.0) > near for h in held)
    ]
    return sorted(free, reverse=True)[: max(grid.slots - len(held), 0)]


def plan_frame(candles: pd.DataFrame, levels: LevelSettings, grid: GridSettings) -> pd.DataFrame:
    """Per bar (after its close): ``level_i`` / ``tp_i`` for i = 1..slots, NaN where no level qualifies."""
    high, low = candles["high"].to_numpy(np.float64), candles["low"].to_numpy(np.float64)
    timeline = zone_timeline(high, low, levels)
    closes = candles["close"].to_numpy(np.float64)
    table = np.full((closes.size, 2 * grid.slots), np.nan)
    cache: dict[int, tuple[Zone, ...]] = {}
    for t, j in enumerate(timeline.index_at(np.arange(closes.size, dtype=np.int64)).tolist()):
        zones = cache.setdefault(j, timeline.zones[j] if j >= 0 else ())
        for i, level in enumerate(order_levels(zones, float(closes[t]), [], grid)):
            table[t, i], table[t, grid.slots + i] = level, take_profit(zones, level, grid)
    names = [f"level_{i + 1}" for i in range(grid.slots)] + [f"tp_{i + 1}" for i in range(grid.slots)]
    frame = pd.DataFrame(table, columns=names)
    frame.insert(0, "timestamp", candles["timestamp"].to_numpy(np.float64))
    frame.insert(1, "close", closes)
    return frame


def plan_now(candles: pd.DataFrame, levels: LevelSettings, grid: GridSettings) -> dict[str, float]:
    """The last row of :func:`plan_frame` (``level_i`` / ``tp_i``), computed for the last bar only."""
    high, low = candles["high"].to_numpy(np.float64), candles["low"].to_numpy(np.float64)
    zones = zones_now(high, low, levels)
    row = {f"level_{i + 1}": float("nan") for i in range(grid.slots)}
    row |= {f"tp_{i + 1}": float("nan") for i in range(grid.slots)}
    if len(candles):
        for i, level in enumerate(order_levels(zones, float(candles["close"].iloc[-1]), [], grid)):
            row[f"level_{i + 1}"], row[f"tp_{i + 1}"] = level, take_profit(zones, level, grid)
    return row


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An active grid executor: its buy level and whether its entry has filled."""

    executor_id: str
    level: float
    filled: bool


def grid_actions(
    planned: Sequence[tuple[float, float]], active: Sequence[OpenOrder], grid: GridSettings
) -> tuple[list[tuple[float, float]], list[str]]:
    """``(levels to open with their take-profit, executor ids to cancel)``.

    An unfilled order whose level left the plan is cancelled; a filled one is left to its take-profit,
    stop and time limit. Free slots take planned levels no active executor already covers.
    """
    near = grid.same_level_bp * 1e-4

    def covered(price: float, levels: Sequence[float]) -> bool:
        return any(abs(price / other - 1.0) <= near for other in levels)

    targets = [level for level, _ in planned]
    stops = [o.executor_id for o in active if not o.filled and not covered(o.level, targets)]
    kept = [o.level for o in active if o.executor_id not in stops]
    free = max(grid.slots - len(kept), 0)
    creates = [(level, tp) for level, tp in planned if not covered(level, kept)][:free]
    return creates, stops
