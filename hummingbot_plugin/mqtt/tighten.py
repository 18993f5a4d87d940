"""Which config changes loosen protection (capital, risk limits, kill switch, pause).

A change loosens when it allows more loss or exposure than before: a higher cap, a shorter cooldown,
a limit switched off (None), the kill switch or pause released, a manual risk state made less
severe. Loosening needs an operator-role key and ``loosen: true``; tightening is always allowed.
Fields not listed here are not risk controls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hummingbot_plugin.risk.models import RiskState

__all__ = ["changed_fields", "loosened"]

#: Lower is tighter (None = no limit).
_CAPS = frozenset(
    {
        "total_amount_quote",
        "max_position_quote",
        "risk.capital_quote",
        "risk.max_drawdown_quote",
        "risk.max_drawdown_pct",
        "risk.reducing_drawdown_pct",
        "risk.daily_loss_limit_quote",
        "risk.max_pair_exposure_quote",
        "risk.max_total_exposure_quote",
        "risk.max_open_executors",
        "risk.max_leverage",
        "risk.max_executors_per_window",
        "risk.max_book_age_seconds",
        "risk.max_candles_age_seconds",
        "risk.max_price_deviation_pct",
        "risk.stop_loss_streak",
    }
)
#: Higher is tighter.
_FLOORS = frozenset({"risk.rate_window_seconds", "risk.stop_loss_cooldown_seconds"})
#: True is tighter.
_SWITCHES = frozenset({"manual_kill_switch", "paused"})
#: A risk state: the more severe, the tighter (HALTED > REDUCING > ACTIVE).
_STATES = frozenset({"quote_risk_override"})


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """Every leaf that differs between two config dumps: ``{"risk.max_leverage": [old, new]}``."""
    out: dict[str, list[Any]] = {}
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out.update(changed_fields(a, b, f"{prefix}{name}."))
        elif a != b:
            out[f"{prefix}{name}"] = [_plain(a), _plain(b)]
    return out


def loosened(changed: Mapping[str, list[Any]], old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The changed fields (dotted) that loosen protection."""
    found = []
    for path in changed:
        if path in _SWITCHES:
            loose = bool(_get(old, path)) and not bool(_get(new, path))
        elif path in _CAPS:
            loose = _effective(new, path) > _effective(old, path)
        elif path in _FLOORS:
            loose = _effective(new, path) < _effective(old, path)
        elif path in _STATES:
            loose = _severity(_get(new, path)) < _severity(_get(old, path))
        else:
            loose = path.startswith("risk.")  # any other risk policy change (e.g. close_positions_on_halt)
        if loose:
            found.append(path)
    return found


def _effective(dump: Mapping[str, Any], path: str) -> float:
    """The value a cap really has: None means unlimited, or the documented fallback."""
    value = _get(dump, path)
    if value is not None:
        return float(value)
    if path == "risk.capital_quote":
        return _effective(dump, "total_amount_quote")
    if path == "risk.max_total_exposure_quote":
        return _effective(dump, "risk.capital_quote") * _effective(dump, "risk.max_leverage")
    if path == "risk.max_pair_exposure_quote":
        return _effective(dump, "risk.max_total_exposure_quote")
    return math.inf


def _severity(value: Any) -> int:
    """Severity of a risk state value; an unknown one counts as the most severe (fail closed)."""
    text = str(getattr(value, "value", value))
    return RiskState(text).severity if text in RiskState.__members__ else RiskState.HALTED.severity


def _get(dump: Mapping[str, Any], path: str) -> Any:
    node: Any = dump
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _plain(value: Any) -> Any:
    """JSON-friendly value for the ack (Decimals as strings, enums as values)."""
    if isinstance(value, Decimal):
        return str(value)
    return getattr(value, "value", value)
