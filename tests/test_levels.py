"""Swings, Fibonacci levels and confluence zones: known answers and causality (prefix == full history)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.levels import LevelSettings, cluster, fib_levels, find_swings, legs, zone_timeline
from hummingbot_plugin.levels.confluence import FloatArray, zones_now
from hummingbot_plugin.levels.swings import swing_states


def _walk(n: int, seed: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    spread = np.abs(rng.normal(0, 0.004, n))
    return close * (1 + spread), close * (1 - spread)


def test_known_swings_of_a_zigzag() -> None:
    # peaks at 4 and 14 (prices 5 and 7), trough at 9 (price 1)
    high = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1.5, 1, 2, 3, 4, 5, 7, 6, 5, 4, 3, 2], dtype=float)
    low = high - 0.5
    swings = find_swings(high, low, 3)
    assert [(s.index, s.kind, s.price) for s in swings] == [(4, 1, 5.0), (9, -1, 0.5), (14, 1, 7.0)]
    assert [s.confirmed for s in swings] == [7, 12, 17]  # known only k bars later
    assert legs(swings, 1) == [(swings[1], swings[2])]


def test_a_higher_high_replaces_the_previous_high() -> None:
    high = np.array([1, 2, 5, 4, 4.5, 4.2, 6, 2, 1, 0.5, 0.4, 3, 4], dtype=float)
    low = high - 0.1
    swings = find_swings(high, low, 2)
    assert [(s.index, s.kind) for s in swings] == [(6, 1), (10, -1)]


def test_fib_levels_of_an_up_leg() -> None:
    levels = dict(fib_levels(100.0, 200.0))
    assert levels[0.618] == pytest.approx(138.2)
    assert levels[0.5] == pytest.approx(150.0)
    assert levels[1.618] == pytest.approx(261.8)
    assert levels[0.0] == 200.0 and levels[1.0] == 100.0
    down = dict(fib_levels(200.0, 100.0))
    assert down[0.382] == pytest.approx(138.2) and down[1.272] == pytest.approx(72.8)


def test_cluster_scores_distinct_legs_within_tolerance() -> None:
    zones = cluster([(100.0, (1, 2)), (100.1, (3, 4)), (100.2, (1, 2)), (103.0, (1, 2))], tol_bp=25)
    assert [(round(z.price, 2), z.score) for z in zones] == [(100.1, 2), (103.0, 1)]
    assert zones[0].low == 100.0 and zones[0].high == 100.2


def test_settings_fail_closed() -> None:
    with pytest.raises(ConfigError):
        LevelSettings(orders=(0,))
    with pytest.raises(ConfigError):
        find_swings(np.ones(5), np.ones(5), 0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(40, 599))
def test_zones_of_a_prefix_equal_the_full_history(seed: int, cut: int) -> None:
    high, low = _walk(600, seed)
    config = LevelSettings(orders=(3, 8), legs=2, tol_bp=30)
    full = zone_timeline(high, low, config)
    prefix = zone_timeline(high[:cut], low[:cut], config)
    for t in (cut - 1, cut // 2):
        assert prefix.at(t) == full.at(t)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(20, 399))
def test_swings_of_a_prefix_are_confirmed_by_its_end(seed: int, cut: int) -> None:
    high, low = _walk(400, seed)
    states = list(swing_states(high, low, 4, keep=1000))
    known = [s for bar, s in states if bar < cut]
    expected = known[-1] if known else []
    got = find_swings(high[:cut], low[:cut], 4)
    assert got == expected
    assert all(s.confirmed < cut and s.index + 4 == s.confirmed for s in got)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(30, 500))
def test_zones_now_equal_the_timeline_at_the_last_bar(seed: int, cut: int) -> None:
    high, low = _walk(500, seed)
    config = LevelSettings(orders=(3, 8), legs=2, tol_bp=30)
    assert zones_now(high[:cut], low[:cut], config) == zone_timeline(high, low, config).at(cut - 1)
