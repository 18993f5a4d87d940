"""Load any V2 controller config YAML the way Hummingbot does.

Hummingbot imports ``controllers.<controller_type>.<controller_name>`` and instantiates the first
``ControllerConfigBase`` subclass found there; the project root must be on ``sys.path`` for the
``controllers`` package to import.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from hummingbot.strategy_v2.backtesting.backtesting_engine_base import BacktestingEngineBase
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from pydantic import ValidationError

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.settings import PROJECT_ROOT

__all__ = ["ensure_controllers_importable", "load_controller_config", "read_config_yaml"]


def read_config_yaml(path: Path) -> dict[str, Any]:
    """The YAML mapping, or a ConfigError naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"controller config {path} not found",
            fix="pass an existing YAML, e.g. conf/controllers/baseline_trend_btc_usdt_1h.yml",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"controller config {path} is not valid YAML: {exc}", fix="fix the YAML syntax"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"controller config {path} is not a mapping", fix="write one `field: value` per line"
        )
    for field in ("controller_type", "controller_name"):
        if not data.get(field):
            raise ConfigError(
                f"controller config {path} lacks {field!r}",
                fix="add controller_type (e.g. directional_trading) and controller_name",
            )
    return data


def ensure_controllers_importable() -> None:
    """Put the project root on ``sys.path`` so ``controllers.<type>.<name>`` imports as in Hummingbot."""
    root = str(PROJECT_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


def load_controller_config(path: Path, overrides: dict[str, Any] | None = None) -> ControllerConfigBase:
    """Instantiate the controller config of ``path`` (``overrides`` replace YAML fields)."""
    data = read_config_yaml(path)
    data.update(overrides or {})
    data.setdefault("id", path.stem)
    ensure_controllers_importable()
    try:
        return BacktestingEngineBase.get_controller_config_instance_from_dict(
            data, controllers_module="controllers"
        )
    except ModuleNotFoundError as exc:
        module = f"controllers.{data['controller_type']}.{data['controller_name']}"
        raise ConfigError(
            f"{path}: cannot import {module} ({exc})",
            fix="check controller_type/controller_name against the controllers/ folder",
        ) from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(
            f"{path}: invalid field(s): {problems}", fix="correct the fields named above"
        ) from exc
