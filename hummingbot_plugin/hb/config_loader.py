"""Load controller and script YAML exactly as Hummingbot does, collecting problems instead of raising.

Which config class a controller / script YAML gets is decided by ``hummingbot_plugin.hb.config_discovery``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.hb.config_discovery import import_controller_config_class, import_script_config_class
from hummingbot_plugin.validate import (
    ControllerView,
    Problem,
    check_mqtt_settings,
    check_raw_values,
    find_conflicts,
    fix_for_error,
    suggest_key,
)

__all__ = [
    "Loaded",
    "check_controller_set",
    "controller_view",
    "load_controller_file",
    "load_script_file",
    "validation_problems",
]


@dataclass
class Loaded:
    """One YAML file: the validated config (None if invalid), its raw data and its problems."""

    file: str
    config: BaseModel | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def validation_problems(file: str, exc: ValidationError, known: list[str]) -> list[Problem]:
    problems = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        fix = fix_for_error(error)
        if error["type"] == "extra_forbidden":
            fix = suggest_key(str(error["loc"][-1]), known)
        problems.append(Problem(file, path, error["msg"], fix))
    return problems


def _read_yaml(path: Path, display: str) -> Loaded:
    loaded = Loaded(display)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        loaded.problems.append(Problem(display, "", f"cannot read YAML: {exc}", "fix the YAML syntax"))
        return loaded
    if data is None:
        loaded.problems.append(Problem(display, "", "file is empty", "write the config fields (see docs)"))
    elif not isinstance(data, dict):
        loaded.problems.append(
            Problem(
                display,
                "",
                f"top level is {type(data).__name__}, not a mapping",
                "write `field: value` lines",
            )
        )
    else:
        loaded.raw = data
    return loaded


def load_controller_file(path: Path, display: str | None = None) -> Loaded:
    loaded = _read_yaml(path, display or str(path))
    if not loaded.raw:
        return loaded
    ctype, cname = loaded.raw.get("controller_type"), loaded.raw.get("controller_name")
    if not ctype or not cname:
        loaded.problems.append(
            Problem(
                loaded.file,
                "controller_type" if not ctype else "controller_name",
                "missing",
                "set controller_type and controller_name as Hummingbot needs them",
            )
        )
        return loaded
    _load_config(
        loaded,
        lambda: import_controller_config_class(str(ctype), str(cname)),
        Problem(
            loaded.file,
            "controller_name",
            "cannot load controller",
            f"check that controllers/{ctype}/{cname}.py exists and defines one config",
        ),
    )
    if loaded.config is not None and isinstance(getattr(loaded.config, "mqtt", None), BaseModel):
        loaded.problems += check_mqtt_settings(loaded.file, "mqtt", loaded.config.mqtt.model_dump())  # type: ignore[attr-defined]
    return loaded


def load_script_file(path: Path, display: str | None = None) -> Loaded:
    loaded = _read_yaml(path, display or str(path))
    if not loaded.raw:
        return loaded
    name = loaded.raw.get("script_file_name")
    if not name:
        loaded.problems.append(
            Problem(loaded.file, "script_file_name", "missing", "name the script, e.g. x.py")
        )
        return loaded
    _load_config(
        loaded,
        lambda: import_script_config_class(str(name)),
        Problem(loaded.file, "script_file_name", "cannot load script", f"check that scripts/{name} exists"),
    )
    return loaded


def _load_config(loaded: Loaded, config_class: Callable[[], type[BaseModel]], cannot_load: Problem) -> None:
    """Import the config class (an import failure is ``cannot_load`` with the reason) and validate."""
    try:
        found = config_class()
    except (ImportError, LookupError) as exc:
        loaded.problems.append(replace(cannot_load, message=f"{cannot_load.message}: {exc}"))
        return
    loaded.problems += check_raw_values(loaded.file, loaded.raw)
    loaded.config = _construct(loaded, found)


def _construct(loaded: Loaded, config_class: type[BaseModel]) -> BaseModel | None:
    try:
        return config_class(**loaded.raw)
    except ValidationError as exc:
        loaded.problems += validation_problems(loaded.file, exc, list(config_class.model_fields))
    except PluginError as exc:  # a config class's own cross-field check
        loaded.problems.append(Problem(loaded.file, "", exc.message, exc.fix or "see message"))
    except (ValueError, TypeError) as exc:
        loaded.problems.append(Problem(loaded.file, "", str(exc), "see message"))
    return None


def controller_view(loaded: Loaded) -> ControllerView | None:
    config = loaded.config
    if config is None:
        return None
    allow_short = getattr(config, "allow_short", True)
    direction = str(getattr(config, "direction", "both")).lower()
    return ControllerView(
        file=loaded.file,
        controller_id=str(getattr(config, "id", "")),
        controller_type=str(getattr(config, "controller_type", "")),
        connector_name=str(getattr(config, "connector_name", "") or ""),
        trading_pair=str(getattr(config, "trading_pair", "") or ""),
        can_long=direction in ("both", "long"),
        can_short=bool(allow_short) and direction in ("both", "short"),
        coordination_group=str(getattr(config, "coordination_group", "") or ""),
    )


def check_controller_set(loaded: list[Loaded]) -> list[Problem]:
    """Conflicts among controllers that run together."""
    views = [view for view in (controller_view(item) for item in loaded) if view is not None]
    return find_conflicts(views)
