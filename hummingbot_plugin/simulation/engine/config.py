"""Validated configuration of one simulated venue (pure pydantic, no Hummingbot import)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.fees import MIN_MAKER_FEE
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.engine.candle_path import PathMode

__all__ = ["TRADING_RULES_FILE", "PairRules", "SimExchangeConfig", "build_venue_config", "load_pair_rules"]

TRADING_RULES_FILE = PROJECT_ROOT / "hummingbot_plugin" / "resources" / "trading_rules.json"


class PairRules(BaseModel):
    """Exchange trading rules for one pair: size/price quanta, minimum size and notional."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    trading_pair: str
    min_order_size: Decimal = Field(default=Decimal(0), ge=0)
    min_price_increment: Decimal = Field(gt=0)
    min_base_amount_increment: Decimal = Field(gt=0)
    min_notional_size: Decimal = Field(default=Decimal(0), ge=0)


class SimExchangeConfig(BaseModel):
    """One simulated venue. ``connector_name`` is the name controllers use (e.g. ``binance``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connector_name: str = Field(min_length=1)
    trading_pairs: tuple[str, ...] = Field(min_length=1)
    balances: dict[str, Decimal]
    # A negative maker fee is a rebate paid per maker fill (bounded, see hummingbot_plugin.fees); never taker.
    maker_fee: Decimal = Field(default=Decimal("0.001"), ge=MIN_MAKER_FEE, lt=1)
    taker_fee: Decimal = Field(default=Decimal("0.001"), ge=0, lt=1)
    order_latency_s: float = Field(default=0.0, ge=0)
    cancel_latency_s: float = Field(default=0.0, ge=0)
    rules: tuple[PairRules, ...] = ()
    fill_on_book_cross: bool = False
    candle_path: PathMode = PathMode.AUTO
    candle_half_spread_bps: Decimal = Field(default=Decimal("1"), ge=0)
    candle_depth: Decimal = Field(default=Decimal("1000"), gt=0)

    @field_validator("trading_pairs")
    @classmethod
    def _pairs_look_like_pairs(cls, pairs: tuple[str, ...]) -> tuple[str, ...]:
        for pair in pairs:
            if pair.count("-") != 1 or pair != pair.upper():
                raise ValueError(f"trading pair {pair!r} must look like BASE-QUOTE (upper case)")
        return pairs

    @model_validator(mode="after")
    def _balances_non_negative(self) -> SimExchangeConfig:
        bad = {a: v for a, v in self.balances.items() if v < 0}
        if bad:
            raise ValueError(f"starting balances must be >= 0, got {bad}")
        return self

    def rules_for(self, trading_pair: str) -> PairRules:
        """Rules from this config, else from the shipped trading_rules.json; clear error otherwise."""
        for rule in self.rules:
            if rule.trading_pair == trading_pair:
                return rule
        shipped = load_pair_rules(TRADING_RULES_FILE, self.connector_name)
        if trading_pair in shipped:
            return shipped[trading_pair]
        raise ConfigError(
            f"no trading rules for {self.connector_name} {trading_pair}",
            fix=f"add it under 'rules' (min_price_increment, min_base_amount_increment, ...) "
            f"or to {TRADING_RULES_FILE}",
        )


def load_pair_rules(path: Path, connector_name: str) -> dict[str, PairRules]:
    """Rules of ``connector_name`` from the shared trading-rules JSON (``{about, rules: {venue: {pair}}}``);
    {} when the file or the venue is absent."""
    from hummingbot_plugin.simulation.backtest.trading_rules import load_rules_file

    if not path.is_file():
        return {}
    rules = load_rules_file(path).rules
    venue = rules.get(connector_name) or rules.get(connector_name.removesuffix("_sim")) or {}
    return {
        pair: PairRules(
            trading_pair=pair,
            min_order_size=r.min_order_size,
            min_price_increment=r.min_price_increment,
            min_base_amount_increment=r.min_base_amount_increment,
            min_notional_size=r.min_notional_size,
        )
        for pair, r in venue.items()
    }


def build_venue_config(
    connector_name: str, trading_pairs: list[str], overrides: dict[str, object], balances: dict[str, Decimal]
) -> SimExchangeConfig:
    """Merge a sim-config file section with command-line balances; errors name the field and fix."""
    fields: dict[str, Any] = dict(overrides)
    if balances:
        given: dict[str, Any] = dict(fields.get("balances") or {})
        fields["balances"] = {**{str(k): Decimal(str(v)) for k, v in given.items()}, **balances}
    if not fields.get("balances"):
        raise ConfigError(
            f"no starting balances for {connector_name}",
            fix="pass --balance ASSET=AMOUNT (e.g. --balance USDT=10000) or set them in --sim-config",
        )
    try:
        return SimExchangeConfig.model_validate(
            {**fields, "connector_name": connector_name, "trading_pairs": tuple(sorted(trading_pairs))}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"simulated venue {connector_name}: field {where!r}: {first['msg']}",
            fix="correct that field in --sim-config (see docs/simulator.md)",
        ) from exc
