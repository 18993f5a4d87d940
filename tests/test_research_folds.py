"""The walk-forward schedule: no training label reaches into its evaluation block."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.research.folds import train_rows, walk_forward_blocks

HOUR = 3600


def test_blocks_are_month_aligned_contiguous_and_cover_the_period() -> None:
    blocks = walk_forward_blocks("2020-01-01", "2023-12-31", 3)
    assert len(blocks) == 16
    assert blocks[0].label == "2020-01-01" and blocks[-1].label == "2023-10-01"
    assert all(a.end == b.start for a, b in itertools.pairwise(blocks))
    assert blocks[-1].end == 1_704_067_200  # 2024-01-01: the last day is included


@settings(max_examples=60, deadline=None)
@given(
    horizon=st.sampled_from([1, 4, 12, 24, 72]),
    extra=st.integers(0, 48),
    cut_hours=st.integers(3000, 9000),
    gaps=st.lists(st.integers(1, 9999), max_size=20),
    train_days=st.one_of(st.none(), st.integers(30, 300)),
)
def test_no_training_row_label_window_reaches_its_evaluation_block(
    horizon: int, extra: int, cut_hours: int, gaps: list[int], train_days: int | None
) -> None:
    stamps = np.delete(
        np.arange(10_000, dtype=np.float64) * HOUR, np.unique(np.asarray(gaps, dtype=np.int64))
    )
    usable = np.ones(stamps.size, dtype=bool)
    cutoff = float(cut_hours * HOUR)
    rows = train_rows(
        stamps,
        usable,
        cutoff,
        horizon_bars=horizon,
        embargo_bars=horizon + extra,
        interval_s=HOUR,
        train_days=train_days,
    )
    assert rows.size > 0
    # the label of row i is close[i + h], known at the close of bar i + h (>= ts_i + (h + 1) bars)
    label_known = stamps[rows] + (horizon + 1) * HOUR
    assert np.all(label_known + (horizon + extra) * HOUR <= cutoff)
    evaluated = stamps[stamps >= cutoff]
    assert label_known.max() <= evaluated.min()
    if train_days is not None:
        assert stamps[rows].min() >= cutoff - train_days * 86_400


def test_rows_right_before_the_purge_are_kept_and_unusable_rows_dropped() -> None:
    stamps = np.arange(1000, dtype=np.float64) * HOUR
    usable = np.ones(1000, dtype=bool)
    usable[10] = False
    rows = train_rows(stamps, usable, 500 * HOUR, horizon_bars=24, embargo_bars=24, interval_s=HOUR)
    assert rows[-1] == 500 - 49 and 10 not in rows


def test_an_embargo_shorter_than_the_horizon_is_refused() -> None:
    with pytest.raises(DataError, match="embargo"):
        train_rows(
            np.arange(10.0), np.ones(10, dtype=bool), 5.0, horizon_bars=4, embargo_bars=2, interval_s=1
        )
