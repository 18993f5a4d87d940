"""`validate`: every invalid config is rejected with its field path and a fix; conflicts; MQTT security."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from hummingbot_plugin.cli import main
from hummingbot_plugin.hb.conf_validation import check_client_mqtt, validate_path
from hummingbot_plugin.hb.config_discovery import import_controller_config_class
from hummingbot_plugin.hb.config_loader import load_controller_file
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.validate import check_mqtt_settings

BASE = PROJECT_ROOT / "conf" / "controllers" / "baseline_trend_btc_usdt_1h.yml"


def _base(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE.read_text())
    data.update(overrides)
    return data


def _write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def test_the_shipped_baseline_config_is_valid(tmp_path: Path) -> None:
    loaded = load_controller_file(_write(tmp_path / "ok.yml", _base()))
    assert loaded.problems == [] and loaded.config is not None


CORPUS = [
    ("negative-amount", _base(total_amount_quote=-100), "total_amount_quote"),
    ("zero-amount", _base(total_amount_quote=0), "total_amount_quote"),
    ("leverage-0", _base(leverage=0), "leverage"),
    ("leverage-minus-5", _base(leverage=-5), "leverage"),
    ("leverage-500", _base(leverage=500), "leverage"),
    ("nan-yaml", _base(stop_loss=float("nan")), "stop_loss"),
    ("nan-text", _base(total_amount_quote="NaN"), "total_amount_quote"),
    ("inf", _base(cooldown_time=float("inf")), "cooldown_time"),
    ("threshold-above-1", _base(long_threshold=1.5), "long_threshold"),
    ("threshold-negative", _base(entry_threshold=-0.2), "entry_threshold"),
    ("unknown-key", _base(stop_los=0.1), "stop_los"),
    ("wrong-type", _base(fast_window="fifty"), "fast_window"),
    ("missing-name", {k: v for k, v in _base().items() if k != "controller_name"}, "controller_name"),
    ("unknown-controller", _base(controller_name="no_such_controller"), "controller_name"),
    ("empty-file", "", "<file>"),
    ("list-not-mapping", "- a\n- b\n", "<file>"),
    ("bad-yaml", "id: [unclosed\n", "<file>"),
]


@pytest.mark.parametrize(("case", "content", "path"), CORPUS, ids=[c[0] for c in CORPUS])
def test_invalid_controller_yaml_is_rejected_with_its_field_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, content: Any, path: str
) -> None:
    file = _write(tmp_path / f"{case}.yml", content)
    assert main(["validate", str(file)]) == 1
    out = capsys.readouterr().out
    assert f"{file}: {path}" in out and "-> fix: " in out and "INVALID" in out


def test_unknown_key_gets_a_spelling_suggestion(tmp_path: Path) -> None:
    loaded = load_controller_file(_write(tmp_path / "typo.yml", _base(stop_los=0.1)))
    assert any(p.path == "stop_los" and "did you mean 'stop_loss'" in p.fix for p in loaded.problems)


def test_the_config_class_is_chosen_by_hummingbots_own_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hummingbot.client import settings
    from hummingbot.strategy.strategy_v2_base import StrategyV2ConfigBase

    _write(tmp_path / "a.yml", _base())
    monkeypatch.setattr(settings, "CONTROLLERS_CONF_DIR_PATH", tmp_path)
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    hb_loaded = StrategyV2ConfigBase(controllers_config=["a.yml"]).load_controller_configs()
    assert type(hb_loaded[0]) is import_controller_config_class("directional_trading", "baseline_trend")


def _conf_tree(tmp_path: Path, controllers: dict[str, dict[str, Any]]) -> Path:
    (tmp_path / "controllers").mkdir()
    (tmp_path / "scripts").mkdir()
    for name, data in controllers.items():
        _write(tmp_path / "controllers" / name, data)
    _write(
        tmp_path / "scripts" / "run.yml",
        {"script_file_name": "v2_plugin_controllers.py", "controllers_config": list(controllers)},
    )
    return tmp_path


def test_a_valid_conf_tree_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = _conf_tree(tmp_path, {"btc.yml": _base(), "eth.yml": _base(id="eth", trading_pair="ETH-USDT")})
    assert main(["validate", str(conf)]) == 0
    assert "OK: 3 file(s) checked, 0 error(s)" in capsys.readouterr().out


def test_two_controllers_trading_one_pair_in_opposite_directions_conflict(tmp_path: Path) -> None:
    perp = {"connector_name": "binance_perpetual"}
    conf = _conf_tree(
        tmp_path,
        {"long.yml": _base(id="long", **perp), "both.yml": _base(id="both", allow_short=True, **perp)},
    )
    report = validate_path(conf)
    assert not report.ok
    assert any("opposite directions" in p.message and p.path == "trading_pair" for p in report.errors)


def test_two_long_only_controllers_on_one_pair_do_not_conflict(tmp_path: Path) -> None:
    conf = _conf_tree(tmp_path, {"a.yml": _base(id="a"), "b.yml": _base(id="b")})
    assert validate_path(conf).ok


def test_duplicate_ids_and_missing_controller_files_are_reported(tmp_path: Path) -> None:
    conf = _conf_tree(tmp_path, {"a.yml": _base(), "b.yml": _base(trading_pair="ETH-USDT")})
    _write(
        conf / "scripts" / "run.yml",
        {
            "script_file_name": "v2_plugin_controllers.py",
            "controllers_config": ["a.yml", "b.yml", "gone.yml"],
        },
    )
    messages = [p.message for p in validate_path(conf).errors]
    assert any("also used by" in m for m in messages) and any(
        "gone.yml does not exist" in m for m in messages
    )


def test_insecure_mqtt_settings_are_flagged(tmp_path: Path) -> None:
    keyring = tmp_path / "keys.json"
    keyring.write_text("{}")
    os.chmod(keyring, 0o644)
    problems = check_mqtt_settings(
        "c.yml", "mqtt", {"require_signed_overrides": False, "keyring_file": str(keyring)}
    )
    assert {p.path for p in problems} == {"mqtt.require_signed_overrides", "mqtt.keyring_file"}
    assert any("chmod 600" in p.fix for p in problems)
    client = _write(tmp_path / "conf_client.yml", {"mqtt_host": "10.0.0.5", "mqtt_username": ""})
    paths = {p.path: p.severity for p in check_client_mqtt(client)}
    assert paths == {"mqtt_username": "error", "mqtt_ssl": "warning"}


def test_guarded_script_config_is_validated_with_its_field_paths(tmp_path: Path) -> None:
    conf = _conf_tree(tmp_path, {"btc.yml": _base()})
    script = {
        "script_file_name": "v2_guarded_controllers.py",
        "controllers_config": ["btc.yml"],
        "global_risk": {"max_drawdown_pct": 5, "max_leverage": 0},
        "live_trading": "maybe",
    }
    _write(conf / "scripts" / "run.yml", script)
    paths = {p.path for p in validate_path(conf).errors}
    assert {"global_risk.max_drawdown_pct", "global_risk.max_leverage", "live_trading"} <= paths
