"""Intervals, gaps and exact resampling, on synthetic and on real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.data import (
    Gap,
    find_gaps,
    infer_interval,
    interval_seconds,
    load_candles,
    resample_candles,
)
from hummingbot_plugin.errors import DataError

T0 = 1_672_531_200  # 2023-01-01 00:00 UTC, a multiple of every supported interval


def _make_bars(timestamps: list[int] | np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Valid random candles at the given open times."""
    rng = np.random.default_rng(seed)
    n = len(timestamps)
    open_ = 100 + rng.random(n) * 10
    close = 100 + rng.random(n) * 10
    return pd.DataFrame(
        {
            "timestamp": np.asarray(timestamps, dtype="float64"),
            "open": open_,
            "high": np.maximum(open_, close) + rng.random(n),
            "low": np.minimum(open_, close) - rng.random(n),
            "close": close,
            "volume": rng.random(n) * 5,
        }
    )


@pytest.mark.parametrize(
    ("name", "seconds"), [("1m", 60), ("5m", 300), ("15m", 900), ("1h", 3600), ("4h", 14400), ("1d", 86400)]
)
def test_interval_seconds(name: str, seconds: int) -> None:
    assert interval_seconds(name) == seconds


def test_unknown_interval_names_the_choices() -> None:
    with pytest.raises(DataError) as caught:
        interval_seconds("7m")
    assert caught.value.fix is not None and "1m" in caught.value.fix


def test_infer_interval_ignores_gaps() -> None:
    stamps = [T0 + 300 * i for i in range(10) if i not in (3, 4, 7)]
    assert infer_interval(_make_bars(stamps)) == "5m"


def test_find_gaps_reports_each_run() -> None:
    stamps = [T0 + 60 * i for i in range(20) if i not in (3, 4, 10)]
    assert find_gaps(_make_bars(stamps), "1m") == [
        Gap(start=T0 + 180, end=T0 + 240, missing_bars=2),
        Gap(start=T0 + 600, end=T0 + 600, missing_bars=1),
    ]


def test_find_gaps_rejects_bars_off_the_grid() -> None:
    with pytest.raises(DataError, match="not a multiple"):
        find_gaps(_make_bars([T0, T0 + 60, T0 + 150]), "1m")


def test_resample_aggregates_ohlcv() -> None:
    bars = _make_bars([T0 + 60 * i for i in range(10)])
    out = resample_candles(bars, "5m")
    first = bars.iloc[:5]
    assert out["timestamp"].tolist() == [T0, T0 + 300]
    assert out.loc[0, "open"] == first["open"].iloc[0]
    assert out.loc[0, "high"] == first["high"].max()
    assert out.loc[0, "low"] == first["low"].min()
    assert out.loc[0, "close"] == first["close"].iloc[-1]
    assert out.loc[0, "volume"] == pytest.approx(first["volume"].sum(), rel=1e-12)


@pytest.mark.parametrize(("policy", "expected_buckets"), [("keep", 3), ("drop", 2)])
def test_incomplete_bucket_policy(policy: str, expected_buckets: int) -> None:
    stamps = [T0 + 60 * i for i in range(15) if i != 7]  # bucket 2 (5..9) misses a bar
    out = resample_candles(_make_bars(stamps), "5m", incomplete=policy)  # type: ignore[arg-type]
    assert len(out) == expected_buckets
    if policy == "drop":
        assert T0 + 300 not in out["timestamp"].tolist()


def test_incomplete_bucket_raise_names_bucket() -> None:
    stamps = [T0 + 60 * i for i in range(10) if i != 7]
    with pytest.raises(DataError, match=f"first at timestamp {T0 + 300}"):
        resample_candles(_make_bars(stamps), "5m", incomplete="raise")


def test_empty_bucket_stays_a_gap() -> None:
    stamps = [T0 + 60 * i for i in range(15) if not 5 <= i < 10]
    out = resample_candles(_make_bars(stamps), "5m")
    assert [g.missing_bars for g in find_gaps(out, "5m")] == [1]


@pytest.mark.parametrize(("source", "target"), [("1h", "5m"), ("5m", "7m"), ("15m", "1h")])
def test_resample_rejects_finer_or_non_multiple(source: str, target: str) -> None:
    step = interval_seconds(source)
    bars = _make_bars([T0 + step * i for i in range(8)])
    if target == "7m":
        with pytest.raises(DataError, match="unknown candle interval"):
            resample_candles(bars, target)
    elif interval_seconds(target) < step:
        with pytest.raises(DataError, match="cannot resample"):
            resample_candles(bars, target)
    else:
        assert len(resample_candles(bars, target)) == 2


@settings(max_examples=40, deadline=None)
@given(
    n_bars=st.integers(min_value=1, max_value=300),
    seed=st.integers(0, 10_000),
    missing=st.sets(st.integers(0, 299), max_size=40),
)
def test_resample_is_transitive_1m_5m_1h(n_bars: int, seed: int, missing: set[int]) -> None:
    """1m→5m→1h equals 1m→1h, OHLC exactly, for any pattern of missing bars."""
    stamps = [T0 + 60 * i for i in range(n_bars) if i not in missing] or [T0]
    bars = _make_bars(stamps, seed=seed)
    via_5m = resample_candles(resample_candles(bars, "5m", source_interval="1m"), "1h", source_interval="5m")
    direct = resample_candles(bars, "1h", source_interval="1m")
    np.testing.assert_array_equal(
        via_5m[["timestamp", "open", "high", "low", "close"]].to_numpy(),
        direct[["timestamp", "open", "high", "low", "close"]].to_numpy(),
    )
    np.testing.assert_allclose(via_5m["volume"], direct["volume"], rtol=1e-12)


def test_real_5m_reaggregates_to_real_1h(shared_data_dir: Path) -> None:
    """Binance 5m bars aggregate to Binance's own 1h bars: OHLC bit-exact, volume to rounding."""
    five = load_candles(shared_data_dir / "binance_BTC-USDT_5m.csv")
    hourly = load_candles(
        shared_data_dir / "binance_BTC-USDT_1h.csv",
        start=five["timestamp"].iloc[0],
        end=five["timestamp"].iloc[-1],
    )
    rebuilt = resample_candles(five, "1h")  # incomplete="keep": exchange semantics
    assert len(rebuilt) == len(hourly) > 12_000
    np.testing.assert_array_equal(
        rebuilt[["timestamp", "open", "high", "low", "close"]].to_numpy(),
        hourly[["timestamp", "open", "high", "low", "close"]].to_numpy(),
    )
    np.testing.assert_allclose(rebuilt["volume"], hourly["volume"], rtol=1e-9)
    assert len(find_gaps(five, "5m")) >= 1  # the outage is reported, not filled
