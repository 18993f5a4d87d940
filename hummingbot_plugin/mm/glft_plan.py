"""The GLFT quoter's decision: one bid and one ask from the current estimate, inventory and risk (pure).

It returns the PMM's :class:`~hummingbot_plugin.mm.pmm_logic.QuotePlan`, so the replays, the level
lifecycle (refresh, tolerance, delay after a fill) and the risk states are the PMM's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm import glft, quoting
from hummingbot_plugin.mm.pmm_logic import PMMSettings, QuotePlan
from hummingbot_plugin.mm.risk import (
    QuoteRiskDecision,
    RiskState,
    inventory_limit_check,
    side_permission,
    worst,
)

__all__ = ["GLFTParams", "Planner", "glft_planner", "plan_glft"]

LEVELS = ("buy_0", "sell_0")
Planner = Callable[[PMMSettings, dict[str, Any], float, float, QuoteRiskDecision], QuotePlan]


@dataclass(frozen=True)
class GLFTParams:
    """Quoter settings: inventory aversion, order size, inventory limit, fee floor, forecast weight."""

    gamma: float
    order_amount_quote: float
    max_inventory_quote: float
    maker_fee: float
    min_profit_margin: float = 0.0
    forecast_skew_weight: float = 0.0
    spread_scale: float = 1.0

    def __post_init__(self) -> None:
        ok = (
            self.gamma > 0
            and 0 < self.order_amount_quote <= self.max_inventory_quote
            and self.min_profit_margin >= 0
            and self.forecast_skew_weight >= 0
            and self.spread_scale > 0
        )
        if not ok:
            raise ConfigError(
                f"GLFT parameters out of range: {self}",
                fix="gamma > 0, order_amount_quote > 0, max_inventory_quote >= order_amount_quote, "
                "min_profit_margin >= 0, forecast_skew_weight >= 0, spread_scale > 0",
            )

    @property
    def floor(self) -> float:
        return quoting.fee_floor(self.maker_fee, self.min_profit_margin)


def _halted(reason: str, dev: float, risk: QuoteRiskDecision) -> QuotePlan:
    halted = worst(risk, QuoteRiskDecision(RiskState.HALTED, (reason,)))
    return QuotePlan({}, {}, LEVELS, halted, dev, frozenset(LEVELS))


def plan_glft(
    p: GLFTParams,
    est: glft.GLFTEstimate | None,
    data: dict[str, Any],
    mid: float,
    inventory_value: float,
    external: QuoteRiskDecision,
) -> QuotePlan:
    """Bid and ask of the GLFT quoter (``data['forecast_skew']`` shifts the reservation when weighted)."""
    dev = max(-1.0, min(1.0, inventory_value / p.max_inventory_quote))
    risk = worst(external, inventory_limit_check(dev))
    if est is None or not (math.isfinite(mid) and mid > 0):
        return _halted("no GLFT estimate for this window (too little data before it)", dev, risk)
    skew = p.forecast_skew_weight * float(data.get("forecast_skew", 0.0) or 0.0)
    q = glft.glft_quote(
        est,
        p.gamma,
        inventory_value / p.order_amount_quote,
        floor=p.floor,
        forecast_skew=skew,
        spread_scale=p.spread_scale,
    )
    bid, ask = q.prices(mid)
    permission = side_permission(risk.state, dev)
    prices = {
        lid: px
        for lid, px, ok in (("buy_0", bid, permission.buy), ("sell_0", ask, permission.sell))
        if ok and math.isfinite(px) and px > 0
    }
    amounts = {lid: p.order_amount_quote / px for lid, px in prices.items()}
    return QuotePlan(prices, amounts, LEVELS, risk, dev, frozenset(set(LEVELS) - set(prices)))


def glft_planner(p: GLFTParams, estimates: list[glft.GLFTEstimate], step_s: float) -> Planner:
    """A planner for :class:`~simulation.mm.quote_replay.QuoteReplay`: the window's estimate at
    ``data['timestamp']`` (decision time)."""

    def plan(
        _cfg: PMMSettings, data: dict[str, Any], mid: float, inventory_value: float, ext: QuoteRiskDecision
    ) -> QuotePlan:
        est = glft.estimate_at(estimates, float(data["timestamp"]), step_s)
        return plan_glft(p, est, data, mid, inventory_value, ext)

    return plan
