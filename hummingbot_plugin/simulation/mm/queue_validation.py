"""Validate the simulator's queue model against what the recorded trade tape allows.

Trials: every ``every_s`` seconds a passive buy at the best bid and a passive sell at the best ask
(``size`` base each) rest for ``hold_s`` seconds. For each trial we compare:

- ``sim``: fill from the simulated exchange's :class:`MatchingEngine` (queue ahead = displayed size at
  placement; trades at our price eat the queue first; displayed-size decreases are treated as cancels
  ahead of us; trades through our price fill us up to their size);
- ``tape``: what the trades alone allow: ``min(size, max(0, V_at - Q0) + V_through)`` with ``Q0`` the
  displayed size at placement, ``V_at`` the volume traded at our price and ``V_through`` the volume
  traded strictly through it (cancellations never advance us: the conservative bound);
- ``touch``: full fill if any trade touched our price (the optimistic rule of naive backtests);
- ``through``: full fill if any trade went strictly through our price (the candle rule at tick level).
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

import pandas as pd

from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import BookSnapshot, OrderKind, Side, SimOrder, TradePrint
from hummingbot_plugin.simulation.mm.book_replay import BookEvents

__all__ = ["run_touch_validation", "summarise_validation"]


def _sim_fill(
    events: list[BookSnapshot | TradePrint],
    book: BookSnapshot,
    side: Side,
    price: Decimal,
    size: Decimal,
    t0: float,
) -> float:
    engine = MatchingEngine()
    engine.on_book(book)
    order = SimOrder("trial", side, OrderKind.LIMIT_MAKER, size, price, t0)
    if engine.submit(order, t0).rejection is not None:
        return 0.0
    filled = Decimal(0)
    for event in events:
        fills = engine.on_trade(event) if isinstance(event, TradePrint) else engine.on_book(event)
        filled += sum((f.amount for f in fills), Decimal(0))
        if filled >= size:
            break
    return float(filled)


def _tape_stats(trades: list[TradePrint], side: Side, price: Decimal) -> tuple[float, float]:
    at = through = 0.0
    for t in trades:
        if t.aggressor is side:  # our passive side is hit only by the opposite aggressor
            continue
        if t.price == price:
            at += float(t.amount)
        elif (t.price < price) if side is Side.BUY else (t.price > price):
            through += float(t.amount)
    return at, through


def _trial(
    events: BookEvents,
    merged: list[BookSnapshot | TradePrint],
    keys: list[float],
    book: BookSnapshot,
    side: Side,
    size: Decimal,
    hold_s: float,
) -> dict[str, float | str]:
    level = book.bids[0] if side is Side.BUY else book.asks[0]
    t0 = book.timestamp
    window = merged[bisect_left(keys, t0) : bisect_left(keys, t0 + hold_s)]
    window = [e for e in window if e is not book]
    trades = [e for e in window if isinstance(e, TradePrint)]
    at, through = _tape_stats(trades, side, level.price)
    q0, s = float(level.amount), float(size)
    return {
        "timestamp": t0,
        "side": side.value,
        "price": float(level.price),
        "queue_ahead": q0,
        "sim": _sim_fill(window, book, side, level.price, size, t0),
        "tape": min(s, max(0.0, at - q0) + through),
        "touch": s if at + through > 0 else 0.0,
        "through": s if through > 0 else 0.0,
    }


def run_touch_validation(
    events: BookEvents, *, every_s: float = 5.0, hold_s: float = 30.0, size: Decimal = Decimal("0.01")
) -> pd.DataFrame:
    """One row per trial (both sides), filled amounts under each rule."""
    merged = events.merged()
    keys = [e.timestamp for e in merged]
    rows: list[dict[str, float | str]] = []
    next_t = events.books[0].timestamp if events.books else 0.0
    end = keys[-1] - hold_s if keys else 0.0
    for book in events.books:
        if book.timestamp < next_t or book.timestamp > end or not book.bids or not book.asks:
            continue
        next_t = book.timestamp + every_s
        for side in (Side.BUY, Side.SELL):
            rows.append(_trial(events, merged, keys, book, side, size, hold_s))
    return pd.DataFrame(rows)


def summarise_validation(trials: pd.DataFrame, size: float) -> dict[str, float]:
    """Fill rate (any fill) and mean filled fraction per rule, plus how often sim exceeds the tape bound."""
    out: dict[str, float] = {"trials": float(len(trials))}
    for rule in ("sim", "tape", "touch", "through"):
        out[f"{rule}_fill_rate"] = float((trials[rule] > 0).mean())
        out[f"{rule}_filled_fraction"] = float((trials[rule] / size).mean())
    out["sim_above_tape_pct"] = float((trials["sim"] > trials["tape"] + 1e-12).mean() * 100)
    return out
