"""load_candles: formats, filtering, and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hummingbot_plugin.data import CANDLE_COLUMNS, load_candles
from hummingbot_plugin.errors import DataError

HOUR = 3600
T0 = 1_672_531_200  # 2023-01-01 00:00 UTC


def _make_candles(n: int = 6, **overrides: list[float]) -> pd.DataFrame:
    """A clean hourly candle frame starting 2023-01-01; ``overrides`` replace whole columns."""
    close = 100.0 + np.arange(n, dtype=float)
    frame = pd.DataFrame(
        {
            "timestamp": T0 + HOUR * np.arange(n),
            "open": close - 0.5,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "volume": np.full(n, 10.0),
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "c.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_reads_our_format_as_float64_six_columns(tmp_path: Path) -> None:
    loaded = load_candles(_write(tmp_path, _make_candles()))
    assert tuple(loaded.columns) == CANDLE_COLUMNS
    assert all(dtype == np.float64 for dtype in loaded.dtypes)
    assert loaded["timestamp"].iloc[0] == T0


def test_reads_hummingbot_candles_format_with_extra_columns_and_ms(tmp_path: Path) -> None:
    frame = _make_candles()
    frame["timestamp"] = frame["timestamp"] * 1000  # a feed writing milliseconds
    for extra in ("quote_asset_volume", "n_trades", "taker_buy_base_volume", "taker_buy_quote_volume"):
        frame[extra] = 1.0
    frame.index.name = "idx"
    path = tmp_path / "candles_binance_BTC-USDT_1h.csv"
    frame.to_csv(path)  # with the index column, as DataFrame.to_csv writes by default
    loaded = load_candles(path)
    assert tuple(loaded.columns) == CANDLE_COLUMNS
    np.testing.assert_array_equal(loaded["timestamp"], _make_candles()["timestamp"].astype(float))


def test_reads_iso_datetime_timestamps(tmp_path: Path) -> None:
    frame = _make_candles(3)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s", utc=True).astype(str)
    loaded = load_candles(_write(tmp_path, frame))
    assert loaded["timestamp"].tolist() == [T0, T0 + HOUR, T0 + 2 * HOUR]


def test_reads_parquet(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    _make_candles().to_parquet(path)
    pd.testing.assert_frame_equal(load_candles(path), load_candles(_write(tmp_path, _make_candles())))


@pytest.mark.parametrize(
    ("start", "end", "expected_first", "expected_count"),
    [
        ("2023-01-01", "2023-01-01", T0, 24),  # a bare end date keeps its whole day
        ("2023-01-02", None, T0 + 24 * HOUR, 24),
        (None, "2023-01-01T05:00", T0, 6),  # a date-time end is inclusive to the second
    ],
)
def test_start_end_are_inclusive(
    tmp_path: Path, start: str | None, end: str | None, expected_first: int, expected_count: int
) -> None:
    loaded = load_candles(_write(tmp_path, _make_candles(48)), start=start, end=end)
    assert loaded["timestamp"].iloc[0] == expected_first
    assert len(loaded) == expected_count


def test_finds_file_by_name_in_data_dir(shared_data_dir: Path) -> None:
    loaded = load_candles("binance_BTC-USDT_1h.csv", start="2023-01-01", end="2023-01-31")
    assert len(loaded) == 31 * 24
    assert loaded["timestamp"].is_monotonic_increasing


def _bad(name: str) -> pd.DataFrame:
    frame = _make_candles()
    if name == "unsorted":
        frame.loc[[2, 3], "timestamp"] = frame.loc[[3, 2], "timestamp"].to_numpy()
    elif name == "duplicate":
        frame.loc[3, "timestamp"] = frame.loc[2, "timestamp"]
    elif name == "high_below_low":
        frame.loc[3, ["high", "low"]] = [90.0, 110.0]
    elif name == "negative_price":
        frame.loc[3, ["open", "low"]] = [-1.0, -2.0]
    elif name == "nan_row":
        frame.loc[3, "close"] = np.nan
    elif name == "close_above_high":
        frame.loc[3, "close"] = frame.loc[3, "high"] + 5
    elif name == "missing_column":
        frame = frame.drop(columns=["volume"])
    elif name == "text_in_price":
        frame["open"] = frame["open"].astype(object)
        frame.loc[3, "open"] = "oops"
    return frame


@pytest.mark.parametrize(
    ("case", "message_part", "fix_part"),
    [
        ("unsorted", "not sorted", "sort the file"),
        ("duplicate", "duplicate timestamp", "remove the duplicate"),
        ("high_below_low", "high is below low", "correct high/low"),
        ("negative_price", "zero or negative", "prices must be > 0"),
        ("nan_row", "missing value", "delete the incomplete row"),
        ("close_above_high", "outside the high-low range", "high must be >="),
        ("missing_column", "missing column(s) volume", "header with timestamp"),
        ("text_in_price", "not a number", "correct or delete"),
    ],
)
def test_bad_file_error_names_file_row_and_fix(
    tmp_path: Path, case: str, message_part: str, fix_part: str
) -> None:
    path = _write(tmp_path, _bad(case), name=f"{case}.csv")
    with pytest.raises(DataError) as caught:
        load_candles(path)
    error = caught.value
    assert str(path) in error.message
    assert message_part in error.message
    assert error.fix is not None and fix_part in error.fix
    if case != "missing_column":
        assert "row 3" in error.message
    if case != "missing_column":
        assert "(line 5)" in error.message  # header is line 1, data row 0 is line 2


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        load_candles(tmp_path / "nope.csv")


def test_unreadable_date_bound_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read '2023/13/01' as a date"):
        load_candles(_write(tmp_path, _make_candles()), start="2023/13/01")
