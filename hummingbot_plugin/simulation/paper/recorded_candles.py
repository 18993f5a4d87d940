"""Candles of the recorded-feed paper mode, served from the candle files of the data directory.

:func:`install_recorded_candles` makes Hummingbot's ``CandlesFactory`` build :class:`RecordedCandles` for
every candle connector it knows, so no candle feed of the client process opens a connection. A feed
serves the bars CLOSED at the recorded time (:class:`RecordedClock`), timestamps shifted onto the client's
clock so that the newest one closes at the client time its close was replayed (at any speed the controller
sees it just closed, never from the future; earlier bars keep their real spacing). Source file: the finest
``<connector>_<PAIR>_<interval>[_...].csv`` covering the recorded start, resampled exactly to the interval
asked for (as the backtest's offline provider does).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from hummingbot_plugin.data import infer_interval, interval_seconds, load_candles
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.hb.patches import serve_candles_with
from hummingbot_plugin.simulation.engine.candle_store import CandleStore
from hummingbot_plugin.simulation.paper.recorded_feed import RecordedFeedSettings, existing_clock

__all__ = ["RecordedCandles", "candle_file", "install_recorded_candles"]

_NAME = re.compile(r"^(?P<venue>[a-z_]+?)_(?P<pair>[A-Z0-9]+-[A-Z0-9]+)_(?P<interval>\d+[mhd])(_.*)?\.csv$")


@lru_cache(maxsize=64)  # asked by the paper venue's feed and by every candle feed of the same pair
def candle_file(directory: Path, connector: str, trading_pair: str, at: float) -> Path:
    """The finest candle file of ``connector`` ``trading_pair`` whose bars cover ``at``."""
    options: list[tuple[int, Path]] = []
    for path in directory.glob(f"{connector}_{trading_pair}_*.csv"):
        match = _NAME.match(path.name)
        if match and match["venue"] == connector and match["pair"] == trading_pair:
            options.append((interval_seconds(match["interval"]), path))
    for _, path in sorted(options):
        stamps = pd.read_csv(path, usecols=["timestamp"])["timestamp"]
        if len(stamps) and float(stamps.iloc[0]) < at <= float(stamps.iloc[-1]) + 86400:
            return path
    raise DataError(
        f"recorded feed: no candle file of {connector} {trading_pair} covers {pd.Timestamp(at, unit='s')}",
        fix=f"add {connector}_{trading_pair}_<interval>.csv covering it to {directory}, or use --feed live",
    )


class _Session:
    """The candles of one process: files loaded once, bars served as of the recorded clock."""

    def __init__(self, settings: RecordedFeedSettings) -> None:
        self.settings = settings
        self.store = CandleStore()

    def closed(self, connector: str, trading_pair: str, interval: str, max_records: int) -> pd.DataFrame:
        clock = existing_clock(self.settings)  # made by the first paper venue (recorded_books_feed)
        if clock is None or clock.candle_shift is None:
            return pd.DataFrame()  # before the first clock tick: the feed reports not ready
        if not self.store.has(connector, trading_pair):
            path = candle_file(self.settings.data_dir, connector, trading_pair, clock.start)
            frame = load_candles(path)
            self.store.add(connector, trading_pair, frame, infer_interval(frame))
        bars = self.store.closed_bars(connector, trading_pair, interval, clock.recorded(), max_records)
        if bars.empty:
            return bars
        close = float(bars["timestamp"].iloc[-1]) + interval_seconds(interval)
        return bars.assign(timestamp=bars["timestamp"] + (clock.to_clock(close) - close))


class RecordedCandles:
    """The candles-feed surface Hummingbot and the controllers use, served from recorded files."""

    session: _Session
    connector: str

    def __init__(self, trading_pair: str, interval: str = "1m", max_records: int = 150) -> None:
        self.trading_pair = trading_pair
        self.interval = interval
        self.max_records = max_records
        self.interval_in_seconds = interval_seconds(interval)

    @property
    def name(self) -> str:
        return f"{self.connector}_{self.trading_pair}"

    @property
    def candles_df(self) -> pd.DataFrame:
        return self.session.closed(self.connector, self.trading_pair, self.interval, self.max_records)

    @property
    def ready(self) -> bool:
        return not self.candles_df.empty

    def attach_connector(self, connector: Any) -> None:
        return None  # nothing to share: no network

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


def install_recorded_candles(settings: RecordedFeedSettings) -> int:
    """Serve every candle connector of ``CandlesFactory`` from recorded files; returns how many."""
    session = _Session(settings)
    return serve_candles_with(
        lambda name: type(
            f"Recorded_{name}_Candles", (RecordedCandles,), {"session": session, "connector": name}
        )
    )
