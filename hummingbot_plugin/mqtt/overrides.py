"""Generic config overrides for any pydantic controller config whose fields declare ``is_updatable``.

Values are strictly typed (no ``"0.7"`` → 0.7, no ``true`` → 1.0); nested objects (``risk``) merge
field by field, so a partial override keeps every limit it does not name. The new config is built with
the config class itself (``model_validate`` on the merged dump), so every field constraint and model
validator runs on the whole result; nothing is applied unless all of it is valid. A change that loosens
capital or a risk limit (see :mod:`~hummingbot_plugin.mqtt.tighten`) is refused unless ``allow_loosen``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from hummingbot_plugin.mqtt.rejections import RejectionReason
from hummingbot_plugin.mqtt.strict import type_problem
from hummingbot_plugin.mqtt.tighten import changed_fields, loosened

__all__ = ["OverrideOutcome", "build_overridden_config", "merge_changes", "updatable_fields"]


def updatable_fields(config_class: type[BaseModel]) -> frozenset[str]:
    """Names of the fields whose ``json_schema_extra`` has ``is_updatable: True``."""
    names = set()
    for name, info in config_class.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("is_updatable") is True:
            names.add(name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class OverrideOutcome[C: BaseModel]:
    """Either ``config`` (the new, fully validated config) or a rejection ``reason`` with ``detail``."""

    config: C | None
    reason: RejectionReason | None = None
    detail: str = ""
    changed: dict[str, list[Any]] | None = None
    loosened: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.config is not None


def build_overridden_config[C: BaseModel](
    config: C, changes: Mapping[str, Any], *, allow_loosen: bool = True
) -> OverrideOutcome[C]:
    """Validate ``changes`` against ``type(config)`` and return the new config, or why it was refused.

    ``changed`` lists every field that differs, old → new. ``allow_loosen=False`` refuses a result
    that loosens capital or a risk limit (reason ``loosening``).
    """
    config_class = type(config)
    refused = _check_fields(config_class, changes)
    if refused is not None:
        return refused
    old = config.model_dump(warnings=False)
    merged = merge_changes(old, changes)
    try:
        new_config = config_class.model_validate(merged)
    except ValidationError as exc:
        return OverrideOutcome(None, RejectionReason.INVALID_CONFIG, _describe(exc))
    except (ValueError, TypeError) as exc:
        return OverrideOutcome(None, RejectionReason.INVALID_CONFIG, f"{type(exc).__name__}: {exc}")
    new = new_config.model_dump(warnings=False)
    changed = changed_fields(old, new)
    loose = tuple(loosened(changed, old, new))
    if loose and not allow_loosen:
        detail = "loosening needs an operator key and loosen: true: " + ", ".join(
            f"{path} {changed[path][0]} -> {changed[path][1]}" for path in loose
        )
        return OverrideOutcome(None, RejectionReason.LOOSENING, detail, changed, loose)
    return OverrideOutcome(new_config, changed=changed, loosened=loose)


def _check_fields(config_class: type[BaseModel], changes: Mapping[str, Any]) -> OverrideOutcome[Any] | None:
    unknown = sorted(set(changes) - set(config_class.model_fields))
    if unknown:
        return OverrideOutcome(
            None, RejectionReason.UNKNOWN_CONFIG_FIELD, f"no such config field(s): {unknown}"
        )
    frozen = sorted(set(changes) - updatable_fields(config_class))
    if frozen:
        return OverrideOutcome(
            None, RejectionReason.NOT_UPDATABLE, f"field(s) not updatable at runtime: {frozen}"
        )
    for name, value in changes.items():
        problem = type_problem(config_class.model_fields[name].annotation, value, name)
        if problem is not None:
            return OverrideOutcome(None, RejectionReason.WRONG_TYPE, problem)
    return None


def merge_changes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied; objects merge key by key (a partial ``risk`` keeps the rest)."""
    merged = dict(current)
    for name, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(name), dict):
            merged[name] = merge_changes(merged[name], value)
        else:
            merged[name] = value
    return merged


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(loc) for loc in error["loc"]) or "config"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
