"""Per-level executor lifecycle: which levels to (re)create and which quotes to refresh.

Each level (``buy_0``, ``sell_1`` …) is replaced on its own: a filled level comes back after the
filled-order delay while the other levels keep resting (unlike replacing a side only when all of its
executors are done). Every decision takes ``now`` from the caller (one clock: the market data
provider's time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["LevelTimers", "LevelView", "level_ids", "levels_to_create", "levels_to_refresh", "parse_level_id"]


@dataclass(frozen=True)
class LevelView:
    """What the level logic needs to know about one executor (built from Hummingbot's ExecutorInfo)."""

    executor_id: str
    level_id: str
    created_at: float
    is_active: bool
    is_trading: bool
    filled: bool
    closed_at: float | None = None
    price: float | None = None


@dataclass(frozen=True)
class LevelTimers:
    """Timers of the level lifecycle, seconds."""

    refresh_time: float
    max_order_age: float
    refresh_tolerance_pct: float
    filled_order_delay: float
    anti_hysteresis: float = 0.0


def level_ids(n_buy: int, n_sell: int) -> list[str]:
    """``buy_0 .. buy_{n-1}, sell_0 ..`` in that order."""
    return [f"buy_{i}" for i in range(n_buy)] + [f"sell_{i}" for i in range(n_sell)]


def parse_level_id(level_id: str) -> tuple[str, int]:
    """``"buy_2" -> ("buy", 2)``."""
    side, _, index = level_id.partition("_")
    if side not in ("buy", "sell") or not index.isdigit():
        raise ValueError(f"malformed level id {level_id!r}; expected buy_<n> or sell_<n>")
    return side, int(index)


def _latest_by_level(views: Iterable[LevelView]) -> dict[str, LevelView]:
    latest: dict[str, LevelView] = {}
    for view in views:
        current = latest.get(view.level_id)
        if current is None or view.created_at >= current.created_at:
            latest[view.level_id] = view
    return latest


def _level_busy(view: LevelView | None, now: float, timers: LevelTimers) -> bool:
    if view is None:
        return False
    if view.is_active:
        return True
    closed = view.closed_at if view.closed_at is not None else view.created_at
    if view.filled and now - closed < timers.filled_order_delay:
        return True
    return now - view.created_at < timers.anti_hysteresis


def levels_to_create(
    all_levels: Sequence[str], views: Iterable[LevelView], now: float, timers: LevelTimers
) -> list[str]:
    """Levels with no active executor whose filled-order delay and anti-hysteresis have elapsed."""
    views = list(views)
    active = {v.level_id for v in views if v.is_active}
    latest = _latest_by_level(views)
    return [lid for lid in all_levels if lid not in active and not _level_busy(latest.get(lid), now, timers)]


def _needs_refresh(view: LevelView, desired: float | None, now: float, timers: LevelTimers) -> bool:
    age = now - view.created_at
    if age >= timers.max_order_age:
        return True
    if age < timers.refresh_time:
        return False
    if desired is None or view.price is None or view.price <= 0:
        return True
    return abs(desired - view.price) / view.price > timers.refresh_tolerance_pct


def levels_to_refresh(
    views: Iterable[LevelView],
    desired_prices: Mapping[str, float],
    now: float,
    timers: LevelTimers,
    pulled_levels: Iterable[str] = (),
) -> list[str]:
    """Executor ids to stop: unfilled quotes that are stale, too old, or on a pulled level.

    A quote older than ``refresh_time`` is kept if the desired price moved less than the tolerance
    (order_refresh_tolerance_pct); one older than ``max_order_age`` is always replaced. A level with a
    fill in progress is never refreshed (its executor finishes on its own).
    """
    pulled = set(pulled_levels)
    out: list[str] = []
    for view in views:
        if not view.is_active or (view.is_trading and now - view.created_at < timers.max_order_age):
            continue
        if view.level_id in pulled or _needs_refresh(view, desired_prices.get(view.level_id), now, timers):
            out.append(view.executor_id)
    return out
