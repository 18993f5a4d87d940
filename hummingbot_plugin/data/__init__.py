"""Market-data layer: load, validate, inspect and resample candles.

Public API (other modules code against exactly this)::

    load_candles(path, *, start=None, end=None) -> DataFrame[timestamp, open, high, low, close, volume]
    interval_seconds("1h") -> 3600
    closed_count(open_timestamps, now, 3600) -> bars closed at now
    infer_interval(df) -> "1h"
    find_gaps(df, "1h") -> list[Gap(start, end, missing_bars)]
    resample_candles(df, "1h", *, incomplete="keep") -> DataFrame
"""

from hummingbot_plugin.data.gaps import Gap, find_gaps
from hummingbot_plugin.data.intervals import INTERVAL_SECONDS, closed_count, infer_interval, interval_seconds
from hummingbot_plugin.data.loader import candles_from_frame, load_candles, to_epoch_bound
from hummingbot_plugin.data.resample import IncompletePolicy, resample_candles
from hummingbot_plugin.data.validation import CANDLE_COLUMNS, validate_candles
from hummingbot_plugin.data.writer import write_candles_csv

__all__ = [
    "CANDLE_COLUMNS",
    "INTERVAL_SECONDS",
    "Gap",
    "IncompletePolicy",
    "candles_from_frame",
    "closed_count",
    "find_gaps",
    "infer_interval",
    "interval_seconds",
    "load_candles",
    "resample_candles",
    "to_epoch_bound",
    "validate_candles",
    "write_candles_csv",
]
