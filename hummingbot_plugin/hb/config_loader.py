"""Load controller and script YAML exactly as Hummingbot does, collecting problems instead of raising.

Controller: module ``controllers.<controller_type>.<controller_name>``, config class = the first
(``inspect.getmembers`` order) ``ControllerConfigBase`` subclass other than Hummingbot's three bases.
Script: module ``scripts.<script_file_name without .py>``, config class = the first ``BaseClientModel``
subclass other than ``BaseClientModel`` / ``StrategyV2ConfigBase``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hummingbot.client.config.config_data_types import BaseClientModel
from hummingbot.strategy.strategy_v2_base import StrategyV2ConfigBase
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.controllers.market_making_controller_base import MarketMakingControllerConfigBase
from pydantic import BaseModel, ValidationError

from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.settings import PROJECT_ROOT
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
    "controller_config_class",
    "controller_view",
    "load_controller_file",
    "load_script_file",
    "script_config_class",
    "validation_problems",
]

_HB_CONTROLLER_BASES = (
    ControllerConfigBase,
    MarketMakingControllerConfigBase,
    DirectionalTradingControllerConfigBase,
)


@dataclass
class Loaded:
    """One YAML file: the validated config (None if invalid), its raw data and its problems."""

    file: str
    config: BaseModel | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _ensure_project_importable() -> None:
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))


def controller_config_class(controller_type: str, controller_name: str) -> type[ControllerConfigBase]:
    """The config class Hummingbot would pick (raises ImportError / LookupError)."""
    _ensure_project_importable()
    module = importlib.import_module(f"controllers.{controller_type}.{controller_name}")
    for _, member in inspect.getmembers(module):
        if (
            inspect.isclass(member)
            and member not in _HB_CONTROLLER_BASES
            and issubclass(member, ControllerConfigBase)
        ):
            return member
    raise LookupError(f"no ControllerConfigBase subclass in controllers.{controller_type}.{controller_name}")


def script_config_class(script_file_name: str) -> type[BaseClientModel]:
    _ensure_project_importable()
    module = importlib.import_module(f"scripts.{Path(script_file_name).stem}")
    for _, member in inspect.getmembers(module):
        if (
            inspect.isclass(member)
            and issubclass(member, BaseClientModel)
            and member not in (BaseClientModel, StrategyV2ConfigBase)
        ):
            return member
    raise LookupError(f"no config class (BaseClientModel subclass) in scripts/{script_file_name}")


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
    try:
        config_class = controller_config_class(str(ctype), str(cname))
    except (ImportError, LookupError) as exc:
        loaded.problems.append(
            Problem(
                loaded.file,
                "controller_name",
                f"cannot load controller: {exc}",
                f"check that controllers/{ctype}/{cname}.py exists and defines one config",
            )
        )
        return loaded
    loaded.problems += check_raw_values(loaded.file, loaded.raw)
    loaded.config = _construct(loaded, config_class)
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
    try:
        config_class = script_config_class(str(name))
    except (ImportError, LookupError) as exc:
        loaded.problems.append(
            Problem(
                loaded.file,
                "script_file_name",
                f"cannot load script: {exc}",
                f"check that scripts/{name} exists",
            )
        )
        return loaded
    loaded.problems += check_raw_values(loaded.file, loaded.raw)
    loaded.config = _construct(loaded, config_class)
    return loaded


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
