"""Paper-trading settings of a script: one YAML switch (pure pydantic, no Hummingbot import).

When a script config carries ``paper_trading: {balances: {...}}``, every connector its controllers
name (e.g. ``binance``) is built as the simulated exchange fed by that venue's PUBLIC order book and
trades (no API key is read). See docs/simulator.md, section "Paper trading".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.fees import MIN_MAKER_FEE

__all__ = ["PaperTradingSettings"]


class PaperTradingSettings(BaseModel):
    """Starting balances, fees and latencies of the simulated venues of a paper-trading run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    balances: dict[str, Decimal] = Field(
        min_length=1,
        json_schema_extra=prompt_extra(
            "Starting balances of each simulated venue, e.g. {USDT: 10000}: ", False
        ),
    )
    # A negative maker fee is a rebate paid per maker fill, bounded as everywhere (hummingbot_plugin.fees).
    maker_fee: Decimal = Field(
        default=Decimal("0.001"),
        ge=MIN_MAKER_FEE,
        lt=1,
        json_schema_extra=prompt_extra("Paper maker fee (negative = rebate): ", False),
    )
    taker_fee: Decimal = Field(
        default=Decimal("0.001"), ge=0, lt=1, json_schema_extra=prompt_extra("Paper taker fee: ", False)
    )
    order_latency_s: float = Field(
        default=0.0, ge=0, le=60, json_schema_extra=prompt_extra("Paper order latency (s): ", False)
    )
    cancel_latency_s: float = Field(
        default=0.0, ge=0, le=60, json_schema_extra=prompt_extra("Paper cancel latency (s): ", False)
    )
    book_depth: int = Field(
        default=20, ge=1, le=100, json_schema_extra=prompt_extra("Book levels copied per tick: ", False)
    )

    @field_validator("balances")
    @classmethod
    def _balances_valid(cls, balances: dict[str, Decimal]) -> dict[str, Decimal]:
        for asset, amount in balances.items():
            if not asset or asset != asset.upper():
                raise ValueError(f"asset {asset!r} must be an upper-case symbol such as USDT")
            if amount < 0:
                raise ValueError(f"starting balance of {asset} must be >= 0, got {amount}")
        return balances

    def venue_fields(self) -> dict[str, Any]:
        """The ``SimExchangeConfig`` fields every paper venue gets (name and pairs come from the script)."""
        return {
            "balances": dict(self.balances),
            "maker_fee": self.maker_fee,
            "taker_fee": self.taker_fee,
            "order_latency_s": self.order_latency_s,
            "cancel_latency_s": self.cancel_latency_s,
        }
