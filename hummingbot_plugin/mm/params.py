"""Plain (Hummingbot-free) PMM settings for replays and benchmarks; the controller config's attributes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

__all__ = ["PMMParams", "fixed_spread"]


@dataclass(frozen=True)
class PMMParams:
    """Satisfies :class:`hummingbot_plugin.mm.pmm_logic.PMMSettings`; defaults equal the controller's."""

    buy_spreads: list[float]
    sell_spreads: list[float]
    total_amount_quote: Decimal
    buy_amounts_pct: list[Decimal] | None = None
    sell_amounts_pct: list[Decimal] | None = None
    candles_interval: str = "1m"
    executor_refresh_time: int = 30
    max_order_age: int = 1800
    order_refresh_tolerance_pct: Decimal = Decimal("0.002")
    filled_order_delay: int = 60
    maker_fee: Decimal = Decimal("0.001")
    min_profit_margin: Decimal = Decimal("0.0002")
    volatility_window: int = 30
    volatility_factor: float = 2.0
    interval_width_factor: float = 0.5
    forecast_skew_weight: float = 0.5
    max_forecast_skew: float = 0.002
    min_spread_multiplier: float = 0.5
    max_spread_multiplier: float = 5.0
    inventory_skew_enabled: bool = True
    inventory_target_base_pct: float = 0.0
    inventory_range_pct: float = 0.5
    inventory_skew_strength: float = 1.0
    price_ceiling: Decimal | None = None
    price_floor: Decimal | None = None
    quote_risk_override: str = "NORMAL"
    extra: dict[str, str] = field(default_factory=dict)


def fixed_spread(params: PMMParams) -> PMMParams:
    """The plain baseline: same levels, sizes and timers, fixed spreads, no forecast, no inventory skew."""
    return replace(
        params,
        volatility_factor=0.0,
        interval_width_factor=0.0,
        forecast_skew_weight=0.0,
        min_spread_multiplier=1.0,
        max_spread_multiplier=1.0,
        inventory_skew_enabled=False,
    )
