"""Public inference API: live tick == frame row, explicit no-forecast rows, daily-input requirements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ml_factories import daily_inputs, real_candles, train_small_model

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.forecaster import PREDICTION_COLUMNS, Forecast, Forecaster, NoForecast
from hummingbot_plugin.ml.spec import LIVE_WINDOW, FeatureSet


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forecaster") / "small_c"
    train_small_model(out)
    return out


@pytest.fixture(scope="module")
def forecaster(model_dir: Path) -> Forecaster:
    return Forecaster.load(model_dir, probe=False)


@pytest.fixture(scope="module")
def unseen() -> pd.DataFrame:
    """Bars after the training period (training ends 2022-08-31)."""
    return real_candles(start="2022-09-01", end="2022-11-30").reset_index(drop=True)


@pytest.fixture(scope="module")
def frame(forecaster: Forecaster, unseen: pd.DataFrame) -> pd.DataFrame:
    return forecaster.predict_frame(unseen)


@pytest.mark.parametrize("row", [LIVE_WINDOW - 1, 1_500, -1])
def test_predict_latest_equals_the_frame_row(
    row: int, forecaster: Forecaster, unseen: pd.DataFrame, frame: pd.DataFrame
) -> None:
    end = row % len(unseen)
    result = forecaster.predict_latest(unseen.iloc[end - LIVE_WINDOW + 1 : end + 1])
    assert isinstance(result, Forecast), result
    expected = frame.iloc[end]
    assert result.timestamp == expected["timestamp"]
    got = [result.q10, result.q50, result.q90, *result.probabilities, result.target_pct, result.kelly]
    want = expected[["q10", "q50", "q90", "p_short", "p_neutral", "p_long", "target_pct", "kelly"]]
    np.testing.assert_allclose(got, want.to_numpy(np.float64), rtol=1e-7, atol=1e-12)


def test_frame_rows_are_ordered_and_distributions(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == PREDICTION_COLUMNS
    rows = frame[frame["reason"] == ""]
    assert len(rows) > 1_000
    assert (rows["q10"] <= rows["q50"]).all() and (rows["q50"] <= rows["q90"]).all()
    np.testing.assert_allclose(rows[["p_short", "p_neutral", "p_long"]].sum(axis=1), 1.0, atol=1e-9)
    assert rows["target_pct"].between(0.001, 0.05).all() and rows["kelly"].between(0.0, 0.25).all()
    assert (frame.iloc[: LIVE_WINDOW - 1]["reason"].str.startswith("warm-up")).all()
    assert frame.iloc[: LIVE_WINDOW - 1]["q50"].isna().all()


def test_bad_rows_get_no_prediction_and_a_reason(
    forecaster: Forecaster, unseen: pd.DataFrame, frame: pd.DataFrame
) -> None:
    broken = unseen.copy()
    broken.loc[1_200, "close"] = np.nan
    out = forecaster.predict_frame(broken)
    hit = out.iloc[1_200 : 1_200 + LIVE_WINDOW]
    assert hit["q50"].isna().all() and hit["reason"].str.contains("non-finite candle").all()
    pd.testing.assert_frame_equal(out.iloc[:1_200], frame.iloc[:1_200])  # earlier rows untouched


def test_gap_rows_get_no_prediction(forecaster: Forecaster, unseen: pd.DataFrame) -> None:
    gapped = unseen.drop(index=range(1_300, 1_303)).reset_index(drop=True)
    out = forecaster.predict_frame(gapped)
    assert out.iloc[1_300 : 1_300 + 24]["reason"].str.startswith("gap").all()
    assert out.iloc[1_300 + 24]["reason"] == ""
    assert isinstance(forecaster.predict_latest(gapped.iloc[:1_310]), NoForecast)


@pytest.mark.parametrize("bars", [0, 1, LIVE_WINDOW - 1])
def test_short_windows_get_no_forecast(bars: int, forecaster: Forecaster, unseen: pd.DataFrame) -> None:
    result = forecaster.predict_latest(unseen.iloc[:bars])
    assert isinstance(result, NoForecast) and result.reason.startswith("warm-up")


def test_probability_method_can_be_overridden(model_dir: Path, unseen: pd.DataFrame) -> None:
    client = Forecaster.load(model_dir, probe=False, probability_method="client_piecewise")
    calibrated = Forecaster.load(model_dir, probe=False, probability_method="calibrated_cdf")
    window = unseen.iloc[-LIVE_WINDOW:]
    a, b = client.predict_latest(window), calibrated.predict_latest(window)
    assert isinstance(a, Forecast) and isinstance(b, Forecast)
    assert (a.q50, a.method) == (b.q50, "client_piecewise") and a.probabilities != b.probabilities


def test_model_with_daily_inputs_needs_them(tmp_path: Path, unseen: pd.DataFrame) -> None:
    out = tmp_path / "with_fg"
    train_small_model(out, feature_set=FeatureSet(fear_greed=True), daily=daily_inputs())
    with pytest.raises(ModelError, match="needs daily inputs"):
        Forecaster.load(out, probe=False)
    loaded = Forecaster.load(out, probe=False, daily=daily_inputs())
    assert isinstance(loaded.predict_latest(unseen.iloc[-LIVE_WINDOW:]), Forecast)


def test_live_feed_bar_in_progress_is_ignored_and_stale_feed_refused(
    forecaster: Forecaster, unseen: pd.DataFrame, frame: pd.DataFrame
) -> None:
    # Hummingbot's candles feed updates the current bar in place: at `now` inside bar k, only bars < k count.
    k = 2_000
    feed = unseen.iloc[k - LIVE_WINDOW : k + 1]
    now = float(unseen["timestamp"].iloc[k]) + 1_800.0  # half-way through bar k
    result = forecaster.predict_latest(feed, now=now)
    assert isinstance(result, Forecast) and result.timestamp == frame["timestamp"].iloc[k - 1]
    assert result.q50 == pytest.approx(frame["q50"].iloc[k - 1], rel=1e-7)
    stale = forecaster.predict_latest(feed, now=now + 2 * 3_600.0)
    assert isinstance(stale, NoForecast) and stale.reason.startswith("stale candles")


def test_flat_window_is_refused_without_raising(forecaster: Forecaster, unseen: pd.DataFrame) -> None:
    # No price change for 1,000 bars: RSI is 0/0. Both paths say so instead of raising or guessing.
    flat = unseen.iloc[-LIVE_WINDOW:].reset_index(drop=True).copy()
    flat[["open", "high", "low", "close"]] = 100.0
    result = forecaster.predict_latest(flat)
    assert isinstance(result, NoForecast) and "rsi_14" in result.reason
    assert "rsi_14" in forecaster.predict_frame(flat)["reason"].iloc[-1]
