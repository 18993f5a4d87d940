"""The one place that decides which config class Hummingbot would load, exactly as Hummingbot does.

Controllers: ``controllers.<type>.<name>`` → the first member (``inspect.getmembers`` order, i.e. by name)
that subclasses ``ControllerConfigBase`` and is not one of Hummingbot's three bases
(``StrategyV2Base.load_controller_configs``). Scripts: ``scripts.<name>`` → the first ``BaseClientModel``
subclass other than ``BaseClientModel`` / ``StrategyV2ConfigBase`` (``TradingCore.load_script_class``).
A leaf module: it imports no docs module at its top (``discover_configs`` imports ``ConfigEntry`` lazily).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from hummingbot.client.config.config_data_types import BaseClientModel
from hummingbot.strategy.strategy_v2_base import StrategyV2ConfigBase
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.controllers.market_making_controller_base import MarketMakingControllerConfigBase

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from hummingbot_plugin.docs.config_reference import ConfigEntry

__all__ = [
    "controller_config_class",
    "discover_configs",
    "ensure_project_importable",
    "import_controller_config_class",
    "import_script_config_class",
    "script_config_class",
]

_CONTROLLER_BASES = (
    ControllerConfigBase,
    MarketMakingControllerConfigBase,
    DirectionalTradingControllerConfigBase,
)
_SCRIPT_BASES = (BaseClientModel, StrategyV2ConfigBase)


def ensure_project_importable(project_root: Path = PROJECT_ROOT) -> None:
    """Put the project root on ``sys.path`` so ``controllers.<type>.<name>`` / ``scripts.<name>`` import."""
    root = str(project_root)
    if root not in sys.path:
        sys.path.insert(0, root)


def controller_config_class(module: ModuleType) -> type[ControllerConfigBase] | None:
    """The config class Hummingbot would instantiate for this controller module."""
    return next(
        (
            m
            for _, m in inspect.getmembers(module)
            if inspect.isclass(m) and m not in _CONTROLLER_BASES and issubclass(m, ControllerConfigBase)
        ),
        None,
    )


def script_config_class(module: ModuleType) -> type[BaseClientModel] | None:
    """The config class Hummingbot would instantiate for this script module."""
    return next(
        (
            m
            for _, m in inspect.getmembers(module)
            if inspect.isclass(m) and m not in _SCRIPT_BASES and issubclass(m, BaseClientModel)
        ),
        None,
    )


def import_controller_config_class(controller_type: str, controller_name: str) -> type[ControllerConfigBase]:
    """Import ``controllers.<type>.<name>`` and return its config class (raises ImportError / LookupError)."""
    ensure_project_importable()
    module_name = f"controllers.{controller_type}.{controller_name}"
    config_class = controller_config_class(importlib.import_module(module_name))
    if config_class is None:
        raise LookupError(f"no ControllerConfigBase subclass in {module_name}")
    return config_class


def import_script_config_class(script_file_name: str) -> type[BaseClientModel]:
    """Import ``scripts.<script_file_name minus .py>``; its config class (ImportError / LookupError)."""
    ensure_project_importable()
    config_class = script_config_class(importlib.import_module(f"scripts.{Path(script_file_name).stem}"))
    if config_class is None:
        raise LookupError(f"no config class (BaseClientModel subclass) in scripts/{script_file_name}")
    return config_class


def _import(module_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of a user module is reported with its name
        raise ConfigError(
            f"cannot import {module_name}: {type(exc).__name__}: {exc}",
            fix=f"fix {module_name.replace('.', '/')}.py so Hummingbot can load it",
        ) from exc


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def discover_configs(project_root: Path) -> list[ConfigEntry]:
    """Every controller (``controllers/<type>/<name>.py``) and script (``scripts/<name>.py``) config."""
    from hummingbot_plugin.docs.config_reference import ConfigEntry

    ensure_project_importable(project_root)
    entries: list[ConfigEntry] = []
    for type_dir in sorted(p for p in (project_root / "controllers").iterdir() if p.is_dir()):
        if type_dir.name.startswith(("_", ".")):
            continue
        for path in _modules(type_dir):
            name = f"controllers.{type_dir.name}.{path.stem}"
            config = controller_config_class(_import(name))
            if config is not None:
                entries.append(ConfigEntry(kind="controller", import_path=name, model=config))
    for path in _modules(project_root / "scripts"):
        name = f"scripts.{path.stem}"
        script_config = script_config_class(_import(name))
        if script_config is not None:
            entries.append(ConfigEntry(kind="script", import_path=name, model=script_config))
    return entries
