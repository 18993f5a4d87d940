"""Generated docs (configuration reference, model cards): renderer behaviour, committed pages up to date."""

from __future__ import annotations

import enum
import types
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from hummingbot_plugin.cli import main as cli_main
from hummingbot_plugin.cli.docs import GENERATED_PAGES, generate_pages
from hummingbot_plugin.docs.config_reference import ConfigEntry, describe_model, render_reference
from hummingbot_plugin.docs.model_cards import load_manifests, render_model_cards
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.manifest import Manifest
from hummingbot_plugin.settings import PROJECT_ROOT


class _Mode(enum.Enum):
    FAST = 1
    SLOW = 2


class _Inner(BaseModel):
    """Inner block."""

    depth: int = Field(default=3, ge=1, json_schema_extra={"is_updatable": True})


class _Sample(BaseModel):
    """A sample config.

    Second paragraph is not shown."""

    pair: str = Field(
        ..., pattern=r"^[A-Z]+-[A-Z]+$", json_schema_extra={"prompt": "Pair: ", "is_updatable": False}
    )
    spread: Decimal = Field(
        default=Decimal("0.001"),
        gt=0,
        le=Decimal("0.5"),
        description="half spread",
        json_schema_extra={"is_updatable": True},
    )
    mode: _Mode = Field(default=_Mode.SLOW, json_schema_extra={"is_updatable": False})
    side: Literal["buy", "sell"] | None = None
    inner: _Inner = Field(default_factory=_Inner, json_schema_extra={"is_updatable": True})


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return generate_pages(PROJECT_ROOT)


def test_every_field_is_described_with_type_default_range_and_updatability() -> None:
    docs = {d.name: d for d in describe_model(_Sample)}
    assert list(docs) == ["pair", "spread", "mode", "side", "inner"]
    assert (docs["pair"].default, docs["pair"].allowed, docs["pair"].updatable) == (
        "**required**",
        "matches `^[A-Z]+-[A-Z]+$`",
        "no",
    )
    assert docs["pair"].text == "Pair"
    spread = docs["spread"]
    assert (spread.type_text, spread.default, spread.allowed) == ("Decimal", "`0.001`", "> 0, ≤ 0.5")
    assert docs["spread"].updatable == "**yes**" and docs["spread"].text == "half spread"
    assert docs["mode"].type_text == "_Mode (`FAST`, `SLOW`)" and docs["mode"].default == "`SLOW`"
    assert docs["side"].type_text == "one of `buy`, `sell` | None"
    assert docs["side"].updatable == "no (flag missing)"
    assert docs["inner"].nested == (_Inner,) and docs["inner"].default == "see `_Inner`"


def test_reference_renders_nested_blocks_once_and_escapes_tables() -> None:
    entries = [
        ConfigEntry("controller", "controllers.generic.b", _Sample),
        ConfigEntry("controller", "controllers.generic.a", _Sample),
    ]
    text = render_reference(entries)
    assert text.index("controllers.generic.a") < text.index("controllers.generic.b")
    assert text.count("### `_Inner`") == 1 and "| `depth` | int | `3` | ≥ 1 | **yes** |" in text
    assert "Second paragraph" not in text
    assert render_reference(entries) == text  # deterministic


def test_discovery_picks_the_class_hummingbot_would() -> None:
    from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
    from hummingbot.strategy_v2.controllers.market_making_controller_base import (
        MarketMakingControllerConfigBase,
    )

    from hummingbot_plugin.hb.config_discovery import controller_config_class

    module = types.ModuleType("controllers.market_making.fake")
    module.ZConfig = type("ZConfig", (MarketMakingControllerConfigBase,), {"__module__": module.__name__})
    module.AConfig = type("AConfig", (MarketMakingControllerConfigBase,), {"__module__": module.__name__})
    module.MarketMakingControllerConfigBase = MarketMakingControllerConfigBase
    module.ControllerConfigBase = ControllerConfigBase
    assert controller_config_class(module) is module.AConfig  # inspect.getmembers order, bases skipped


def test_every_controller_and_script_module_is_documented(pages: dict[str, str]) -> None:
    for path in sorted((PROJECT_ROOT / "controllers").glob("*/[!_]*.py")):
        name = f"controllers.{path.parent.name}.{path.stem}"
        assert f"## Controller `{name}`" in pages["configuration.md"], f"{name} has no config class"
    for path in sorted((PROJECT_ROOT / "scripts").glob("[!_]*.py")):
        assert f"## Script `scripts.{path.stem}`" in pages["configuration.md"]


def test_committed_generated_pages_are_up_to_date(pages: dict[str, str]) -> None:
    for name in GENERATED_PAGES:
        committed = PROJECT_ROOT / "docs" / name
        assert committed.is_file(), f"docs/{name} missing: run `python -m hummingbot_plugin docs`"
        assert committed.read_text() == pages[name], (
            f"docs/{name} is stale: run `python -m hummingbot_plugin docs` and commit the result"
        )


def test_docs_check_command_fails_on_a_stale_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["docs", "--out", str(tmp_path)]) == 0  # writes fresh pages
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED_PAGES)
    assert cli_main(["docs", "--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "configuration.md").write_text("# hand-edited\n")
    assert cli_main(["docs", "--check", "--out", str(tmp_path)]) == 1
    assert "out of date: configuration.md" in capsys.readouterr().out
    assert (tmp_path / "configuration.md").read_text() == "# hand-edited\n"  # --check writes nothing


def _manifest(**overrides: Any) -> dict[str, Any]:
    fold = {
        "fold": 1,
        "train_rows": 900,
        "valid_rows": 100,
        "valid_start": "2022-01-01",
        "valid_end": "2022-02-01",
        "best_iterations": [50, 60, 55],
        "pinball": [0.1, 0.2, 0.1],
        "naive_pinball": [0.11, 0.21, 0.12],
        "coverage": [0.12, 0.5, 0.88],
    }
    fields: dict[str, Any] = {
        "model_id": "btc_1h_demo",
        "trading_pair": "BTC-USDT",
        "interval": "1h",
        "horizon_bars": 4,
        "quantiles": [0.1, 0.5, 0.9],
        "features": ["ret_1", "vol_24"],
        "feature_spec_version": "1",
        "daily_inputs": [],
        "train_start": "2020-01-01",
        "train_end": "2022-06-30",
        "data_cutoff": "2022-06-30",
        "num_boost_round": [50, 60, 55],
        "lightgbm_params": {"num_leaves": 15},
        "calibration": {
            "fitted_on_start": "2022-03-01",
            "fitted_on_end": "2022-06-30",
            "rows": 2000,
            "shifts": [-0.001, 0.0, 0.001],
            "coverage_before": [0.13, 0.5, 0.86],
            "coverage_after": [0.1, 0.5, 0.9],
            "confidence_grid": [0.5, 0.6],
            "probability_method": "interp",
            "round_trip_cost": 0.002,
        },
        "cv_metrics": {
            "n_folds": 1,
            "horizon_bars": 4,
            "embargo_bars": 4,
            "folds": [fold],
            "mean_pinball": [0.1, 0.2, 0.1],
            "mean_naive_pinball": [0.11, 0.21, 0.12],
            "skill": 0.05,
            "probability_scores": [
                {
                    "method": "interp",
                    "brier": 0.2,
                    "log_loss": 0.6,
                    "top_tier_accuracy": 0.55,
                    "top_tier_rows": 40,
                }
            ],
        },
        "library_versions": {"lightgbm": "4.7.0"},
        "files": {"quantile_10.txt": "ab" * 32},
        "created_at": "2022-06-30T23:00:00Z",
    }
    fields.update(overrides)
    return fields


def test_model_card_shows_data_period_metrics_and_limits() -> None:
    card = render_model_cards([Manifest(**_manifest())])
    for expected in (
        "`btc_1h_demo`",
        "2020-01-01 → 2022-06-30",
        "data cut-off 2022-06-30",
        "skill +0.0500",
        "| Q10 | 0.1 | 0.11 | 13.0 % | 10.0 % |",
        "interp (used)",
        "### Limits",
        "the model beats the naive",
        "`quantile_10.txt`: `" + "ab" * 32,
    ):
        assert expected in card, expected
    assert "- **Notes**: trained for the demo" in render_model_cards(
        [Manifest(**_manifest(notes="trained for the demo"))]
    )
    assert "does NOT beat" in render_model_cards(
        [Manifest(**_manifest(cv_metrics={**_manifest()["cv_metrics"], "skill": -0.01}))]
    )


def test_a_broken_shipped_manifest_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "m1").mkdir()
    (tmp_path / "m1" / "manifest.json").write_text('{"model_id": "m1"}')
    with pytest.raises(ModelError, match=r"m1/manifest\.json"):
        load_manifests(tmp_path)
