"""Risk limits: one frozen, validated config used for a controller and for the global guard."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

__all__ = ["RiskLimits"]


def _updatable(prompt: str) -> JsonDict:
    return {"prompt": prompt, "prompt_on_new": False, "is_updatable": True}


class RiskLimits(BaseModel):
    """Limits enforced by :class:`~hummingbot_plugin.risk.guard.RiskGuard`.

    Optional limits (None) are derived or disabled as documented per field. Defaults are
    conservative: 10 % max drawdown, leverage 1, 10 open executors, 100 creations per minute.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    capital_quote: Decimal | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable(
            "Capital in quote for % limits (blank = controller total_amount_quote): "
        ),
    )
    max_drawdown_quote: Decimal | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max drawdown from the high-water mark, in quote (blank = off): "),
    )
    max_drawdown_pct: Decimal = Field(
        default=Decimal("0.10"),
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max drawdown from the high-water mark as a fraction of capital: "),
    )
    reducing_drawdown_pct: Decimal | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Drawdown fraction that switches to REDUCING (blank = off): "),
    )
    daily_loss_limit_quote: Decimal | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max loss per UTC day, in quote (blank = off): "),
    )
    max_pair_exposure_quote: Decimal | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max worst-case notional per pair (blank = total limit): "),
    )
    max_total_exposure_quote: Decimal | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max worst-case notional in total (blank = capital x max_leverage): "),
    )
    max_open_executors: int = Field(
        default=10, ge=1, le=10_000, json_schema_extra=_updatable("Max open executors: ")
    )
    max_leverage: int = Field(default=1, ge=1, le=125, json_schema_extra=_updatable("Max leverage: "))
    max_executors_per_window: int = Field(
        default=100, ge=1, json_schema_extra=_updatable("Max executor creations per window: ")
    )
    rate_window_seconds: float = Field(
        default=60.0, gt=0, allow_inf_nan=False, json_schema_extra=_updatable("Rate window (s): ")
    )
    stop_loss_streak: int = Field(
        default=3, ge=1, json_schema_extra=_updatable("Consecutive stop losses that start a cooldown: ")
    )
    stop_loss_cooldown_seconds: float = Field(
        default=900.0,
        ge=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Cooldown after the streak (s): "),
    )
    max_book_age_seconds: float = Field(
        default=30.0, gt=0, allow_inf_nan=False, json_schema_extra=_updatable("Max order-book age (s): ")
    )
    max_candles_age_seconds: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max age of the last closed candle (s, blank = not checked): "),
    )
    max_price_deviation_pct: Decimal = Field(
        default=Decimal("0.05"),
        gt=0,
        le=1,
        allow_inf_nan=False,
        json_schema_extra=_updatable("Max |last - mid| / mid and |order - mid| / mid before denying: "),
    )
    close_positions_on_halt: bool = Field(
        default=True, json_schema_extra=_updatable("Close positions when HALTED (false = keep them): ")
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
