"""Candle-driven recorded feed: a paper venue's book synthesised from recorded candles (``--feed candles``).

The replay's candle mode, run on the client's clock: every bar of the candle file becomes the intrabar
price path of :func:`simulation.engine.events.feed_events` (``candle_path`` of the venue's sim config,
4 points per bar), and each point reaches the :class:`SimulatedExchange` through ``apply_price`` (the
synthetic one-level book of simulation/engine/candle_path.py, limit orders filled only when the path
trades through them), exactly as simulation/replay/run.py feeds it. The points follow the process's
:class:`RecordedClock` (``recorded = start + speed x elapsed``), so at 3600x one 1h bar plays per second
of the client's clock; point times are stamped back on the client's clock. No public trades are printed.

Source: the finest candle file of ``<venue>_<PAIR>_*.csv`` covering the start (the 1h/5m files up to
2023-12-31, the 1m months); the controllers' candle feeds read the same files with the history BEFORE the
start (simulation/paper/recorded_candles.py), so a 1000-bar warm-up is met at once when the file has it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from hummingbot_plugin.simulation.engine.events import ReplayEvent, feed_events
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.paper.recorded_candles import candle_file
from hummingbot_plugin.simulation.paper.recorded_feed import RecordedClock, RecordedFeedSettings, shared_clock

__all__ = ["POINTS_PER_BAR", "CandlePathFeed", "candle_path_feed"]

POINTS_PER_BAR = 4  # the replay's default: open, the two extremes, close
_LOG = logging.getLogger(__name__)


class CandlePathFeed:
    """Plays each pair's candle path into the bound simulated exchange as the recorded clock advances."""

    def __init__(self, venue: str, settings: RecordedFeedSettings, clock: RecordedClock) -> None:
        self._venue = venue
        self._settings = settings
        self._clock = clock
        self._streams: dict[str, Iterator[ReplayEvent]] = {}
        self._pending: dict[str, ReplayEvent | None] = {}
        self._ended: set[str] = set()
        self._sim: SimulatedExchange | None = None

    def bind(self, sim: SimulatedExchange) -> None:
        """Load each pair's bars from the start on (a DataError names the missing file and its fix)."""
        self._sim = sim
        for pair in sim.trading_pairs:
            path = candle_file(self._settings.data_dir, self._venue, pair, self._clock.start)
            # from the hour before: the bar under way at the start sets the first book (1m/5m/1h files)
            feed = load_feed(path, start=self._clock.start - 3600, pair=pair)
            mode = sim.sim_config.candle_path
            self._streams[pair] = feed_events(
                feed, self._venue, path_mode=mode, points_per_bar=POINTS_PER_BAR
            )
            self._pending[pair] = None
            _LOG.info(f"candle feed: {self._venue} {pair} from {path.name}, {len(feed.bars)} bars to play")

    def sync(self, timestamp: float) -> None:
        """Apply every path point due by the recorded time of this tick."""
        assert self._sim is not None
        self._clock.observe(timestamp)
        now = self._clock.recorded()
        for pair, stream in self._streams.items():
            self._play(pair, stream, now)

    def _play(self, pair: str, stream: Iterator[ReplayEvent], now: float) -> None:
        assert self._sim is not None
        while True:
            event = self._pending[pair] or next(stream, None)
            self._pending[pair] = None
            if event is None:
                self._end(pair, now)
                return
            if event.timestamp > now:
                self._pending[pair] = event
                return
            if event.price is not None:
                self._sim.apply_price(
                    pair,
                    event.price,
                    self._clock.to_clock(event.timestamp),
                    hold_s=event.hold_s / self._clock.speed,
                )

    def _end(self, pair: str, now: float) -> None:
        if pair not in self._ended:
            self._ended.add(pair)
            _LOG.warning(
                f"candle feed: the candles of {self._venue} {pair} end before {now:.0f} (epoch s); the book "
                "stops moving, quotes are pulled by the book-age check; restart with an earlier --start"
            )

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def candle_path_feed(venue: str, settings: RecordedFeedSettings) -> Any:
    """The feed of paper venue ``venue`` on the process's recorded clock (``settings.start`` is set)."""
    return CandlePathFeed(venue, settings, shared_clock(settings, {}))
