"""Read candle files: our CSV, Hummingbot's candles CSV, or Parquet, validated and filtered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from hummingbot_plugin.data.validation import CANDLE_COLUMNS, validate_candles
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.settings import data_file

__all__ = ["TimeBound", "candles_from_frame", "load_candles", "to_epoch_bound"]

TimeBound = date | datetime | str | int | float | None
#: Timestamps above this are milliseconds (year 5138 in seconds); Hummingbot feeds may write ms.
_MILLISECONDS_THRESHOLD = 1e11


def load_candles(path: str | Path, *, start: TimeBound = None, end: TimeBound = None) -> pd.DataFrame:
    """Load, validate and filter a candle file.

    ``path`` is a path or a file name inside the data directory. Returns the columns
    ``timestamp, open, high, low, close, volume`` (float64; timestamp = bar open in epoch
    seconds UTC). Extra columns (Hummingbot's ``quote_asset_volume``, ``n_trades`` …) are dropped;
    millisecond timestamps are converted. The whole file is validated before filtering, so an
    error names its real row. ``start``/``end`` are inclusive: a bare date (``"2023-12-31"``)
    as ``end`` keeps that whole day.
    """
    resolved = data_file(path)
    raw, line_offset = _read_raw(resolved)
    frame = candles_from_frame(raw, str(resolved), line_offset=line_offset)
    lower = to_epoch_bound(start, is_end=False)
    upper = to_epoch_bound(end, is_end=True)
    keep = np.ones(len(frame), dtype=bool)
    if lower is not None:
        keep &= frame["timestamp"].to_numpy() >= lower
    if upper is not None:
        keep &= frame["timestamp"].to_numpy() <= upper
    return frame.loc[keep].reset_index(drop=True)


def _read_raw(path: Path) -> tuple[pd.DataFrame, int]:
    """The file as read, and the offset from a 0-based data row to its 1-based line."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path), 0
        return pd.read_csv(path), 2
    except ImportError as exc:
        raise DataError(
            f"{path}: cannot read Parquet ({exc})", fix="install pyarrow, or convert the file to CSV"
        ) from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(
            f"{path}: not a readable candle file ({exc})",
            fix="pass a CSV with a header row (timestamp,open,high,low,close,volume) or a Parquet file",
        ) from exc


def candles_from_frame(raw: pd.DataFrame, source: str, *, line_offset: int = 0) -> pd.DataFrame:
    """Our validated six-column frame from a raw one (ours or Hummingbot's ``candles_df`` layout).

    ``source`` names the origin in error messages (a file path, or e.g. ``binance BTC-USDT 1h``).
    """
    frame = _normalise(raw, source, line_offset)
    validate_candles(frame, source, line_offset=line_offset)
    return frame


def _where(row: int, line_offset: int) -> str:
    return f"row {row}" + (f" (line {row + line_offset})" if line_offset else "")


def _normalise(raw: pd.DataFrame, path: str, line_offset: int) -> pd.DataFrame:
    """Select and convert the six candle columns."""
    columns = {str(name).strip().lower(): name for name in raw.columns}
    missing = [name for name in CANDLE_COLUMNS if name not in columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(map(str, raw.columns))})",
            fix="the file needs a header with timestamp,open,high,low,close,volume",
        )
    frame = pd.DataFrame({name: raw[columns[name]] for name in CANDLE_COLUMNS})
    frame["timestamp"] = _timestamps_to_seconds(frame["timestamp"], path, line_offset)
    for name in CANDLE_COLUMNS[1:]:
        converted = pd.to_numeric(frame[name], errors="coerce")
        bad = converted.isna() & frame[name].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{path}: {_where(row, line_offset)}: column {name!r} holds "
                f"{frame[name].iloc[row]!r}, not a number",
                fix="correct or delete the row",
            )
        frame[name] = converted.astype("float64")
    return frame.reset_index(drop=True)


def _timestamps_to_seconds(column: pd.Series, path: str, line_offset: int) -> pd.Series:
    """Epoch seconds (float64) from epoch s/ms numbers or ISO date-time strings."""
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().sum() == column.notna().sum():
        seconds = numeric.astype("float64")
        if seconds.dropna().gt(_MILLISECONDS_THRESHOLD).all() and seconds.notna().any():
            seconds = seconds / 1000.0
        return seconds
    parsed = pd.to_datetime(column, utc=True, errors="coerce")
    bad = parsed.isna() & column.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{path}: {_where(row, line_offset)}: timestamp {column.iloc[row]!r} "
            "is neither epoch seconds nor a date-time",
            fix="write timestamps as epoch seconds (UTC bar open time)",
        )
    return pd.Series(
        (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), index=column.index, dtype="float64"
    )


def to_epoch_bound(value: TimeBound, *, is_end: bool) -> float | None:
    """An inclusive bound in epoch seconds; a bare date as an end bound covers its whole day."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise DataError(
                f"cannot read {value!r} as a date", fix="write dates as YYYY-MM-DD or YYYY-MM-DDTHH:MM"
            ) from None
        value = parsed.date() if len(text) == 10 else parsed
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.timestamp()
    midnight = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if is_end:
        return (midnight + timedelta(days=1)).timestamp() - 1e-6
    return midnight.timestamp()
