"""One model loader for the directional engine and the market makers: same checks, same reasons."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hummingbot_plugin.ai.engine import SignalEngine
from hummingbot_plugin.ai.model_loader import ModelCheck, open_model, resolve_model_dir
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.settings import PROJECT_ROOT, models_dir

MODEL = models_dir() / "btc_usdt_1h_oos2023"


def test_model_paths_resolve_the_same_way_for_every_controller(tmp_path: Path) -> None:
    assert resolve_model_dir("btc_usdt_1h") == models_dir() / "btc_usdt_1h"
    assert resolve_model_dir("models/btc_usdt_1h") == PROJECT_ROOT / "models" / "btc_usdt_1h"
    assert resolve_model_dir(tmp_path) == tmp_path


def test_a_model_of_another_pair_is_refused_by_both_loaders() -> None:
    with pytest.raises(ModelError, match="trained on BTC-USDT 1h bars, the controller trades ETH-USDT"):
        pmm_logic.load_forecast_fn("models/btc_usdt_1h_oos2023", "ETH-USDT")
    engine = SignalEngine.load(MODEL, interval="1h", trading_pair="ETH-USDT", probe=False)
    assert engine.refusal.startswith("model unavailable: model ")
    assert "the controller trades ETH-USDT 1h" in engine.refusal


def test_a_tampered_model_is_refused_by_both_loaders(tmp_path: Path) -> None:
    copy = tmp_path / "btc"
    shutil.copytree(MODEL, copy)
    booster = copy / "quantile_50.txt"
    booster.write_text(booster.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(ModelError) as refused:
        pmm_logic.load_forecast_fn(str(copy), "BTC-USDT")
    engine = SignalEngine.load(copy, interval="1h", trading_pair="BTC-USDT", probe=False)
    assert engine.refusal == f"model unavailable: {refused.value.message}"


def test_the_market_maker_accepts_its_own_pair_at_any_model_interval() -> None:
    forecast = pmm_logic.load_forecast_fn("models/btc_usdt_1h_oos2023", "BTC-USDT")
    assert forecast is not None
    loaded = open_model(MODEL, ModelCheck("BTC-USDT", interval=None, probe=False))
    assert loaded.manifest.interval == "1h"
    with pytest.raises(ModelError, match="decision_mode: client"):
        open_model(MODEL, ModelCheck("BTC-USDT", "1h", probe=False, research=True))
