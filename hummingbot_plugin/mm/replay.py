"""Market replay of the PMM decision logic against the simulated exchange's matching engine.

The quoting, level lifecycle and risk code is the controller's own (:mod:`pmm_logic`); fills come from
:class:`hummingbot_plugin.sim.matching.MatchingEngine` (queue-aware on trades + L2, trade-through on candles).

Candle mode (:func:`run_candle_replay`), conservative by construction:

1. Quotes are decided at a bar's close from features known at that close and rest from the next bar on
   (no same-bar fills, no look-ahead).
2. Inside a bar the price walks the simulator's intrabar path (bullish bar: open → low → high → close).
3. A quote fills only when the path trades strictly THROUGH its price, in full, at its own price
   (touching is not enough: we would sit at the back of the queue). No price improvement.

Every quote is put on the venue's grid before it rests (bids rounded down and asks up to the price tick,
sizes down to the lot step; below the minimum size or notional it is not sent), and every fill pays the
run's maker fee (``fees``, default: the settings' ``maker_fee``); a negative fee is a rebate received.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.fees import FeeSchedule
from hummingbot_plugin.mm import pmm_logic, quoting
from hummingbot_plugin.mm.glft_plan import Planner
from hummingbot_plugin.mm.levels import LevelView
from hummingbot_plugin.mm.pmm_logic import ForecastFn, PMMSettings
from hummingbot_plugin.mm.risk import QuoteRiskDecision
from hummingbot_plugin.sim.candle_path import PathMode, intrabar_path, path_timestamps
from hummingbot_plugin.sim.config import TRADING_RULES_FILE, PairRules, load_pair_rules
from hummingbot_plugin.sim.matching import MatchingEngine
from hummingbot_plugin.sim.models import Bar, Fill, OrderKind, Side, SimOrder

__all__ = ["QuoteReplay", "ReplayOptions", "ReplayResult", "RiskFn", "run_candle_replay", "venue_rules"]

RiskFn = Callable[[float, float], QuoteRiskDecision]  # (now, inventory deviation) -> decision


@dataclass
class _Order:
    order_id: str
    level_id: str
    price: float
    created_at: float
    mid: float
    filled: float = 0.0
    active: bool = True
    closed_at: float | None = None


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


class QuoteReplay:
    """Drives one PMM strategy: decisions via ``pmm_logic``, orders into a ``MatchingEngine``."""

    def __init__(
        self,
        settings: PMMSettings,
        engine: MatchingEngine,
        *,
        risk_fn: RiskFn | None = None,
        options: ReplayOptions | None = None,
    ) -> None:
        opts = options or ReplayOptions()
        self.settings = settings
        self.engine = engine
        self.risk_fn = risk_fn
        self.fee_rate = float(opts.fees.maker if opts.fees is not None else settings.maker_fee)
        self.rules = opts.rules or venue_rules()
        self.planner: Planner = opts.planner or pmm_logic.plan_quotes
        self.orders: dict[str, _Order] = {}  # active orders only
        self.last_closed: dict[str, _Order] = {}  # latest closed order per level (delays need only that)
        self.fill_rows: list[tuple[float, int, float, float, float, float, str]] = []
        self.mid_rows: list[tuple[float, float]] = []
        self.risk_states: list[str] = []
        self.inventory = 0.0
        self.n_orders = 0
        self.n_rejected = 0
        self._seq = 0

    def views(self) -> list[LevelView]:
        orders = [*self.orders.values(), *self.last_closed.values()]
        return [
            LevelView(
                o.order_id,
                o.level_id,
                o.created_at,
                o.active,
                o.active and o.filled > 0,
                o.filled > 0,
                o.closed_at,
                o.price,
            )
            for o in orders
        ]

    def _close(self, order: _Order, now: float) -> None:
        order.active, order.closed_at = False, now
        self.orders.pop(order.order_id, None)
        self.last_closed[order.level_id] = order

    def on_fills(self, fills: list[Fill]) -> None:
        """Book fills; each is marked at the mid when its quote was placed (see analytics)."""
        fee_rate = self.fee_rate
        for f in fills:
            price, amount = float(f.price), float(f.amount)
            sign = 1 if f.side is Side.BUY else -1
            self.inventory += sign * amount
            order = self.orders[f.order_id]
            self.fill_rows.append(
                (f.timestamp, sign, price, amount, price * amount * fee_rate, order.mid, f.order_id)
            )
            order.filled += amount
            if f.order_done:
                self._close(order, f.timestamp)

    def decide(self, now: float, mid: float, data: dict[str, Any]) -> None:
        """One controller tick: plan quotes, stop stale/pulled levels, create missing ones."""
        self.mid_rows.append((now, mid))
        dev = float(
            np.clip(
                (
                    self.inventory * mid / float(self.settings.total_amount_quote)
                    - self.settings.inventory_target_base_pct
                )
                / self.settings.inventory_range_pct,
                -1,
                1,
            )
        )
        external = self.risk_fn(now, dev) if self.risk_fn else QuoteRiskDecision()
        plan = self.planner(self.settings, {"timestamp": now, **data}, mid, self.inventory * mid, external)
        self.risk_states.append(plan.risk.state.name)
        creates, stops = pmm_logic.level_actions(plan, self.views(), now, self.settings)
        for order_id in stops:
            self.engine.cancel(order_id)
            self._close(self.orders[order_id], now)
        for level_id in creates:
            self._submit(level_id, plan.prices[level_id], plan.amounts[level_id], now, mid)

    def _on_grid(self, side: Side, price: float, amount: float) -> tuple[Decimal, Decimal] | None:
        """Price and size on the venue's grid; None when below its minimum size or notional."""
        px = quoting.round_price(price, self.rules.min_price_increment, side.value)
        size = quoting.round_size(amount, self.rules.min_base_amount_increment)
        r = self.rules
        if px <= 0 or size <= 0 or size < r.min_order_size or px * size < r.min_notional_size:
            return None
        return px, size

    def _submit(self, level_id: str, price: float, amount: float, now: float, mid: float) -> None:
        self._seq += 1
        order_id = f"{level_id}-{self._seq}"
        side = Side.BUY if level_id.startswith("buy") else Side.SELL
        grid = self._on_grid(side, price, amount)
        if grid is None:
            self.n_rejected += 1
            return
        order = SimOrder(order_id, side, OrderKind.LIMIT_MAKER, grid[1], grid[0], now)
        self.orders[order_id] = _Order(order_id, level_id, float(grid[0]), now, mid)
        result = self.engine.submit(order, now)
        if result.rejection is not None:
            self.n_rejected += 1
            self._close(self.orders[order_id], now)
            return
        self.n_orders += 1
        self.on_fills(result.fills)

    def result(self) -> ReplayResult:
        fills = pd.DataFrame(
            self.fill_rows, columns=["timestamp", "side", "price", "amount", "fee", "mid", "order_id"]
        )
        mids = pd.DataFrame(self.mid_rows, columns=["timestamp", "mid"])
        return ReplayResult(fills, mids, self.n_orders, self.risk_states, self.n_rejected)


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
) -> ReplayResult:
    """Replay ``settings`` over ``candles`` (one interval); see the module docstring for the fill rules."""
    candles = candles.reset_index(drop=True)
    features = pmm_logic.feature_frame(candles, settings, forecast_fn)
    skew = features["forecast_skew"].to_numpy(dtype=np.float64)
    mult = features["spread_multiplier"].to_numpy(dtype=np.float64)
    engine = MatchingEngine()
    replay = QuoteReplay(settings, engine, risk_fn=risk_fn, options=options)
    for i, bar in enumerate(_bars(candles)):
        times = path_timestamps(bar.timestamp, bar_seconds)
        for price, ts in zip(intrabar_path(bar, path_mode), times, strict=True):
            replay.on_fills(engine.on_price(price, ts))
        close = float(bar.close)
        replay.decide(
            bar.timestamp + bar_seconds, close, {"forecast_skew": skew[i], "spread_multiplier": mult[i]}
        )
    return replay.result()
