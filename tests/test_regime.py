"""Regime label: hysteresis and dwell (no flicker), causality, thresholds from training windows only."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.regime import (
    Regime,
    RegimeSettings,
    Thresholds,
    fit_thresholds,
    label_regimes,
    walk_forward_labels,
)
from hummingbot_plugin.regime.label import FloatArray
from hummingbot_plugin.regime.live import controller_for, current_regime

TH = Thresholds(vol_enter=0.05, vol_exit=0.03, trend_enter=2.0, trend_exit=1.0)
HOUR = 3600.0
SMALL = RegimeSettings(vol_bars=24, trend_bars=48, min_dwell=12, train_days=30)


def _closes(n: int, seed: int) -> FloatArray:
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.normal(0, 0.002, n // 200 + 1), 200)[:n]
    return np.asarray(100.0 * np.exp(np.cumsum(drift + rng.normal(0, 0.01, n))), dtype=np.float64)


def test_a_trend_is_kept_between_the_exit_and_enter_thresholds() -> None:
    trend = np.array([0.0] * 5 + [2.5] + [1.5, 1.2, 1.9, 1.1] * 10 + [0.5] * 5)
    labels, _ = label_regimes(np.full(trend.size, 0.01), trend, TH, min_dwell=0)
    assert set(labels[5:46].tolist()) == {int(Regime.TREND_UP)}  # never drops while above exit
    assert labels[46] == int(Regime.RANGE)  # leaves below the exit threshold
    assert labels[0] == int(Regime.RANGE)


def test_minimum_dwell_stops_flicker_but_not_risk_off() -> None:
    rng = np.random.default_rng(3)
    trend = 2.0 + rng.normal(0, 1.5, 2000)  # noise around the enter threshold, both sides of exit
    labels, _ = label_regimes(np.full(trend.size, 0.01), trend, TH, min_dwell=24)
    runs = np.diff(np.flatnonzero(np.diff(labels) != 0))
    assert runs.size > 3 and runs.min() >= 24
    free, _ = label_regimes(np.full(trend.size, 0.01), trend, TH, min_dwell=0)
    assert np.count_nonzero(np.diff(free)) > 3 * np.count_nonzero(np.diff(labels))
    vol = np.full(trend.size, 0.01)
    vol[labels.size // 2 + 1] = 0.06
    shocked, _ = label_regimes(vol, trend, TH, min_dwell=24)
    assert shocked[labels.size // 2 + 1] == int(Regime.HIGH_VOL)  # entered at once, whatever the dwell


def test_high_volatility_exits_only_below_its_exit_threshold() -> None:
    vol = np.array([0.01, 0.06, 0.04, 0.035, 0.031, 0.029, 0.01])
    labels, _ = label_regimes(vol, np.zeros(vol.size), TH, min_dwell=0)
    assert labels.tolist() == [0, 3, 3, 3, 3, 0, 0]


def test_state_carries_over_so_chunks_equal_one_pass() -> None:
    rng = np.random.default_rng(5)
    vol, trend = np.abs(rng.normal(0.02, 0.015, 500)), rng.normal(0, 2, 500)
    whole, _ = label_regimes(vol, trend, TH, 10)
    first, state = label_regimes(vol[:233], trend[:233], TH, 10)
    second, _ = label_regimes(vol[233:], trend[233:], TH, 10, state)
    assert np.array_equal(whole, np.concatenate([first, second]))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(1, 2000))
def test_labels_of_a_prefix_equal_the_full_history(seed: int, cut: int) -> None:
    n = 24 * 95
    close = _closes(n, seed)
    stamps = np.arange(n, dtype=np.float64) * HOUR
    edges = [stamps[24 * 31], stamps[24 * 50], stamps[24 * 75], stamps[-1] + HOUR]
    full, _ = walk_forward_labels(close, stamps, edges, SMALL)
    stop = 24 * 31 + cut
    part, _ = walk_forward_labels(close[:stop], stamps[:stop], edges, SMALL)
    assert np.array_equal(part, full[:stop])


def test_thresholds_come_from_the_window_before_each_block() -> None:
    n = 24 * 95
    close, stamps = _closes(n, 11), np.arange(n, dtype=np.float64) * HOUR
    edges = [stamps[24 * 31], stamps[24 * 62], stamps[-1] + HOUR]
    _, fitted = walk_forward_labels(close, stamps, edges, SMALL)
    changed = close.copy()
    changed[24 * 62 :] *= np.exp(np.linspace(0, 1.5, n - 24 * 62))  # a later crash/rally
    _, refitted = walk_forward_labels(changed, stamps, edges, SMALL)
    assert refitted == fitted  # nothing at or after a block's start moved its thresholds
    changed[24 * 40] *= 1.3
    _, moved = walk_forward_labels(changed, stamps, edges, SMALL)
    assert moved[0] == fitted[0] and moved[1] != fitted[1]


def test_fail_closed() -> None:
    with pytest.raises(ConfigError):
        RegimeSettings(vol_exit_q=0.95, vol_enter_q=0.9)
    with pytest.raises(DataError):
        fit_thresholds(np.ones(10), np.ones(10), SMALL)


def test_live_regime_is_the_walk_forward_label_of_the_last_closed_bar() -> None:
    n = 24 * 60
    close, stamps = _closes(n, 21), np.arange(n, dtype=np.float64) * HOUR
    assert current_regime(stamps[: 24 * 20], close[: 24 * 20], SMALL) is None  # < train_days of history
    for stop in (24 * 40 + 5, n):
        first_day = (np.floor(stamps[0] / 86_400) + SMALL.train_days + 1) * 86_400
        edges = [
            float(d)
            for d in np.arange(first_day, np.floor(stamps[stop - 1] / 86_400) * 86_400 + 86_400, 86_400)
        ]
        labels, _ = walk_forward_labels(close[:stop], stamps[:stop], [*edges, stamps[stop - 1] + 1], SMALL)
        assert current_regime(stamps[:stop], close[:stop], SMALL) == Regime(int(labels[-1]))


def test_routes_map_regimes_to_controllers_and_fail_closed() -> None:
    routes = {"trend_up": "ai", "trend_down": "ai", "range": "grid", "high_vol": "none"}
    assert controller_for(Regime.RANGE, routes) == "grid"
    assert controller_for(Regime.HIGH_VOL, routes) is None
    with pytest.raises(ConfigError):
        controller_for(Regime.RANGE, {"trend_up": "ai"})
