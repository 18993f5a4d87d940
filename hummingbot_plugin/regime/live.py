"""The regime of the newest closed bar, for a live or replayed script (same rules as the walk-forward).

The candle window is cut into UTC days; each day's thresholds are fitted on the ``train_days`` before
it (:func:`label.walk_forward_labels` with daily blocks) and the label runs with its hysteresis from
the first labelled day. Deterministic in the window, so a restart gives the same label.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.regime.label import Regime, RegimeSettings, walk_forward_labels

__all__ = ["ROUTE_OFF", "controller_for", "current_regime"]

FloatArray = NDArray[np.float64]
DAY = 86_400
ROUTE_OFF = "none"


def current_regime(timestamps: FloatArray, closes: FloatArray, settings: RegimeSettings) -> Regime | None:
    """Label after the last bar of ``timestamps`` (closed bars only), None without enough history."""
    if timestamps.size == 0:
        return None
    first_day = (np.floor(timestamps[0] / DAY) + settings.train_days + 1) * DAY
    last_day = np.floor(timestamps[-1] / DAY) * DAY
    if last_day < first_day:
        return None
    edges = [float(d) for d in np.arange(first_day, last_day + DAY, DAY)] + [float(timestamps[-1] + 1)]
    labels, _ = walk_forward_labels(closes, timestamps, edges, settings)
    return Regime(int(labels[-1]))


def controller_for(regime: Regime, routes: Mapping[str, str]) -> str | None:
    """The controller id routed to ``regime`` (``routes`` keyed by lower-case regime name), None = flat."""
    name = regime.name.lower()
    if name not in routes:
        raise ConfigError(f"no route for regime {name}", fix=f"add {name}: <controller id or none> to routes")
    target = routes[name]
    return None if target == ROUTE_OFF else target
