"""Recorded-feed paper mode: the simulated exchange in the real client fed from recorded files.

With ``HBP_PAPER_FEED=recorded`` (set by ``python -m hummingbot_plugin client --feed recorded``), a paper
venue's book and trades come from the raw websocket capture in the data directory (``<venue>_<PAIR>_spot_ws
_raw_*.txt.gz``, rebuilt into Hummingbot ``OrderBook`` objects by :class:`CaptureBooks`) instead of the
venue's public feed, and candles from the candle files (:mod:`simulation.paper.recorded_candles`).
With ``HBP_PAPER_FEED=candles`` (``--feed candles --start ...``) the book is synthesised from the candle
files instead, from any start inside them (:mod:`hummingbot_plugin.simulation.paper.candle_feed`).

Time: Hummingbot's clock keeps running on its own time; :class:`RecordedClock` maps it to the recording,
``recorded = start + speed x (clock - first tick)``. Books and trades follow the recorded time (``speed``
> 1 replays them faster); trade prints are stamped back on the client's clock. Candles keep their real
spacing; they are shifted so that the newest closed bar closes at the client time its close was replayed,
so a controller's ``market_data_provider.time()`` sees it as just closed at any speed. When the recording
ends the books stop moving: the risk gate's book-age check then pulls quotes, and the feed says so once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from hummingbot.core.data_type.order_book import OrderBook
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hummingbot_plugin.data.loader import to_epoch_bound
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.settings import data_dir
from hummingbot_plugin.simulation.engine.ws_capture import CaptureKind, iter_capture
from hummingbot_plugin.simulation.paper.book_feed import CaptureBooks, OrderBookFeed

__all__ = [
    "ENV_FEED",
    "ENV_SPEED",
    "ENV_START",
    "RecordedBooksFeed",
    "RecordedClock",
    "RecordedFeedSettings",
    "capture_file",
    "existing_clock",
    "parse_start",
    "recorded_books_feed",
    "settings_from_env",
    "shared_clock",
]

ENV_FEED = "HBP_PAPER_FEED"
ENV_SPEED = "HBP_PAPER_FEED_SPEED"
ENV_START = "HBP_PAPER_FEED_START"
MAX_CAPTURE_SPEED = 100.0
MAX_CANDLE_SPEED = 3600.0  # one 1h bar per second of the client's clock
#: ``--feed`` value -> recording it plays
SOURCES: dict[str, Literal["capture", "candles"]] = {"recorded": "capture", "candles": "candles"}
_LOG = logging.getLogger(__name__)


class RecordedFeedSettings(BaseModel):
    """Where the recording is, which one (``capture``: the L2 capture; ``candles``: the candle files) and
    how fast it plays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path
    source: Literal["capture", "candles"] = "capture"
    speed: float = Field(default=1.0, ge=1.0, le=MAX_CANDLE_SPEED)
    start: float | None = Field(default=None, gt=0)  # epoch s inside the data; None = the capture's start

    @model_validator(mode="after")
    def _bounds_of_source(self) -> RecordedFeedSettings:
        if self.source == "capture" and self.speed > MAX_CAPTURE_SPEED:
            raise ValueError(f"the L2 capture plays at most {MAX_CAPTURE_SPEED:g}x")
        if self.source == "candles" and self.start is None:
            raise ValueError("the candle feed needs a start time")
        return self


def settings_from_env(environ: Mapping[str, str]) -> RecordedFeedSettings | None:
    """The recorded feed of this process, or None for the live public feed."""
    feed = environ.get(ENV_FEED, "live").strip().lower() or "live"
    if feed == "live":
        return None
    if feed not in SOURCES:
        raise ConfigError(f"{ENV_FEED}={feed!r} is not a paper feed", fix="use live, recorded or candles")
    try:
        return RecordedFeedSettings(
            data_dir=data_dir(),
            source=SOURCES[feed],
            speed=float(environ.get(ENV_SPEED) or 1.0),
            start=parse_start(environ.get(ENV_START) or None),
        )
    except (ValueError, ValidationError, DataError) as exc:
        limit = MAX_CANDLE_SPEED if feed == "candles" else MAX_CAPTURE_SPEED
        why = "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
        why = exc.message if isinstance(exc, DataError) else why
        raise ConfigError(
            f"{feed} feed: invalid {ENV_SPEED}/{ENV_START}: {why}".splitlines()[0],
            fix=f"speed is a number from 1 to {limit:g}; start is an ISO time (2023-03-01T00:00Z) or epoch "
            "seconds inside the data" + (" (required)" if feed == "candles" else ""),
        ) from exc


def parse_start(value: str | None) -> float | None:
    """``--start``: epoch seconds or an ISO time (UTC unless it names a zone); None stays None."""
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        bound = to_epoch_bound(value.strip().replace("Z", "+00:00"), is_end=False)
        assert bound is not None
        return bound


class RecordedClock:
    """Maps the client's clock to the recording: anchored at the first tick it observes."""

    def __init__(self, start: float, speed: float) -> None:
        self.start = start
        self.speed = speed
        self.anchor: float | None = None
        self.last: float | None = None

    def observe(self, timestamp: float) -> None:
        if self.anchor is None:
            self.anchor = timestamp
        self.last = max(timestamp, self.last or timestamp)

    def recorded(self) -> float:
        """Recorded time of the newest observed tick (``start`` before any)."""
        if self.anchor is None or self.last is None:
            return self.start
        return self.start + self.speed * (self.last - self.anchor)

    def to_clock(self, recorded: float) -> float:
        """A recorded instant on the client's clock (trade prints)."""
        anchor = self.start if self.anchor is None else self.anchor
        return anchor + (recorded - self.start) / self.speed

    @property
    def candle_shift(self) -> float | None:
        """Seconds added to candle times (None before the first tick)."""
        return None if self.anchor is None else self.anchor - self.start


_CLOCKS: dict[RecordedFeedSettings, RecordedClock] = {}


def shared_clock(settings: RecordedFeedSettings, pairs: dict[str, Path]) -> RecordedClock:
    """One clock per process and settings: every venue and candle feed reads the same recorded time
    (``pairs``: the captures, whose start is the default start of the capture feed)."""
    clock = _CLOCKS.get(settings)
    if clock is None:
        start = settings.start if settings.start is not None else _default_start(list(pairs.values()))
        clock = _CLOCKS[settings] = RecordedClock(start, settings.speed)
        _LOG.info(
            f"{settings.source} feed: replaying from {start:.0f} (epoch s) at {settings.speed:g}x, no network"
        )
    return clock


def existing_clock(settings: RecordedFeedSettings) -> RecordedClock | None:
    """The clock of ``settings`` once a paper venue made it (candles wait for it)."""
    return _CLOCKS.get(settings)


def _default_start(paths: list[Path]) -> float:
    """The latest first-snapshot time of the captures (every book exists from there on)."""
    starts = []
    for path in paths:
        first = next((m.received_at for m in iter_capture(path) if m.kind is CaptureKind.SNAPSHOT), None)
        if first is None:
            raise ConfigError(f"recorded feed: {path.name} has no book snapshot", fix="use a full capture")
        starts.append(first)
    return max(starts)


def capture_file(directory: Path, venue: str, trading_pair: str) -> Path:
    """The raw websocket capture of ``venue`` ``trading_pair`` in ``directory``."""
    found = sorted(directory.glob(f"{venue}_{trading_pair}_spot_ws_raw_*.txt*"))
    if not found:
        raise ConfigError(
            f"recorded feed: no capture {venue}_{trading_pair}_spot_ws_raw_*.txt.gz in {directory}",
            fix="set HBP_DATA_DIR to the folder holding the capture, or use --feed live",
        )
    return found[-1]


class RecordedBooksFeed(OrderBookFeed):
    """An :class:`OrderBookFeed` whose books are rebuilt from captures as the recorded clock advances."""

    def __init__(self, captures: dict[str, CaptureBooks], clock: RecordedClock, depth: int) -> None:
        super().__init__(self._books, depth=depth, to_clock=clock.to_clock)
        self._captures = captures
        self._clock = clock
        self._ended = False

    def _books(self) -> dict[str, OrderBook]:
        return {pair: book for c in self._captures.values() for pair, book in c.books.items()}

    def sync(self, timestamp: float) -> None:
        self._clock.observe(timestamp)
        now = self._clock.recorded()
        for capture in self._captures.values():
            capture.advance_to(now)
        if not self._ended and all(c.finished for c in self._captures.values()):
            self._ended = True
            _LOG.warning(
                f"recorded feed: the recording ended before {now:.0f} (epoch s); books stop moving, "
                "quotes are pulled by the book-age check; restart the client to replay again"
            )
        super().sync(timestamp)


def recorded_books_feed(
    venue: str, trading_pairs: list[str], settings: RecordedFeedSettings, depth: int
) -> RecordedBooksFeed:
    """The feed of paper venue ``venue``: one capture per pair, on the process's recorded clock."""
    paths = {pair: capture_file(settings.data_dir, venue, pair) for pair in trading_pairs}
    clock = shared_clock(settings, paths)
    captures = {pair: CaptureBooks(path, pair) for pair, path in paths.items()}
    return RecordedBooksFeed(captures, clock, depth)
