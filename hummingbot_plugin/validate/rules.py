"""Plugin-wide sanity rules applied on top of each config class's own validation.

They cover what a config class may forget: NaN/inf anywhere, non-positive amounts, leverage outside
1..125, thresholds outside [0, 1], and insecure MQTT settings.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hummingbot_plugin.validate.problems import Problem

__all__ = ["check_mqtt_settings", "check_raw_values", "iter_leaves"]

_NAN_TEXT = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
MAX_LEVERAGE = 125


def iter_leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from iter_leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def check_raw_values(file: str, data: Mapping[str, Any]) -> list[Problem]:
    """Rules on the raw YAML values (field path as written)."""
    problems = []
    for path, value in iter_leaves(data):
        leaf = path.rsplit(".", 1)[-1]
        number = _number(value)
        if (isinstance(value, str) and value.strip().lower() in _NAN_TEXT) or (
            number is not None and not math.isfinite(number)
        ):
            problems.append(Problem(file, path, f"{value!r} is not a finite number", "use a finite number"))
            continue
        if number is None:
            continue
        if leaf == "leverage" and not (1 <= number <= MAX_LEVERAGE and number == int(number)):
            problems.append(
                Problem(
                    file,
                    path,
                    f"leverage {value} is outside 1..{MAX_LEVERAGE}",
                    "use an integer leverage between 1 (spot) and the venue's maximum",
                )
            )
        elif (leaf.endswith("amount_quote") or leaf in ("amount", "order_amount")) and number <= 0:
            problems.append(
                Problem(file, path, f"amount {value} must be > 0", "use a positive amount in quote")
            )
        elif "threshold" in leaf and not leaf.endswith("_pct") and not 0 <= number <= 1:
            problems.append(
                Problem(
                    file,
                    path,
                    f"threshold {value} is outside [0, 1]",
                    "use a probability between 0 and 1, e.g. 0.6",
                )
            )
    return problems


def check_mqtt_settings(file: str, path: str, settings: Mapping[str, Any]) -> list[Problem]:
    """Insecure control-channel settings: unsigned overrides, readable key files, long replay windows."""
    problems = []
    if settings.get("require_signed_overrides") is False:
        problems.append(
            Problem(
                file,
                f"{path}.require_signed_overrides",
                "overrides are accepted unsigned",
                "set require_signed_overrides: true and provision a keyring",
            )
        )
    keyring = settings.get("keyring_file")
    if keyring:
        key_path = Path(str(keyring))
        if key_path.exists() and os.stat(key_path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            problems.append(
                Problem(
                    file,
                    f"{path}.keyring_file",
                    f"{key_path} is readable by group/others",
                    f"chmod 600 {key_path}",
                )
            )
    max_age = _number(settings.get("max_override_age"))
    if max_age is not None and max_age > 300:
        problems.append(
            Problem(
                file,
                f"{path}.max_override_age",
                f"override window {max_age}s widens replay",
                "use 30-120 seconds",
                severity="warning",
            )
        )
    return problems
