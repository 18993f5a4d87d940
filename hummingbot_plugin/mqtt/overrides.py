"""Generic config overrides for any pydantic controller config whose fields declare ``is_updatable``.

The new config is built with the config class itself (``model_validate`` on the merged dump), so every
field constraint and model validator runs on the whole result; nothing is applied unless all of it is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from hummingbot_plugin.mqtt.rejections import RejectionReason

__all__ = ["OverrideOutcome", "build_overridden_config", "updatable_fields"]


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

    @property
    def accepted(self) -> bool:
        return self.config is not None


def build_overridden_config[C: BaseModel](config: C, changes: Mapping[str, Any]) -> OverrideOutcome[C]:
    """Validate ``changes`` against ``type(config)`` and return the new config, or why it was refused."""
    config_class = type(config)
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
    merged = config.model_dump(warnings=False)
    merged.update(changes)
    try:
        new_config = config_class.model_validate(merged)
    except ValidationError as exc:
        return OverrideOutcome(None, RejectionReason.INVALID_CONFIG, _describe(exc))
    except (ValueError, TypeError) as exc:
        return OverrideOutcome(None, RejectionReason.INVALID_CONFIG, f"{type(exc).__name__}: {exc}")
    return OverrideOutcome(new_config)


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(loc) for loc in error["loc"]) or "config"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
