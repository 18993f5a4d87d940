"""Fee schedules as data: maker/taker rates per venue and tier, named presets, rebates (pure).

Rates are fractions of the fill notional, charged (or, when negative, paid out) in the quote asset on
every fill: ``fee = rate × price × amount``. A negative maker rate is a rebate: the venue pays the maker,
so cash goes UP by ``|rate| × notional`` per maker fill. Taker rates are never negative, and a maker
rebate is bounded by :data:`MIN_MAKER_FEE` (−0.05 %, ten times the largest public LP rebate).

Presets (Binance public schedules, 2024; "≈" where a tier range is summarised by one point):

| preset | venue / tier | maker | taker |
|---|---|---|---|
| spot_vip0 | Binance spot, regular user (VIP 0) | 0.100 % | 0.100 % |
| spot_bnb | Binance spot VIP 0, fees paid in BNB (−25 %) | 0.075 % | 0.075 % |
| futures_regular | Binance USDⓈ-M futures, regular user | 0.020 % | 0.050 % |
| futures_vip | Binance USDⓈ-M futures, high VIP tier (≈ VIP 6–9) | 0.006 % | 0.030 % |
| lp_rebate | liquidity-provider programme (hftbacktest's examples) | −0.005 % | 0.050 % |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hummingbot_plugin.errors import ConfigError

__all__ = [
    "MAX_FEE",
    "MIN_MAKER_FEE",
    "PRESETS",
    "FeeSchedule",
    "break_even_maker_fee",
    "custom_schedule",
    "fee_schedule",
]

#: The most negative maker fee (largest rebate) accepted anywhere a fee is.
MIN_MAKER_FEE: Final = Decimal("-0.0005")
#: Rates at or above 1 % are a typo (0.1 given for 0.1 %), refused.
MAX_FEE: Final = Decimal("0.01")


class FeeSchedule(BaseModel):
    """One venue's fee tier: maker and taker rates as fractions (maker < 0 = rebate)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    venue: str = Field(min_length=1)
    tier: str = Field(min_length=1)
    maker: Decimal = Field(ge=MIN_MAKER_FEE, lt=MAX_FEE)
    taker: Decimal = Field(ge=0, lt=MAX_FEE)

    def rate(self, is_maker: bool) -> Decimal:
        return self.maker if is_maker else self.taker

    def fee_quote(self, notional: Decimal, is_maker: bool) -> Decimal:
        """Fee in quote for one fill of ``notional`` (negative: a rebate received)."""
        return notional * self.rate(is_maker)

    @property
    def label(self) -> str:
        """``spot_vip0 (maker 0.1000 %, taker 0.1000 %)`` — what every MM report prints."""
        return f"{self.name} (maker {float(self.maker) * 100:.4f} %, taker {float(self.taker) * 100:.4f} %)"


def _preset(name: str, venue: str, tier: str, maker: str, taker: str) -> FeeSchedule:
    return FeeSchedule(name=name, venue=venue, tier=tier, maker=Decimal(maker), taker=Decimal(taker))


PRESETS: Final[dict[str, FeeSchedule]] = {
    s.name: s
    for s in (
        _preset("spot_vip0", "binance", "spot VIP 0", "0.001", "0.001"),
        _preset("spot_bnb", "binance", "spot VIP 0, BNB discount", "0.00075", "0.00075"),
        _preset("futures_regular", "binance_perpetual", "USDT-M regular", "0.0002", "0.0005"),
        _preset("futures_vip", "binance_perpetual", "USDT-M high VIP", "0.00006", "0.0003"),
        _preset("lp_rebate", "binance_perpetual", "liquidity provider", "-0.00005", "0.0005"),
    )
}


def custom_schedule(
    maker: float | Decimal | str, taker: float | Decimal | str, name: str = "custom"
) -> FeeSchedule:
    """A schedule from custom values; a ConfigError names the bad rate and the accepted range."""
    try:
        return FeeSchedule(
            name=name, venue="custom", tier="custom", maker=Decimal(str(maker)), taker=Decimal(str(taker))
        )
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise ConfigError(
            f"fee {where}={maker if where == 'maker' else taker!r} is out of range: {exc.errors()[0]['msg']}",
            fix=f"maker fee in [{MIN_MAKER_FEE}, {MAX_FEE}) (negative = rebate), taker fee in [0, {MAX_FEE})",
        ) from None


def fee_schedule(spec: str) -> FeeSchedule:
    """A preset by name, or ``MAKER,TAKER`` fractions (e.g. ``-0.00005,0.0005``)."""
    if spec in PRESETS:
        return PRESETS[spec]
    parts = spec.split(",")
    if len(parts) == 2:
        try:
            return custom_schedule(Decimal(parts[0].strip()), Decimal(parts[1].strip()))
        except ArithmeticError:
            pass
    raise ConfigError(
        f"unknown fee schedule {spec!r}",
        fix=f"use one of {', '.join(PRESETS)} or 'MAKER,TAKER' fractions, e.g. '0.0002,0.0005'",
    )


def break_even_maker_fee(gross_pnl: float, maker_notional: float, taker_fees: float = 0.0) -> float:
    """The maker rate at which ``gross − rate × maker notional − taker fees = 0`` (NaN: no maker volume).

    Above it the run loses money; a negative value means the run needs a rebate of that size.
    """
    if maker_notional <= 0:
        return float("nan")
    return (gross_pnl - taker_fees) / maker_notional
