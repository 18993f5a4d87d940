"""The PMM parameter set, declared once: a frozen pydantic model the controller config inherits.

:class:`PMMParams` is what replays, benchmarks and :mod:`hummingbot_plugin.mm.pmm_logic` read;
``controllers/market_making/pmm_forecast.py`` inherits it (made mutable there for Hummingbot's run-time
config updates), and :class:`hummingbot_plugin.mm.quoting.QuotingParams` takes its defaults from it.
Hummingbot-free.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.fees import MIN_MAKER_FEE
from hummingbot_plugin.mm.risk import RiskStateOverride
from hummingbot_plugin.risk.limits import capital_field

__all__ = ["PMMParams", "fixed_spread", "pmm_default"]


def _f(default: Any, prompt: str, on_new: bool = False, **limits: Any) -> Any:
    """An updatable field with its prompt and limits."""
    return Field(default=default, json_schema_extra=prompt_extra(prompt, True, on_new), **limits)


class PMMParams(BaseModel):
    """Levels, budget, timers, fee floor, volatility/forecast scaling, inventory skew and price band."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    buy_spreads: list[float] = _f(..., "Buy spreads, one per level (fractions, e.g. 0.001,0.002): ", True)
    sell_spreads: list[float] = _f(..., "Sell spreads, one per level (fractions): ", True)
    total_amount_quote: Decimal = capital_field()  # > 0, finite, bounded (MQTT overrides included)
    buy_amounts_pct: list[Decimal] | None = _f(None, "Buy amounts per level (blank = equal): ", True)
    sell_amounts_pct: list[Decimal] | None = _f(None, "Sell amounts per level (blank = equal): ", True)
    candles_interval: str = Field(
        default="1m",
        pattern=r"^(1m|5m|15m|1h|4h|1d)$",
        json_schema_extra=prompt_extra("Candles interval for volatility/forecast: ", False),
    )
    executor_refresh_time: int = _f(30, "Order refresh time (s): ", True, ge=1)
    max_order_age: int = _f(1800, "Max order age (s): ", ge=1)
    order_refresh_tolerance_pct: Decimal = _f(
        Decimal("0.002"), "Refresh tolerance (fraction): ", ge=0, le=Decimal("0.1")
    )
    filled_order_delay: int = _f(60, "Delay after a fill (s): ", True, ge=0)
    maker_fee: Decimal = _f(
        Decimal("0.001"),
        "Maker fee (fraction, 0.001 = 0.1%; negative = rebate): ",
        True,
        ge=MIN_MAKER_FEE,
        le=Decimal("0.01"),
    )
    min_profit_margin: Decimal = _f(
        Decimal("0.0002"), "Margin above two maker fees (fraction): ", ge=0, le=Decimal("0.05")
    )
    volatility_window: int = _f(30, "Volatility window (bars): ", ge=2, le=10_000)
    volatility_factor: float = _f(2.0, "Half-spread per unit vol: ", ge=0, le=100)
    interval_width_factor: float = _f(0.5, "Half-spread per unit (Q90-Q10)/2: ", ge=0, le=100)
    forecast_skew_weight: float = _f(0.5, "Weight of Q50 skew: ", ge=0, le=10)
    max_forecast_skew: float = _f(0.002, "Max |Q50 skew|: ", ge=0, le=0.05)
    min_spread_multiplier: float = _f(0.5, "Min spread multiplier: ", gt=0, le=100)
    max_spread_multiplier: float = _f(5.0, "Max spread multiplier: ", gt=0, le=100)
    inventory_skew_enabled: bool = _f(True, "Inventory skew? ")
    inventory_target_base_pct: float = _f(0.0, "Target net position / budget: ", ge=-1, le=1)
    inventory_range_pct: float = _f(0.5, "Inventory band half-width: ", gt=0, le=5)
    inventory_skew_strength: float = _f(1.0, "Skew per unit deviation: ", ge=0, le=10)
    price_ceiling: Decimal | None = _f(None, "No bids above (blank=off): ", gt=0)
    price_floor: Decimal | None = _f(None, "No asks below (blank=off): ", gt=0)
    quote_risk_override: RiskStateOverride = _f("ACTIVE", "Risk state override (ACTIVE/REDUCING/HALTED): ")

    @field_validator("buy_spreads", "sell_spreads", mode="after")
    @classmethod
    def _spreads_positive(cls, v: list[float]) -> list[float]:
        if not v or any(not 0 < s < 0.5 for s in v):
            raise ValueError("spreads must be a non-empty list of fractions in (0, 0.5), e.g. 0.001,0.002")
        return v

    @field_validator("price_ceiling", "price_floor", mode="before")
    @classmethod
    def _minus_one_is_off(cls, v: object) -> object:
        return None if v in (-1, "-1", "", None) else v


def pmm_default(name: str) -> Any:
    """The declared default of one PMM parameter (for parameter sets derived from this one)."""
    return PMMParams.model_fields[name].default


def fixed_spread(params: PMMParams) -> PMMParams:
    """The plain baseline: same levels, sizes and timers, fixed spreads, no forecast, no inventory skew."""
    return params.model_copy(
        update={
            "volatility_factor": 0.0,
            "interval_width_factor": 0.0,
            "forecast_skew_weight": 0.0,
            "min_spread_multiplier": 1.0,
            "max_spread_multiplier": 1.0,
            "inventory_skew_enabled": False,
        }
    )
