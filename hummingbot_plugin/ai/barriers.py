"""Triple barrier scaled by the forecast move, and the position size — both bounded.

Units: ``target_pct`` is the expected move as a FRACTION of the entry price (0.01 = 1 %), the same unit
as Hummingbot's ``stop_loss`` / ``take_profit``. Each barrier is ``multiple × target_pct`` clipped to
``[minimum, maximum]`` (fractions of price too), so neither a tiny forecast nor an external message
with a huge ``target_pct`` can set an unchecked barrier. A non-finite or non-positive ``target_pct``
gives the minimum barriers (the tightest risk).

Size: ``budget = min(total_amount_quote / max_executors_per_side, max_position_quote)``;
``amount_quote = budget × size_fraction``; below ``min_order_quote`` there is no order (None).
All conversions to Decimal go through ``Decimal(str(x))`` (no binary-float artefacts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from hummingbot_plugin.errors import ConfigError

__all__ = ["BarrierRule", "Barriers", "SizingRule", "barriers_for", "position_quote", "to_decimal"]


def to_decimal(value: float) -> Decimal:
    """``Decimal(str(value))`` for a finite float (ValueError otherwise)."""
    if not math.isfinite(value):
        raise ValueError(f"cannot convert non-finite {value!r} to Decimal")
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class BarrierRule:
    """Multiples of ``target_pct`` and the bounds of each barrier (fractions of price)."""

    stop_loss_multiple: float
    take_profit_multiple: float
    stop_loss_min: float
    stop_loss_max: float
    take_profit_min: float
    take_profit_max: float

    def __post_init__(self) -> None:
        for kind in ("stop_loss", "take_profit"):
            low, high = getattr(self, f"{kind}_min"), getattr(self, f"{kind}_max")
            multiple = getattr(self, f"{kind}_multiple")
            if not (0.0 < low <= high < 1.0) or not multiple > 0.0:
                raise ConfigError(
                    f"{kind}: multiple={multiple}, min={low}, max={high} must satisfy multiple > 0 and "
                    "0 < min <= max < 1",
                    fix=f"e.g. {kind}_min 0.003 and {kind}_max 0.05",
                )


@dataclass(frozen=True, slots=True)
class Barriers:
    stop_loss: Decimal
    take_profit: Decimal


def _bounded(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def barriers_for(target_pct: float, rule: BarrierRule) -> Barriers:
    """Stop loss and take profit for a forecast move of ``target_pct`` (see module docstring)."""
    usable = math.isfinite(target_pct) and target_pct > 0.0
    move = target_pct if usable else 0.0
    stop = _bounded(rule.stop_loss_multiple * move, rule.stop_loss_min, rule.stop_loss_max)
    take = _bounded(rule.take_profit_multiple * move, rule.take_profit_min, rule.take_profit_max)
    return Barriers(stop_loss=to_decimal(stop), take_profit=to_decimal(take))


@dataclass(frozen=True, slots=True)
class SizingRule:
    """Budget per executor and the bounds of one order, in quote."""

    total_amount_quote: Decimal
    max_executors_per_side: int
    max_position_quote: Decimal | None
    min_order_quote: Decimal

    def budget(self) -> Decimal:
        share = self.total_amount_quote / Decimal(max(self.max_executors_per_side, 1))
        return share if self.max_position_quote is None else min(share, self.max_position_quote)


def position_quote(rule: SizingRule, size_fraction: float) -> Decimal | None:
    """Quote amount of a new position, or None when it would be below ``min_order_quote``."""
    if not math.isfinite(size_fraction) or size_fraction <= 0.0:
        return None
    amount = rule.budget() * to_decimal(min(size_fraction, 1.0))
    return amount if amount >= rule.min_order_quote and amount > 0 else None
