"""The simulator's probe controller: long-only on spot, behind the risk gate; the shipped conf/ validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hummingbot_plugin.hb.conf_validation import validate_path
from hummingbot_plugin.hb.config_discovery import import_controller_config_class
from hummingbot_plugin.settings import PROJECT_ROOT

CONF = PROJECT_ROOT / "conf"
FAST = CONF / "controllers" / "sim_probe_trend_fast.yml"


def _probe(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FAST.read_text())
    data.update(overrides)
    return data


def _config_class() -> Any:
    return import_controller_config_class("directional_trading", "sim_probe_trend")


def test_shorts_on_a_spot_connector_are_refused_with_the_field_and_fix() -> None:
    with pytest.raises(ValidationError, match="allow_short is true but 'binance' is a spot connector"):
        _config_class()(**_probe(allow_short=True))
    assert _config_class()(**_probe(allow_short=True, connector_name="binance_perpetual")).allow_short


def test_the_shipped_conf_tree_validates() -> None:
    report = validate_path(CONF)
    assert report.ok, [p.line() for p in report.errors]


def test_a_short_capable_probe_next_to_the_long_probe_is_a_conflict(tmp_path: Path) -> None:
    for sub in ("controllers", "scripts"):
        (tmp_path / sub).mkdir()
    perp = {"connector_name": "binance_perpetual"}
    (tmp_path / "controllers" / "fast.yml").write_text(yaml.safe_dump(_probe(**perp)))
    (tmp_path / "controllers" / "slow.yml").write_text(
        yaml.safe_dump(_probe(id="slow", allow_short=True, **perp))
    )
    (tmp_path / "scripts" / "two.yml").write_text(
        yaml.safe_dump(
            {"script_file_name": "v2_plugin_controllers.py", "controllers_config": ["fast.yml", "slow.yml"]}
        )
    )
    report = validate_path(tmp_path)
    assert any("opposite directions" in p.message for p in report.errors)
