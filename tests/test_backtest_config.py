"""Loading controller YAMLs the Hummingbot way, and the command's input validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from hummingbot_plugin.cli import build_parser
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.runner import BacktestRequest

CONF = PROJECT_ROOT / "conf" / "controllers"


def _write_yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["baseline_trend_btc_usdt_1h.yml", "baseline_trend_eth_usdt_1h.yml"])
def test_shipped_baseline_configs_load(name: str) -> None:
    config = load_controller_config(CONF / name)
    assert type(config).__name__ == "BaselineTrendConfig"
    assert config.get_controller_class().__name__ == "BaselineTrendController"
    assert config.connector_name == "binance" and config.leverage == 1
    assert config.trading_pair in name.upper().replace("_", "-")


def test_capital_override_and_default_id(tmp_path: Path) -> None:
    text = (
        (CONF / "baseline_trend_btc_usdt_1h.yml").read_text().replace("id: baseline_trend_btc_usdt_1h\n", "")
    )
    config = load_controller_config(_write_yaml(tmp_path, text), {"total_amount_quote": 250})
    assert float(config.total_amount_quote) == 250.0
    assert config.id == "c"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("controller_name: baseline_trend\n", "lacks 'controller_type'"),
        ("controller_type: directional_trading\ncontroller_name: nope\n", "cannot import controllers."),
        ("controller_type: directional_trading\ncontroller_name: baseline_trend\n", "connector_name"),
        ("controller_type: [unclosed\n", "not valid YAML"),
        ("- a\n- b\n", "not a mapping"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_controller_config(_write_yaml(tmp_path, text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_controller_config(tmp_path / "missing.yml")


def _args(*extra: str) -> list[str]:
    return ["backtest", "--config", "c.yml", "--candles", "x.csv", "--json", "o.json", *extra]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--fee", "0.5"), "outside"),
        (("--capital", "-3"), "must be positive"),
        (("--report", "r.pdf"), "unknown format"),
        (("--start", "2023-02-30"), "cannot read"),
    ],
)
def test_request_validation(extra: tuple[str, ...], message: str) -> None:
    from hummingbot_plugin.errors import PluginError

    with pytest.raises(PluginError, match=message):
        BacktestRequest.from_args(build_parser().parse_args(_args(*extra)))


def test_request_defaults() -> None:
    request = BacktestRequest.from_args(build_parser().parse_args(_args()))
    assert request.fee == 0.001 and request.capital is None and request.resolution is None
