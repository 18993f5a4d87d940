"""The numpy live path equals the vectorised features; windows it must refuse are refused with a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ml_factories import daily_inputs, real_candles

from hummingbot_plugin.ml.features import compute_features
from hummingbot_plugin.ml.forecaster import candle_arrays
from hummingbot_plugin.ml.live import LiveFeatureComputer
from hummingbot_plugin.ml.spec import GAP_GUARD_BARS, LIVE_WINDOW, FeatureSet
from hummingbot_plugin.ml.validity import row_reasons, window_reason

FULL_SET = FeatureSet(fear_greed=True, dominance=True)
# Float tolerance: the live path sums the same terms in another order (dot products instead of
# recursions) and truncates exponential weights below 1e-30; Bollinger %B divides by a band width
# ~1e-3 of the price, which amplifies rounding to ~1e-10 relative.
RTOL, ATOL = 1e-8, 1e-12


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return real_candles(start="2020-06-01", end="2021-06-30")


@pytest.fixture(scope="module")
def full_features(history: pd.DataFrame) -> pd.DataFrame:
    return compute_features(history, FULL_SET, daily_inputs())


@pytest.mark.parametrize("end", [LIVE_WINDOW - 1, 2_000, 4_321, 7_777, -1])
def test_live_vector_equals_the_full_history_row(
    end: int, history: pd.DataFrame, full_features: pd.DataFrame
) -> None:
    row = end % len(history)
    window = history.iloc[row - LIVE_WINDOW + 1 : row + 1]
    live = LiveFeatureComputer(FULL_SET, daily_inputs()).compute(candle_arrays(window))
    np.testing.assert_allclose(live, full_features.iloc[row].to_numpy(), rtol=RTOL, atol=ATOL)


def test_live_vector_equals_vectorised_last_row_of_the_same_window(history: pd.DataFrame) -> None:
    window = history.iloc[3_000 : 3_000 + LIVE_WINDOW]
    vectorised = compute_features(window, FULL_SET, daily_inputs()).iloc[-1].to_numpy()
    live = LiveFeatureComputer(FULL_SET, daily_inputs()).compute(candle_arrays(window))
    np.testing.assert_allclose(live, vectorised, rtol=RTOL, atol=ATOL)


def test_longer_window_uses_only_the_newest_bars(history: pd.DataFrame) -> None:
    computer = LiveFeatureComputer(FeatureSet())
    exact = computer.compute(candle_arrays(history.iloc[1_000:2_000]))
    longer = computer.compute(candle_arrays(history.iloc[0:2_000]))
    np.testing.assert_array_equal(exact, longer)


def _window(history: pd.DataFrame) -> pd.DataFrame:
    return history.iloc[: LIVE_WINDOW + 1].reset_index(drop=True).copy()  # one spare bar to drop


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda w: w.iloc[2:], "warm-up"),
        (lambda w: w.assign(close=w["close"].where(w.index != 500, np.nan)), "non-finite candle"),
        (lambda w: w.assign(volume=w["volume"].where(w.index != 3, np.inf)), "non-finite candle"),
        (lambda w: w.drop(index=LIVE_WINDOW - GAP_GUARD_BARS + 2), "gap"),
    ],
)
def test_window_reason_refuses_bad_windows_like_the_row_rules(
    mutate, reason: str, history: pd.DataFrame
) -> None:  # type: ignore[no-untyped-def]
    window = mutate(_window(history)).reset_index(drop=True)
    assert reason in window_reason(candle_arrays(window), 3600)
    assert reason in row_reasons(window, 3600)[-1]


def test_old_gap_outside_the_guard_is_accepted(history: pd.DataFrame) -> None:
    extended = (
        history.iloc[: LIVE_WINDOW + 1].drop(index=LIVE_WINDOW - GAP_GUARD_BARS - 5).reset_index(drop=True)
    )
    assert window_reason(candle_arrays(extended), 3600) == ""
    assert row_reasons(extended, 3600)[-1] == ""
