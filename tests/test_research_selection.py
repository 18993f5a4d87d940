"""Nested selection reads no row of the block it is choosing for; a rerun resumes from the run folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ml_factories import real_candles

from hummingbot_plugin.research.data import ResearchData, build_research_data
from hummingbot_plugin.research.features import FeatureInputs
from hummingbot_plugin.research.folds import walk_forward_blocks
from hummingbot_plugin.research.models import ModelSettings, ModelStore
from hummingbot_plugin.research.selection import (
    InnerView,
    SearchSpace,
    Selection,
    candidate_from,
    select_block,
    storage_url,
)

pytestmark = pytest.mark.slow

SPACE = SearchSpace(
    horizons=(4, 24), leaves=(7,), base_model=ModelSettings(24, num_leaves=7, rounds=8, stride=6)
)
BLOCKS = walk_forward_blocks("2019-01-01", "2019-06-30", 3)  # two inner blocks, then the outer block
OUTER = walk_forward_blocks("2019-07-01", "2019-09-30", 3)[0]
TRADING = candidate_from(
    {
        "horizon": 24,
        "num_leaves": 7,
        "mode": "client",
        "long_threshold": 0.3,
        "min_hold_bars": 1,
        "sizing": "fixed",
        "gate": "none",
    },
    SPACE,
)


@pytest.fixture(scope="module")
def candles() -> pd.DataFrame:
    return real_candles("BTC-USDT", "2017-08-01", "2019-09-30")


def _select(candles: pd.DataFrame, run: Path) -> tuple[Selection, ModelStore, list[float]]:
    """The block's selection, and the inner daily returns of a candidate that trades."""
    data = build_research_data(candles, FeatureInputs(), 3600)
    store = ModelStore(data, run / "folds", "BTC-USDT", "1h")
    view = InnerView(data, store, BLOCKS, OUTER.start)
    chosen = select_block(view, SPACE, storage=storage_url(run), study_name="outer", trials=6, seed=3)
    values = [float(v) for v in view.daily_returns(TRADING)]
    return chosen, store, values


def _poisoned(candles: pd.DataFrame, data_cut: float) -> pd.DataFrame:
    shocked = candles.copy()
    later = shocked["timestamp"] >= data_cut
    factor = np.random.default_rng(0).uniform(0.5, 2.0, int(later.sum()))
    for column in ("open", "high", "low", "close"):
        shocked.loc[later, column] = shocked.loc[later, column] * factor
    shocked.loc[later, "volume"] = shocked.loc[later, "volume"] * 7.0
    return shocked


def test_poisoning_the_evaluation_block_changes_nothing_while_choosing(
    candles: pd.DataFrame, tmp_path: Path
) -> None:
    clean, _, clean_returns = _select(candles, tmp_path / "clean")
    assert any(v != 0.0 for v in clean.trial_daily_sharpes) and any(v != 0.0 for v in clean_returns)
    dirty, _, dirty_returns = _select(_poisoned(candles, OUTER.start), tmp_path / "dirty")
    assert dirty.params == clean.params
    assert dirty.trial_daily_sharpes == clean.trial_daily_sharpes
    assert dirty_returns == clean_returns
    # ... while the same poison one bar earlier (inside the last inner block) is seen
    moved, _, moved_returns = _select(_poisoned(candles, OUTER.start - 24 * 3600), tmp_path / "moved")
    assert moved_returns != clean_returns and moved.trial_daily_sharpes != clean.trial_daily_sharpes


def test_inner_view_refuses_an_inner_block_that_overlaps_the_outer_block(
    candles: pd.DataFrame, tmp_path: Path
) -> None:
    data = build_research_data(candles.iloc[:3000], FeatureInputs(), 3600)
    store = ModelStore(data, tmp_path, "BTC-USDT", "1h")
    with pytest.raises(Exception, match="inner blocks must end before"):
        InnerView(data, store, [*BLOCKS, OUTER], OUTER.start)


def test_a_rerun_resumes_the_study_and_reuses_verified_models(candles: pd.DataFrame, tmp_path: Path) -> None:
    first, store, _ = _select(candles, tmp_path)
    assert store.fitted > 0
    again, store_again, _ = _select(candles, tmp_path)
    assert store_again.fitted == 0 and again.n_trials == 6 and again.params == first.params
    # a tampered model file is detected (sha256) and refitted, not trusted
    folder = next((tmp_path / "folds").glob("*/*"))
    (folder / "quantile_50.txt").write_text("tree\ncorrupt\nend of trees\n")
    data: ResearchData = build_research_data(candles, FeatureInputs(), 3600)
    fresh = ModelStore(data, tmp_path / "folds", "BTC-USDT", "1h")
    key, label = folder.parent.name, folder.name
    block = next(b for b in BLOCKS if b.label == label)
    settings = replace(SPACE.base_model, horizon_bars=int(key.split("_")[0][1:]))
    assert settings.key == key
    fresh.forecast(settings, block)
    assert fresh.fitted == 1
