"""Cross-exchange market-making maths (pure): maker prices, profitability band, size limits, risk.

Conventions follow Hummingbot's XEMM executor: a maker BUY is hedged by a taker SELL, its price is
``taker_price / (1 + target + tx_cost)``; a maker SELL is ``taker_price / (1 - target - tx_cost)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm.risk import QuoteRiskDecision, RiskState, SidePermission

__all__ = [
    "SizeLimits",
    "XEMMLevel",
    "capped_amount",
    "imbalance_check",
    "inventory_imbalance",
    "maker_price",
    "trade_profitability",
    "xemm_permission",
]


@dataclass(frozen=True)
class XEMMLevel:
    """One maker level: side of the maker order, its target profitability and size in quote."""

    level_id: str
    maker_side: str
    target_profitability: float
    amount_quote: float


@dataclass(frozen=True)
class SizeLimits:
    """Caps on a maker order from the taker book, the taker balance and the portfolio (fractions)."""

    taker_volume_factor: float
    taker_balance_factor: float
    portfolio_ratio_limit: float

    def __post_init__(self) -> None:
        for name in ("taker_volume_factor", "taker_balance_factor", "portfolio_ratio_limit"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(
                    f"{name}={value} must be in (0, 1]", fix=f"give {name} as a fraction, e.g. 0.25"
                )


def maker_price(taker_price: float, maker_side: str, target: float, tx_cost_pct: float) -> float:
    """Maker price that earns ``target`` after ``tx_cost_pct`` when hedged at ``taker_price``."""
    if maker_side == "buy":
        return taker_price / (1.0 + target + tx_cost_pct)
    if maker_side == "sell":
        denominator = 1.0 - target - tx_cost_pct
        if denominator <= 0:
            raise ConfigError(
                f"target {target} + costs {tx_cost_pct} >= 1", fix="lower the profitability target"
            )
        return taker_price / denominator
    raise ConfigError(f"maker_side must be 'buy' or 'sell', got {maker_side!r}", fix="use buy or sell")


def trade_profitability(maker: float, taker: float, maker_side: str) -> float:
    """Profitability of a maker/taker pair before costs, as Hummingbot's executor computes it."""
    return (taker - maker) / maker if maker_side == "buy" else (maker - taker) / maker


def capped_amount(
    amount_base: float,
    *,
    taker_depth_base: float,
    taker_balance_base: float,
    portfolio_base: float,
    limits: SizeLimits,
) -> float:
    """The maker order size after the taker-volume, taker-balance and portfolio caps (>= 0)."""
    caps = (
        amount_base,
        taker_depth_base * limits.taker_volume_factor,
        taker_balance_base * limits.taker_balance_factor,
        portfolio_base * limits.portfolio_ratio_limit,
    )
    return max(0.0, min(caps))


def inventory_imbalance(maker_base: float, taker_base: float) -> float:
    """(maker − taker) / (maker + taker) base holdings, in [-1, 1]; 0 when both are empty."""
    total = maker_base + taker_base
    return 0.0 if total <= 0 else (maker_base - taker_base) / total


def imbalance_check(imbalance: float, limit: float) -> QuoteRiskDecision:
    """REDUCING once base has drifted to one venue beyond ``limit`` (fraction of total base)."""
    if abs(imbalance) >= limit:
        venue = "maker" if imbalance > 0 else "taker"
        return QuoteRiskDecision(
            RiskState.REDUCING, (f"base inventory concentrated on the {venue} venue ({imbalance:+.2f})",)
        )
    return QuoteRiskDecision()


def xemm_permission(state: RiskState, imbalance: float, limit: float) -> SidePermission:
    """Maker sides allowed: a maker BUY moves base to the maker venue, a maker SELL to the taker venue."""
    if state == RiskState.HALTED:
        return SidePermission(buy=False, sell=False)
    at_maker_limit = imbalance >= limit
    at_taker_limit = imbalance <= -limit
    if state == RiskState.REDUCING:
        return SidePermission(buy=at_taker_limit, sell=at_maker_limit)
    return SidePermission(buy=not at_maker_limit, sell=not at_taker_limit)
