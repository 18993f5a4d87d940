"""Risk limits: one frozen, validated config used for a controller and for the global guard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hummingbot_plugin.config_prompts import prompt_extra

__all__ = ["MAX_CAPITAL_QUOTE", "MAX_QUOTE", "RiskLimits", "capital_field"]

#: Upper bounds: a typo or a hostile override can never set an unbounded amount.
MAX_CAPITAL_QUOTE = Decimal("1e9")
MAX_QUOTE = Decimal("1e12")


def capital_field(default: Decimal = Decimal("100")) -> Any:
    """``total_amount_quote`` for plugin controllers: > 0, finite, at most :data:`MAX_CAPITAL_QUOTE`."""
    return Field(
        default=default,
        gt=0,
        le=MAX_CAPITAL_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Total amount in quote to trade (e.g. 1000): ", True, True),
    )


class RiskLimits(BaseModel):
    """Limits enforced by :class:`~hummingbot_plugin.risk.guard.RiskGuard`.

    Optional limits (None) are derived or disabled as documented per field. Defaults are
    conservative: 10 % max drawdown, leverage 1, 10 open executors, 100 creations per minute.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    capital_quote: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra(
            "Capital in quote for % limits (blank = controller total_amount_quote): ", True
        ),
    )
    max_drawdown_quote: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra(
            "Max drawdown from the high-water mark, in quote (blank = off): ", True
        ),
    )
    max_drawdown_pct: Decimal = Field(
        default=Decimal("0.10"),
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra(
            "Max drawdown from the high-water mark as a fraction of capital: ", True
        ),
    )
    reducing_drawdown_pct: Decimal | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Drawdown fraction that switches to REDUCING (blank = off): ", True),
    )
    daily_loss_limit_quote: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Max loss per UTC day, in quote (blank = off): ", True),
    )
    max_pair_exposure_quote: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Max worst-case notional per pair (blank = total limit): ", True),
    )
    max_total_exposure_quote: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_QUOTE,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra(
            "Max worst-case notional in total (blank = capital x max_leverage): ", True
        ),
    )
    max_open_executors: int = Field(
        default=10, ge=1, le=10_000, json_schema_extra=prompt_extra("Max open executors: ", True)
    )
    max_leverage: int = Field(default=1, ge=1, le=125, json_schema_extra=prompt_extra("Max leverage: ", True))
    max_executors_per_window: int = Field(
        default=100,
        ge=1,
        le=100_000,
        json_schema_extra=prompt_extra("Max executor creations per window: ", True),
    )
    rate_window_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Rate window (s): ", True),
    )
    stop_loss_streak: int = Field(
        default=3,
        ge=1,
        le=1000,
        json_schema_extra=prompt_extra("Consecutive stop losses that start a cooldown: ", True),
    )
    stop_loss_cooldown_seconds: float = Field(
        default=900.0,
        ge=0,
        le=30 * 86_400,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Cooldown after the streak (s): ", True),
    )
    max_book_age_seconds: float = Field(
        default=30.0,
        gt=0,
        le=86_400,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Max order-book age (s): ", True),
    )
    max_candles_age_seconds: float | None = Field(
        default=None,
        gt=0,
        le=30 * 86_400,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra("Max age of the last closed candle (s, blank = not checked): ", True),
    )
    max_price_deviation_pct: Decimal = Field(
        default=Decimal("0.05"),
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=prompt_extra(
            "Max |last - mid| / mid and |order - mid| / mid before denying: ", True
        ),
    )
    close_positions_on_halt: bool = Field(
        default=True,
        json_schema_extra=prompt_extra("Close positions when HALTED (false = keep them): ", True),
    )

    @model_validator(mode="after")
    def _soft_below_hard(self) -> Self:
        if self.reducing_drawdown_pct is not None and self.reducing_drawdown_pct >= self.max_drawdown_pct:
            raise ValueError(
                f"reducing_drawdown_pct ({self.reducing_drawdown_pct}) must be below max_drawdown_pct "
                f"({self.max_drawdown_pct}); e.g. reducing_drawdown_pct: {self.max_drawdown_pct / 2}"
            )
        if (
            self.max_pair_exposure_quote is not None
            and self.max_total_exposure_quote is not None
            and self.max_pair_exposure_quote > self.max_total_exposure_quote
        ):
            raise ValueError("max_pair_exposure_quote must not exceed max_total_exposure_quote")
        return self

    def total_exposure_cap(self, capital_quote: Decimal) -> Decimal:
        """The effective total cap: the configured one, else capital x max_leverage."""
        if self.max_total_exposure_quote is not None:
            return self.max_total_exposure_quote
        return capital_quote * self.max_leverage

    def pair_exposure_cap(self, capital_quote: Decimal) -> Decimal:
        if self.max_pair_exposure_quote is not None:
            return self.max_pair_exposure_quote
        return self.total_exposure_cap(capital_quote)
