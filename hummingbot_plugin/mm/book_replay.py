"""PMM replay on the recorded L2 book + trade tape, and validation of the queue model against the tape.

Event order: L2 snapshots (1 s) and trades merged by exchange time (a snapshot before a trade at the same
millisecond). The strategy decides at every snapshot; its orders and cancels reach the matching engine
``latency_s`` later (queue position is taken from the book at arrival). Volatility features use the 1 s
mid series (causal). Fill rules are the simulator's queue model (see ``hummingbot_plugin.sim.matching``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hummingbot_plugin.mm import quoting
from hummingbot_plugin.mm.pmm_logic import PMMSettings, quoting_params
from hummingbot_plugin.mm.replay import QuoteReplay, ReplayOptions, ReplayResult, RiskFn
from hummingbot_plugin.sim.matching import MatchingEngine
from hummingbot_plugin.sim.models import BookSnapshot, TradePrint

__all__ = ["BookEvents", "mid_of", "run_book_replay"]


@dataclass(frozen=True)
class BookEvents:
    """Recorded L2 snapshots and trades of one pair."""

    books: Sequence[BookSnapshot]
    trades: Sequence[TradePrint]

    def merged(self) -> list[BookSnapshot | TradePrint]:
        events: list[BookSnapshot | TradePrint] = [*self.books, *self.trades]
        events.sort(key=lambda e: (e.timestamp, 0 if isinstance(e, BookSnapshot) else 1))
        return events


def mid_of(book: BookSnapshot) -> float:
    """Mid of the displayed best bid/ask (NaN for a one-sided book)."""
    if book.best_bid is None or book.best_ask is None:
        return float("nan")
    return (float(book.best_bid) + float(book.best_ask)) / 2.0


def _features(books: Sequence[BookSnapshot], settings: PMMSettings) -> pd.DataFrame:
    frame = pd.DataFrame({"timestamp": [b.timestamp for b in books], "close": [mid_of(b) for b in books]})
    return quoting.per_bar_features(frame, quoting_params(settings))


class _Delayed:
    """Decisions waiting for their latency to elapse."""

    def __init__(self, replay: QuoteReplay, latency_s: float) -> None:
        self.replay, self.latency_s = replay, latency_s
        self.queue: list[tuple[float, float, dict[str, float]]] = []

    def schedule(self, now: float, mid: float, data: dict[str, float]) -> None:
        self.queue.append((now + self.latency_s, mid, data))

    def release(self, until: float) -> None:
        while self.queue and self.queue[0][0] <= until:
            at, mid, data = self.queue.pop(0)
            self.replay.decide(at, mid, data)


def run_book_replay(
    events: BookEvents,
    settings: PMMSettings,
    *,
    latency_s: float = 0.05,
    risk_fn: RiskFn | None = None,
    options: ReplayOptions | None = None,
) -> ReplayResult:
    """Replay ``settings`` on the recorded book and trades (queue-aware fills).

    A decision taken at snapshot time ``t`` reaches the engine at ``t + latency_s``; the planner sees
    ``timestamp = t`` (the GLFT quoter picks the estimate of the window holding ``t``).
    """
    features = _features(events.books, settings)
    skew = dict(zip(features["timestamp"], features["forecast_skew"], strict=True))
    mult = dict(zip(features["timestamp"], features["spread_multiplier"], strict=True))
    engine = MatchingEngine()
    replay = QuoteReplay(settings, engine, risk_fn=risk_fn, options=options)
    delayed = _Delayed(replay, latency_s)
    for event in events.merged():
        delayed.release(event.timestamp)
        if isinstance(event, TradePrint):
            replay.on_fills(engine.on_trade(event))
            continue
        replay.on_fills(engine.on_book(event))
        mid = mid_of(event)
        if np.isfinite(mid):
            delayed.schedule(
                event.timestamp,
                mid,
                {
                    "timestamp": float(event.timestamp),
                    "forecast_skew": float(skew[event.timestamp]),
                    "spread_multiplier": float(mult[event.timestamp]),
                },
            )
    return replay.result()
