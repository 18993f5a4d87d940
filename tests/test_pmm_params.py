"""One source per parameter set: the PMM parameters are declared once (hummingbot_plugin/mm/params.py)."""

from __future__ import annotations

import ast
import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from controllers.market_making.pmm_forecast import PMMForecastConfig
from hummingbot_plugin.ml.forecaster import PREDICTION_COLUMNS
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS
from hummingbot_plugin.mm import pmm_logic, quoting
from hummingbot_plugin.mm.params import PMMParams, fixed_spread
from hummingbot_plugin.settings import PROJECT_ROOT

PMM_NAMES = frozenset(PMMParams.model_fields)
# Classes allowed to annotate several PMM names, and why (a different parameter set, not a copy).
OTHER_SETS = {
    "GLFTMakerConfig": "the GLFT controller's own set (its own defaults: maker fee 0.0002, one level)",
    "QuotingParams": "derived: defaults read from PMMParams, built by pmm_logic.quoting_params",
}


def _classes_declaring_pmm_names() -> dict[str, set[str]]:
    """``path:Class`` -> the PMM parameter names the class body annotates (two or more)."""
    found: dict[str, set[str]] = {}
    for root in ("hummingbot_plugin", "controllers", "scripts"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ClassDef):
                    continue
                names = {
                    n.target.id
                    for n in node.body
                    if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
                } & PMM_NAMES
                if len(names) >= 4:
                    found[f"{path.relative_to(PROJECT_ROOT)}:{node.name}"] = names
    return found


def test_no_pmm_parameter_is_declared_twice() -> None:
    found = _classes_declaring_pmm_names()
    assert found.pop("hummingbot_plugin/mm/params.py:PMMParams") == PMM_NAMES
    copies = {where: names for where, names in found.items() if where.split(":")[1] not in OTHER_SETS}
    assert copies == {}, f"PMM parameters declared again (inherit PMMParams instead): {copies}"


def test_the_controller_config_inherits_every_pmm_parameter() -> None:
    assert issubclass(PMMForecastConfig, PMMParams)
    own = set(PMMForecastConfig.__annotations__) & PMM_NAMES
    assert own == set()
    for name, field in PMMParams.model_fields.items():
        assert PMMForecastConfig.model_fields[name].default == field.default, name
    assert pmm_logic.PMMSettings is PMMParams


def test_quoting_params_defaults_come_from_pmm_params() -> None:
    for f in dataclasses.fields(quoting.QuotingParams):
        if f.name in PMM_NAMES and f.default is not dataclasses.MISSING:
            assert f.default == PMMParams.model_fields[f.name].default, f.name
    params = PMMParams(buy_spreads=[0.002], sell_spreads=[0.003], total_amount_quote=Decimal(100))
    derived = pmm_logic.quoting_params(params)
    assert derived.base_spread == 0.002
    assert derived.volatility_window == params.volatility_window


def test_pmm_params_are_frozen_the_controller_config_is_not() -> None:
    params = PMMParams(buy_spreads=[0.002], sell_spreads=[0.002], total_amount_quote=Decimal(100))
    with pytest.raises(ValidationError):
        params.maker_fee = Decimal("0.002")  # type: ignore[misc]
    assert fixed_spread(params).volatility_factor == 0.0
    assert params.volatility_factor == PMMParams.model_fields["volatility_factor"].default
    path = PROJECT_ROOT / "conf/controllers/pmm_forecast_binance_btc_usdt.yml"
    config = PMMForecastConfig(**yaml.safe_load(path.read_text(encoding="utf-8")))
    config.maker_fee = Decimal("0.0005")  # Hummingbot's run-time update, validated
    assert config.maker_fee == Decimal("0.0005")
    with pytest.raises(ValidationError, match="maker_fee"):
        config.maker_fee = Decimal("0.5")


def test_pmm_params_reject_out_of_range_values() -> None:
    with pytest.raises(ValidationError, match="spreads"):
        PMMParams(buy_spreads=[0.6], sell_spreads=[0.002], total_amount_quote=Decimal(100))
    with pytest.raises(ValidationError, match="candles_interval"):
        PMMParams(buy_spreads=[0.1], sell_spreads=[0.1], total_amount_quote=Decimal(1), candles_interval="7m")


def test_one_column_contract_for_predictions() -> None:
    assert PREDICTION_COLUMNS[1:4] == QUANTILE_COLUMNS
    for module in ("mm/quoting.py", "mm/forecast.py", "ai/research_model.py", "ai/decision.py"):
        text = Path(PROJECT_ROOT / "hummingbot_plugin" / module).read_text(encoding="utf-8")
        assert '"q10", "q50", "q90"' not in text, module
