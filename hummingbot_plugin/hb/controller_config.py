"""Load any V2 controller config YAML the way Hummingbot does, raising ConfigError on any problem.

The config class is the one ``hummingbot_plugin.hb.config_discovery`` says Hummingbot would pick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from pydantic import ValidationError

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.config_discovery import import_controller_config_class

__all__ = ["load_controller_config", "read_config_yaml"]


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


def load_controller_config(path: Path, overrides: dict[str, Any] | None = None) -> ControllerConfigBase:
    """Instantiate the controller config of ``path`` (``overrides`` replace YAML fields)."""
    data = read_config_yaml(path)
    data.update(overrides or {})
    data.setdefault("id", path.stem)
    controller_type, controller_name = str(data["controller_type"]), str(data["controller_name"])
    module = f"controllers.{controller_type}.{controller_name}"
    try:
        config_class = import_controller_config_class(controller_type, controller_name)
    except ImportError as exc:
        raise ConfigError(
            f"{path}: cannot import {module} ({exc})",
            fix="check controller_type/controller_name against the controllers/ folder",
        ) from exc
    except LookupError as exc:
        raise ConfigError(
            f"{path}: {exc}", fix=f"define exactly one ControllerConfigBase subclass in {module}"
        ) from exc
    try:
        return config_class(**data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(
            f"{path}: invalid field(s): {problems}", fix="correct the fields named above"
        ) from exc
