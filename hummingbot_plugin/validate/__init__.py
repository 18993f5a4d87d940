"""Configuration validation rules (pure): problems with field paths and fixes, cross-controller conflicts."""

from hummingbot_plugin.validate.conflicts import ControllerView, find_conflicts
from hummingbot_plugin.validate.problems import Problem, fix_for_error, suggest_key
from hummingbot_plugin.validate.rules import check_mqtt_settings, check_raw_values, iter_leaves

__all__ = [
    "ControllerView",
    "Problem",
    "check_mqtt_settings",
    "check_raw_values",
    "find_conflicts",
    "fix_for_error",
    "iter_leaves",
    "suggest_key",
]
