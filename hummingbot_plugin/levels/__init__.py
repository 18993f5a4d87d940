"""Price levels from market structure: swings on closed bars, Fibonacci levels, confluence zones."""

from hummingbot_plugin.levels.confluence import LevelSettings, Zone, ZoneTimeline, cluster, zone_timeline
from hummingbot_plugin.levels.fib import EXTENSIONS, RETRACEMENTS, fib_levels
from hummingbot_plugin.levels.plan import GridSettings, order_levels, plan_frame, take_profit
from hummingbot_plugin.levels.swings import Swing, find_swings, legs

__all__ = [
    "EXTENSIONS",
    "RETRACEMENTS",
    "GridSettings",
    "LevelSettings",
    "Swing",
    "Zone",
    "ZoneTimeline",
    "cluster",
    "fib_levels",
    "find_swings",
    "legs",
    "order_levels",
    "plan_frame",
    "take_profit",
    "zone_timeline",
]
