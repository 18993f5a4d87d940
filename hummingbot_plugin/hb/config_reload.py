"""Hot reload with validation: an invalid reload keeps the last good config and reports why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hummingbot_plugin.hb.conf_validation import validate_script_controllers
from hummingbot_plugin.hb.config_loader import (
    Loaded,
    check_controller_set,
    load_controller_file,
    load_script_file,
)
from hummingbot_plugin.validate import Problem

__all__ = ["ReloadResult", "load_controller_set", "reload_script_config", "updatable_update"]


@dataclass
class ReloadResult:
    """``config`` is the new config to use, or None to keep the last good one (see ``problems``)."""

    config: BaseModel | None
    problems: list[Problem] = field(default_factory=list)
    needs_restart: list[str] = field(default_factory=list)


def updatable_update(current: BaseModel, new: BaseModel) -> tuple[dict[str, Any], list[str]]:
    """Values of the ``is_updatable`` fields, and the names of changed fields that are not updatable."""
    update, fixed = {}, []
    for name, info in type(current).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("is_updatable", False):
            update[name] = getattr(new, name)
        elif getattr(new, name) != getattr(current, name):
            fixed.append(name)
    return update, fixed


def reload_script_config(path: Path, current: BaseModel, controllers_dir: Path) -> ReloadResult:
    """Re-read the script YAML; apply its updatable fields if the file and its controllers are valid."""
    loaded = load_script_file(path)
    if loaded.config is None or loaded.problems:
        return ReloadResult(None, loaded.problems)
    if type(loaded.config) is not type(current):
        return ReloadResult(
            None,
            [
                Problem(
                    str(path),
                    "script_file_name",
                    "the reloaded file names another script",
                    "restart the bot to switch scripts",
                )
            ],
        )
    problems = validate_script_controllers(loaded, controllers_dir)[1]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return ReloadResult(None, errors)
    update, fixed = updatable_update(current, loaded.config)
    return ReloadResult(current.model_copy(update=update), [], fixed)


def load_controller_set(names: list[str], controllers_dir: Path) -> tuple[list[Loaded], list[Problem]]:
    """Load and validate the controllers a script runs, with the cross-controller checks."""
    loaded = [load_controller_file(controllers_dir / name, str(controllers_dir / name)) for name in names]
    problems = [p for item in loaded for p in item.problems]
    if not problems:
        problems += check_controller_set(loaded)
    return loaded, [p for p in problems if p.severity == "error"]
