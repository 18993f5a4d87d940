"""The XEMM controller's decisions, free of Hummingbot: which levels run, their sizes, risk across venues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from hummingbot_plugin.mm import xemm
from hummingbot_plugin.mm.levels import LevelTimers, LevelView, levels_to_create
from hummingbot_plugin.mm.risk import QuoteRiskDecision, RiskState, hedge_failure_check, worst

__all__ = [
    "VenueState",
    "XEMMPlan",
    "XEMMSettings",
    "executor_id",
    "level_of_executor",
    "plan_levels",
    "xemm_level_actions",
    "xemm_levels",
]

_SEP = "~"


class XEMMSettings(Protocol):
    """Config attributes the XEMM logic reads (XEMMForecastConfig provides them)."""

    buy_targets: list[Decimal]
    buy_amounts_quote: list[Decimal]
    sell_targets: list[Decimal]
    sell_amounts_quote: list[Decimal]
    min_profitability: Decimal
    max_profitability_margin: Decimal
    order_size_taker_volume_factor: Decimal
    order_size_taker_balance_factor: Decimal
    order_size_portfolio_ratio_limit: Decimal
    anti_hysteresis_duration: int
    filled_order_delay: int
    max_executor_age: int
    max_inventory_imbalance: Decimal
    max_hedge_failures: int
    hedge_failure_window: int
    quote_risk_override: str


@dataclass(frozen=True)
class VenueState:
    """What the controller read from both venues this tick (None = unavailable → fail closed)."""

    maker_mid: float | None
    maker_base: float | None
    taker_base: float | None
    taker_quote: float | None
    maker_quote: float | None
    taker_bid_depth: float | None
    taker_ask_depth: float | None


@dataclass(frozen=True)
class XEMMPlan:
    """Levels allowed now with their base amounts, and the risk decision behind them."""

    amounts: dict[str, float]
    targets: dict[str, float]
    all_levels: tuple[str, ...]
    risk: QuoteRiskDecision
    imbalance: float


def xemm_levels(cfg: XEMMSettings) -> list[xemm.XEMMLevel]:
    """``buy_<i>`` / ``sell_<i>`` levels from the configured targets and quote amounts."""
    out = [
        xemm.XEMMLevel(f"buy_{i}", "buy", float(t), float(a))
        for i, (t, a) in enumerate(zip(cfg.buy_targets, cfg.buy_amounts_quote, strict=True))
    ]
    out += [
        xemm.XEMMLevel(f"sell_{i}", "sell", float(t), float(a))
        for i, (t, a) in enumerate(zip(cfg.sell_targets, cfg.sell_amounts_quote, strict=True))
    ]
    return out


def executor_id(level_id: str, controller_id: str, now: float) -> str:
    """Executor id carrying its level (the XEMM executor config has no level field)."""
    return f"{level_id}{_SEP}{controller_id}{_SEP}{int(now * 1000)}"


def level_of_executor(executor_id_value: str) -> str | None:
    """The level encoded by :func:`executor_id`, or None for other executors."""
    head, sep, _ = executor_id_value.partition(_SEP)
    return head if sep and head.startswith(("buy_", "sell_")) else None


def _limits(cfg: XEMMSettings) -> xemm.SizeLimits:
    return xemm.SizeLimits(
        float(cfg.order_size_taker_volume_factor),
        float(cfg.order_size_taker_balance_factor),
        float(cfg.order_size_portfolio_ratio_limit),
    )


def _amount(level: xemm.XEMMLevel, venues: VenueState, cfg: XEMMSettings) -> float:
    mid = venues.maker_mid or 0.0
    depth = venues.taker_bid_depth if level.maker_side == "buy" else venues.taker_ask_depth
    taker_balance = venues.taker_base if level.maker_side == "buy" else (venues.taker_quote or 0.0) / mid
    portfolio = (
        (venues.maker_base or 0.0)
        + (venues.taker_base or 0.0)
        + ((venues.maker_quote or 0.0) + (venues.taker_quote or 0.0)) / mid
    )
    return xemm.capped_amount(
        level.amount_quote / mid,
        taker_depth_base=depth or 0.0,
        taker_balance_base=taker_balance or 0.0,
        portfolio_base=portfolio,
        limits=_limits(cfg),
    )


def plan_levels(
    cfg: XEMMSettings,
    venues: VenueState,
    failure_times: Sequence[float],
    now: float,
    external: QuoteRiskDecision,
) -> XEMMPlan:
    """Levels to run: risk across both venues (imbalance, hedge failures, overrides) then size caps."""
    levels = xemm_levels(cfg)
    all_ids = tuple(lv.level_id for lv in levels)
    missing = [name for name, value in vars(venues).items() if value is None]
    override = (
        QuoteRiskDecision(RiskState(cfg.quote_risk_override), ("config override",))
        if cfg.quote_risk_override != RiskState.ACTIVE
        else QuoteRiskDecision()
    )
    if missing or not venues.maker_mid:
        halted = QuoteRiskDecision(RiskState.HALTED, (f"venue data unavailable: {', '.join(missing)}",))
        return XEMMPlan({}, {}, all_ids, worst(external, override, halted), 0.0)
    imbalance = xemm.inventory_imbalance(venues.maker_base or 0.0, venues.taker_base or 0.0)
    limit = float(cfg.max_inventory_imbalance)
    risk = worst(
        external,
        override,
        xemm.imbalance_check(imbalance, limit),
        hedge_failure_check(
            list(failure_times), now, float(cfg.hedge_failure_window), cfg.max_hedge_failures
        ),
    )
    allowed = xemm.xemm_permission(risk.state, imbalance, limit)
    amounts: dict[str, float] = {}
    targets: dict[str, float] = {}
    for level in levels:
        if not (allowed.buy if level.maker_side == "buy" else allowed.sell):
            continue
        amount = _amount(level, venues, cfg)
        if amount > 0:
            amounts[level.level_id], targets[level.level_id] = amount, level.target_profitability
    return XEMMPlan(amounts, targets, all_ids, risk, imbalance)


def xemm_level_actions(
    plan: XEMMPlan, views: Sequence[LevelView], now: float, cfg: XEMMSettings
) -> tuple[list[str], list[str]]:
    """(levels to create, executor ids to stop): per level, with anti-hysteresis and filled-order delay.

    Executors reprice themselves inside the profitability band, so a running executor is stopped only when
    its level is pulled by risk or it outlived ``max_executor_age`` without a fill.
    """
    timers = LevelTimers(
        refresh_time=float(cfg.max_executor_age),
        max_order_age=float(cfg.max_executor_age),
        refresh_tolerance_pct=0.0,
        filled_order_delay=float(cfg.filled_order_delay),
        anti_hysteresis=float(cfg.anti_hysteresis_duration),
    )
    wanted = [lid for lid in plan.all_levels if lid in plan.amounts]
    creates = levels_to_create(wanted, views, now, timers)
    pulled = set(plan.all_levels) - set(plan.amounts)
    stops = [
        v.executor_id
        for v in views
        if v.is_active
        and not v.is_trading
        and (v.level_id in pulled or now - v.created_at >= timers.max_order_age)
    ]
    return creates, stops
