"""Market replay of the PMM decision logic against the simulated exchange's matching engine.

The quoting, level lifecycle and risk code is the controller's own (:mod:`pmm_logic`); fills come from
:class:`simulation.engine.matching.MatchingEngine` (queue-aware on trades + L2, trade-through on candles);
orders, cancels and closes follow the full runtime's executors (:mod:`simulation.mm.executor_model`).
The result equals the full-runtime replay (``hummingbot_plugin/simulation/replay/run.py``) on the same data:
``tests/test_mm_pure_parity.py``, ``benchmarks/bench_mm_speed.py``.

Candle mode (:func:`run_candle_replay`), as the full runtime replays candles:

1. Inside a bar the price walks the simulator's intrabar path (bullish bar: open → low → high → close),
   one point every ``bar_seconds / points_per_bar``; at each point the price comes first, then the
   controller decides (from the bars closed by then, at the mid of the exchange's synthetic book), so a
   level filled at the low can be quoted again and fill again before the bar closes.
2. A quote fills only when the path trades strictly THROUGH its price, in full, at its own price
   (touching is not enough: we would sit at the back of the queue). No price improvement.

Every quote rests as the executor sends it: a LIMIT_MAKER price never better than the touch, floored to
the price tick like Hummingbot's connector, the size floored to the lot step (below the minimum size or
notional it is not sent); every fill pays the run's maker fee (``fees``, default: the settings'
``maker_fee``); a negative fee is a rebate received.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.fees import FeeSchedule
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.mm.glft_plan import Planner
from hummingbot_plugin.mm.pmm_logic import ForecastFn, PMMSettings, QuotePlan
from hummingbot_plugin.mm.risk import QuoteRiskDecision
from hummingbot_plugin.simulation.engine.candle_path import (
    PathMode,
    intrabar_path,
    path_timestamps,
    synthetic_book,
)
from hummingbot_plugin.simulation.engine.config import TRADING_RULES_FILE, PairRules, load_pair_rules
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import Bar, Fill, Side
from hummingbot_plugin.simulation.mm.executor_model import ExecutorModel

__all__ = [
    "QuoteReplay",
    "ReplayOptions",
    "ReplayResult",
    "RiskFn",
    "Timing",
    "run_candle_replay",
    "venue_rules",
]

RiskFn = Callable[[float, float], QuoteRiskDecision]  # (now, inventory deviation) -> decision


@dataclass
class ReplayResult:
    """Fill ledger (analytics columns), mid path, orders placed and per-decision risk states."""

    fills: pd.DataFrame
    mids: pd.DataFrame
    n_orders: int
    risk_states: list[str] = field(default_factory=list)
    n_rejected: int = 0


def _d(x: float) -> Decimal:
    return Decimal(repr(float(x)))


@functools.lru_cache(maxsize=64)
def venue_rules(venue: str = "binance", trading_pair: str = "BTC-USDT") -> PairRules:
    """The shipped trading rules (tick, lot step, minimums) of one pair."""
    rules = load_pair_rules(TRADING_RULES_FILE, venue)
    if trading_pair not in rules:
        raise ConfigError(
            f"no trading rules for {venue} {trading_pair}", fix=f"add them to {TRADING_RULES_FILE}"
        )
    return rules[trading_pair]


@dataclass(frozen=True)
class ReplayOptions:
    """What a replay charges and how quotes are placed: fee schedule, venue rules, decision function.

    ``fees=None`` charges the settings' ``maker_fee``; ``rules=None`` uses Binance BTC-USDT's;
    ``planner=None`` is the PMM (:func:`pmm_logic.plan_quotes`).
    """

    fees: FeeSchedule | None = None
    rules: PairRules | None = None
    planner: Planner | None = None
    candle_half_spread_bps: Decimal = Decimal(1)  # the simulated exchange's synthetic candle book


@dataclass(frozen=True)
class Timing:
    """Executor timing: control interval, order/cancel latency, and the clock grid of the full runtime.

    The controller and executors wake on multiples of ``interval``; Hummingbot's backtest ``Clock``
    starts at ``clock_start`` and, driven to a wake-up time, ticks to the first point of its own grid at
    or after it: that is the strategy's ``current_timestamp`` an executor stamps as its close time.
    """

    interval: float = 1.0
    latency_s: float = 0.05
    clock_start: float = 0.0

    def clock(self, x: float) -> float:
        """The strategy's clock time while the event loop is at ``x``."""
        target = math.floor(x / self.interval) * self.interval
        return (
            self.clock_start + math.ceil((target - self.clock_start) / self.interval - 1e-9) * self.interval
        )


class QuoteReplay:
    """Drives one quoter like the PMM controller: decisions via the planner, orders via executor timing
    (:mod:`hummingbot_plugin.simulation.mm.executor_model`) into a ``MatchingEngine``."""

    def __init__(
        self,
        settings: PMMSettings,
        engine: MatchingEngine,
        *,
        risk_fn: RiskFn | None = None,
        options: ReplayOptions | None = None,
        timing: Timing | None = None,
    ) -> None:
        opts = options or ReplayOptions()
        t = timing or Timing()
        self.settings = settings
        self.engine = engine
        self.risk_fn = risk_fn
        self.fee_rate = float(opts.fees.maker if opts.fees is not None else settings.maker_fee)
        self.planner: Planner = opts.planner or pmm_logic.plan_quotes
        self.model = ExecutorModel(
            engine, opts.rules or venue_rules(), interval=t.interval, latency_s=t.latency_s, clock=t.clock
        )
        self.fill_rows: list[tuple[float, int, float, float, float, float, str]] = []
        self.mid_rows: list[tuple[float, float]] = []
        self.risk_states: list[str] = []
        self.memo = opts.planner is None  # plan_quotes depends on its inputs only
        self._plans: dict[tuple[Any, ...], QuotePlan] = {}

    def on_fills(self, fills: list[Fill]) -> None:
        """Book fills; each is marked at the mid when its quote was decided (see analytics)."""
        fee_rate = self.fee_rate
        for f in fills:
            price, amount = float(f.price), float(f.amount)
            ex = self.model.on_fill(f)
            sign = 1 if f.side is Side.BUY else -1
            self.fill_rows.append(
                (f.timestamp, sign, price, amount, price * amount * fee_rate, ex.mid, f.order_id)
            )

    def decide(
        self, now: float, mid: float, data: dict[str, Any], best: tuple[Decimal | None, Decimal | None]
    ) -> None:
        """One controller tick at ``now``: plan quotes, stop stale/pulled levels, create missing ones."""
        self.mid_rows.append((now, mid))
        inventory = self.model.inventory(now)
        plan = self._plan(now, mid, inventory, data)
        self.risk_states.append(plan.risk.state.name)
        creates, stops = pmm_logic.level_actions(plan, self.model.views(now), now, self.settings)
        for order_id in stops:
            self.model.stop(order_id, now)
        for level_id in creates:
            self.model.create(level_id, plan.prices[level_id], plan.amounts[level_id], now, mid, best)
        self.on_fills(self.model.run_due(now, inclusive=True))  # zero latency: placed at once

    def _plan(self, now: float, mid: float, inventory: float, data: dict[str, Any]) -> QuotePlan:
        """The planner's quote plan; the PMM's (which ignores the clock) is reused while its inputs repeat."""
        s = self.settings
        if self.risk_fn is not None:
            dev = (inventory * mid / float(s.total_amount_quote) - s.inventory_target_base_pct) / (
                s.inventory_range_pct
            )
            external = self.risk_fn(now, min(max(dev, -1.0), 1.0))
            return self.planner(s, {"timestamp": now, **data}, mid, inventory * mid, external)
        data_now = {"timestamp": now, **data}
        if not self.memo:
            return self.planner(s, data_now, mid, inventory * mid, QuoteRiskDecision())
        key = tuple(v if v == v else None for v in (mid, inventory, *data.values()))  # NaN != NaN
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) > 100_000:
                self._plans.clear()
            plan = self._plans[key] = self.planner(s, data_now, mid, inventory * mid, QuoteRiskDecision())
        return plan

    def result(self) -> ReplayResult:
        fills = pd.DataFrame(
            self.fill_rows, columns=["timestamp", "side", "price", "amount", "fee", "mid", "order_id"]
        )
        mids = pd.DataFrame(self.mid_rows, columns=["timestamp", "mid"])
        return ReplayResult(fills, mids, self.model.n_orders, self.risk_states, self.model.n_rejected)


def _bars(candles: pd.DataFrame) -> list[Bar]:
    cols = [
        candles[c].to_numpy(dtype=np.float64) for c in ("timestamp", "open", "high", "low", "close", "volume")
    ]
    return [
        Bar(float(t), _d(o), _d(h), _d(lo), _d(c), _d(v)) for t, o, h, lo, c, v in zip(*cols, strict=True)
    ]


def run_candle_replay(
    candles: pd.DataFrame,
    settings: PMMSettings,
    *,
    bar_seconds: float,
    forecast_fn: ForecastFn | None = None,
    risk_fn: RiskFn | None = None,
    path_mode: PathMode = PathMode.AUTO,
    options: ReplayOptions | None = None,
    start: float | None = None,
    latency_s: float = 0.05,
    points_per_bar: int = 4,
) -> ReplayResult:
    """Replay ``settings`` over ``candles`` (one interval) like the full runtime's candle mode.

    Bars opened before ``start`` only warm the features up. At each of the ``points_per_bar`` path
    points the price event comes first (fills), then the controller decides on the bars closed by then,
    at the mid of the simulated exchange's synthetic book around the path price.
    """
    candles = candles.reset_index(drop=True)
    opts = options or ReplayOptions()
    features = pmm_logic.feature_frame(candles, settings, forecast_fn)
    stamps = candles["timestamp"].to_numpy(dtype=np.float64)
    first = 0 if start is None else int(np.searchsorted(stamps, start))
    if first >= len(candles):
        return QuoteReplay(settings, MatchingEngine(), options=opts).result()
    step = bar_seconds / max(1, points_per_bar)
    timing = Timing(interval=step, latency_s=latency_s, clock_start=float(stamps[first]))
    replay = QuoteReplay(settings, MatchingEngine(), risk_fn=risk_fn, options=opts, timing=timing)
    point = _PathPoint(replay, features, settings.volatility_window, opts.candle_half_spread_bps)
    for i, bar in enumerate(_bars(candles.iloc[first:]), start=first):
        times = path_timestamps(bar.timestamp, bar_seconds, points_per_bar)
        for price, ts in zip(_spread(intrabar_path(bar, path_mode), points_per_bar), times, strict=True):
            if ts > stamps[-1]:  # the full runtime's period ends at the last bar's open
                break
            point.run(i, price, ts, decide=ts > timing.clock_start)  # the clock ticks first at start + step
    return replay.result()


class _PathPoint:
    """One candle path point of the full runtime: the price event (fills), then the controller's tick."""

    def __init__(
        self, replay: QuoteReplay, features: pd.DataFrame, warm: int, half_spread_bps: Decimal
    ) -> None:
        self.replay, self.warm, self.half_spread_bps = replay, warm, half_spread_bps
        self.skew = features["forecast_skew"].to_numpy(dtype=np.float64)
        self.mult = features["spread_multiplier"].to_numpy(dtype=np.float64)
        self.tick = replay.model.rules.min_price_increment

    def run(self, i: int, price: Decimal, ts: float, *, decide: bool) -> None:
        replay = self.replay
        replay.on_fills(replay.model.run_due(ts, inclusive=False))
        replay.on_fills(replay.engine.on_price(price, ts))
        if not decide:
            return
        book = synthetic_book(
            price, ts, half_spread_bps=self.half_spread_bps, depth=Decimal(1), tick=self.tick
        )
        mid = float((book.bids[0].price + book.asks[0].price) / 2)
        ok = i > self.warm  # bars 0 .. i-1 are closed at ts; the controller needs window + 1 of them
        data = {
            "forecast_skew": float(self.skew[i - 1]) if ok else math.nan,
            "spread_multiplier": float(self.mult[i - 1]) if ok else math.nan,
        }
        replay.decide(ts, mid, data, (book.best_bid, book.best_ask))


def _spread(prices: tuple[Decimal, ...], points: int) -> list[Decimal]:
    """The path prices on ``points`` slots, as the full runtime's feed does (2 -> open, close)."""
    if points <= 1:
        return [prices[-1]]
    gap = (len(prices) - 1) / (points - 1)
    return [prices[round(i * gap)] for i in range(points)]
