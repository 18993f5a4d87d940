"""Feed health: one state machine per market-data source (a venue's public feed, the MQTT broker).

Pure: the caller passes the trading clock and whether the source delivered fresh data this tick; the
machine decides what to say and when. A source that stays bad for ``grace_seconds`` goes DOWN with ONE
warning (which source, which host, what the bot does meanwhile), then reminders after
``repeat_seconds``, each twice as far apart as the last (up to one an hour), and ONE line when it
recovers. ``STARTING`` -> ``UP`` is silent.

What "meanwhile" means is decided here, in one place: a venue that is down gets no new positions and
its quotes are pulled (:meth:`FeedHealth.blocks_new_positions`); a broker that is down blocks new
positions only when the bot's kill switch travels over it (``blocks_on_broker``), otherwise the
controllers keep trading on their in-process models and use no external prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

MAX_REMINDER_GAP = 3600.0  # reminders: after repeat_seconds, then twice as far apart each time, up to 1 h

__all__ = ["FeedHealth", "FeedNotice", "FeedSource", "FeedState", "FeedStatus", "SourceKind"]


class SourceKind(StrEnum):
    VENUE = "venue"
    BROKER = "broker"


class FeedState(StrEnum):
    STARTING = "STARTING"  # no verdict yet (within the grace period of the first bad reading)
    UP = "UP"
    DOWN = "DOWN"


@dataclass(frozen=True)
class FeedSource:
    """``name``: the venue (``binance``) or ``mqtt``; ``host``: where its data comes from."""

    name: str
    kind: SourceKind
    host: str


@dataclass(frozen=True)
class FeedNotice:
    """One line to log: ``event`` is ``down``, ``still_down`` or ``recovered``."""

    source: FeedSource
    event: str
    message: str

    @property
    def is_warning(self) -> bool:
        return self.event != "recovered"


@dataclass(frozen=True)
class FeedStatus:
    """A source's state for ``status`` and the metrics."""

    source: FeedSource
    state: FeedState
    down_seconds: float
    outages: int
    detail: str


@dataclass
class _Track:
    source: FeedSource
    state: FeedState = FeedState.STARTING
    ever_up: bool = False
    bad_since: float | None = None
    last_notice: float = 0.0
    outages: int = 0
    detail: str = ""
    blocks: bool = True
    reminder_gap: float = 0.0


@dataclass
class FeedHealth:
    """Per-source state machines; see the module docstring."""

    grace_seconds: float = 15.0
    repeat_seconds: float = 300.0
    blocks_on_broker: bool = False
    _tracks: dict[str, _Track] = field(default_factory=dict)

    def observe(self, source: FeedSource, fresh: bool, now: float, detail: str = "") -> FeedNotice | None:
        """Record one reading; returns the line to log, if any (at most one per source per call)."""
        track = self._tracks.setdefault(source.name, _Track(source))
        track.source = source
        track.blocks = source.kind is SourceKind.VENUE or self.blocks_on_broker
        if fresh:
            return self._fresh(track, now)
        track.detail = detail
        if track.bad_since is None:
            track.bad_since = now
        if track.state is not FeedState.DOWN and now - track.bad_since >= self.grace_seconds:
            track.state, track.last_notice = FeedState.DOWN, now
            track.outages, track.reminder_gap = track.outages + 1, self.repeat_seconds
            return FeedNotice(source, "down", self._down_line(track, now))
        if track.state is FeedState.DOWN and now - track.last_notice >= track.reminder_gap:
            track.last_notice = now
            track.reminder_gap = min(2 * track.reminder_gap, max(self.repeat_seconds, MAX_REMINDER_GAP))
            return FeedNotice(source, "still_down", self._still_down_line(track, now))
        return None

    def _fresh(self, track: _Track, now: float) -> FeedNotice | None:
        was_down, bad_since = track.state is FeedState.DOWN, track.bad_since
        track.state, track.ever_up, track.bad_since, track.detail = FeedState.UP, True, None, ""
        if not was_down:
            return None
        src = track.source
        after = f"after {_elapsed(bad_since, now):.0f}s"
        resumed = (
            "quoting and new positions allowed again (risk limits permitting)"
            if track.blocks
            else ("overrides, predictions and risk commands are received again")
        )
        return FeedNotice(src, "recovered", f"FEED RECOVERED: {self._who(src)} is back {after}; {resumed}")

    def blocks_new_positions(self, venue: str) -> bool:
        """True while ``venue`` (or a broker that carries the kill switch) is DOWN."""
        if any(
            t.state is FeedState.DOWN and t.blocks and t.source.kind is SourceKind.BROKER
            for t in self._tracks.values()
        ):
            return True
        track = self._tracks.get(venue)
        return track is not None and track.state is FeedState.DOWN

    def statuses(self, now: float) -> list[FeedStatus]:
        return [
            FeedStatus(
                t.source,
                t.state,
                _elapsed(t.bad_since, now) if t.state is FeedState.DOWN else 0.0,
                t.outages,
                t.detail,
            )
            for t in sorted(self._tracks.values(), key=lambda t: (t.source.kind, t.source.name))
        ]

    def status_lines(self, now: float) -> list[str]:
        """One line per source for the ``status`` command."""
        lines = []
        for s in self.statuses(now):
            text = f"  {s.source.kind} {s.source.name} ({s.source.host}): {s.state}"
            if s.state is FeedState.DOWN:
                text += f" for {s.down_seconds:.0f}s, {self._meanwhile(self._tracks[s.source.name])}"
                text += f" [{s.detail}]" if s.detail else ""
            lines.append(text)
        return lines

    # ----- the words --------------------------------------------------------------------------
    @staticmethod
    def _who(source: FeedSource) -> str:
        if source.kind is SourceKind.BROKER:
            return f"MQTT broker {source.host}"
        return f"{source.name} public market data ({source.host})"

    @staticmethod
    def _meanwhile(track: _Track) -> str:
        if track.source.kind is SourceKind.VENUE:
            return f"quotes pulled and no new positions on {track.source.name} (open positions still managed)"
        if track.blocks:
            return "no new positions on any venue (the kill switch travels over MQTT); open ones managed"
        return "no overrides, predictions or risk commands received; controllers trade on their own models"

    def _down_line(self, track: _Track, now: float) -> str:
        since = "since start" if not track.ever_up else f"for {_elapsed(track.bad_since, now):.0f}s"
        what = "unreachable" if track.source.kind is SourceKind.BROKER else "no fresh order book"
        detail = f" ({track.detail})" if track.detail else ""
        return (
            f"FEED DOWN: {self._who(track.source)}: {what} {since}{detail}. Meanwhile: "
            f"{self._meanwhile(track)}. Recovers by itself when data returns; next reminder in "
            f"{self.repeat_seconds:.0f}s"
        )

    def _still_down_line(self, track: _Track, now: float) -> str:
        return (
            f"FEED STILL DOWN: {self._who(track.source)} for {_elapsed(track.bad_since, now):.0f}s; "
            f"{self._meanwhile(track)}"
        )


def _elapsed(since: float | None, now: float) -> float:
    return 0.0 if since is None else now - since
