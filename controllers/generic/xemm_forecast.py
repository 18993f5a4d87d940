"""Cross-exchange market making with Hummingbot's XEMM executor, one executor per level (thin controller).

Maker quotes on one venue are hedged by taker orders on the other; each level is replaced on its own
(filled-order delay, anti-hysteresis), sizes are capped by taker depth, taker balance and portfolio, and
risk hooks span both venues (base concentrated on one venue, failed hedges, the team risk gate).
One clock: ``market_data_provider.time()``. Logic: :mod:`hummingbot_plugin.mm.xemm_logic`.

Mapping of the client's V1 ``cross_exchange_market_making`` template:

| V1 field | here | note |
|---|---|---|
| maker_market / maker_market_symbol | maker_connector / maker_trading_pair | required, no default |
| taker_market / taker_market_symbol | taker_connector / taker_trading_pair | required, no default |
| order_amount | buy/sell_amounts_quote (per level, quote) |  |
| min_profitability (%) | min_profitability (fraction) | 0.3 % -> 0.003 |
| (one target) | buy/sell_targets per level | each >= min_profitability |
| (none) | max_profitability_margin | executor band: [min, target+m] |
| order_size_taker_volume_factor % | order_size_taker_volume_factor (fraction) | of taker top-N depth |
| order_size_taker_balance_factor % | order_size_taker_balance_factor (fraction) | of taker hedge balance |
| order_size_portfolio_ratio_limit % | order_size_portfolio_ratio_limit (fraction) | of both venues' value |
| anti_hysteresis_duration | anti_hysteresis_duration | min s between level executors |
| filled_order_delay | filled_order_delay | per level |
| order_refresh_time/_mode, cancel_order_threshold, active_order_canceling | band | executor reprices |
| limit_order_min_expiration | max_executor_age | unfilled executors replaced |
| top_depth_tolerance | taker_depth_levels |  |
| conversion_rate_mode | not mapped | same-quote pairs only (validated) |

Hummingbot's backtesting engine has no XEMM executor simulator; this config exposes ``connector_name`` /
``trading_pair`` (the maker venue) so tooling that reads them does not crash, and XEMM is replayed with
:mod:`hummingbot_plugin.simulation.mm.xemm_replay` or the simulated exchange.
"""

from __future__ import annotations

from decimal import Decimal

from hummingbot.core.data_type.common import MarketDict, PriceType, TradeType
from hummingbot.strategy_v2.controllers.controller_base import ControllerBase, ControllerConfigBase
from hummingbot.strategy_v2.executors.data_types import ConnectorPair
from hummingbot.strategy_v2.executors.xemm_executor.data_types import XEMMExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)
from hummingbot.strategy_v2.utils.common import parse_comma_separated_list
from pydantic import Field, field_validator, model_validator

from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.hb import mm_adapter
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.mm import xemm_logic
from hummingbot_plugin.mm.risk import RiskStateOverride
from hummingbot_plugin.risk.limits import RiskLimits, capital_field

_PAIR = r"^[A-Z0-9]+-[A-Z0-9]+$"


class XEMMForecastConfig(ControllerConfigBase):
    """Validated XEMM configuration (``extra='forbid'``, every field ranged)."""

    controller_type: str = Field(
        default="generic", json_schema_extra=prompt_extra("Controller type: ", False)
    )
    total_amount_quote: Decimal = capital_field()  # > 0, finite, bounded (MQTT overrides included)
    controller_name: str = Field(
        default="xemm_forecast", json_schema_extra=prompt_extra("Controller name: ", False)
    )
    maker_connector: str = Field(
        ..., min_length=1, json_schema_extra=prompt_extra("Maker connector: ", False, True)
    )
    maker_trading_pair: str = Field(
        ..., pattern=_PAIR, json_schema_extra=prompt_extra("Maker pair (BTC-USDT): ", False, True)
    )
    taker_connector: str = Field(
        ..., min_length=1, json_schema_extra=prompt_extra("Taker connector: ", False, True)
    )
    taker_trading_pair: str = Field(
        ..., pattern=_PAIR, json_schema_extra=prompt_extra("Taker pair (BTC-USDT): ", False, True)
    )
    buy_targets: list[Decimal] = Field(
        ..., json_schema_extra=prompt_extra("Maker-buy level targets (e.g. 0.003,0.006): ", True)
    )
    buy_amounts_quote: list[Decimal] = Field(
        ..., json_schema_extra=prompt_extra("Maker-buy level sizes in quote: ", True)
    )
    sell_targets: list[Decimal] = Field(
        ..., json_schema_extra=prompt_extra("Maker-sell level targets: ", True)
    )
    sell_amounts_quote: list[Decimal] = Field(
        ..., json_schema_extra=prompt_extra("Maker-sell level sizes in quote: ", True)
    )
    min_profitability: Decimal = Field(
        default=Decimal("0.002"),
        ge=0,
        le=Decimal("0.1"),
        json_schema_extra=prompt_extra("Min profitability after fees (fraction): ", True, True),
    )
    max_profitability_margin: Decimal = Field(
        default=Decimal("0.002"),
        gt=0,
        le=Decimal("0.1"),
        json_schema_extra=prompt_extra("Max above target before repricing: ", True),
    )
    order_size_taker_volume_factor: Decimal = Field(
        default=Decimal("0.25"), gt=0, le=1, json_schema_extra=prompt_extra("Share of taker depth: ", True)
    )
    order_size_taker_balance_factor: Decimal = Field(
        default=Decimal("0.995"), gt=0, le=1, json_schema_extra=prompt_extra("Share of taker balance: ", True)
    )
    order_size_portfolio_ratio_limit: Decimal = Field(
        default=Decimal("0.3"),
        gt=0,
        le=1,
        json_schema_extra=prompt_extra("Max share of portfolio per order: ", True),
    )
    taker_depth_levels: int = Field(
        default=5, ge=1, le=100, json_schema_extra=prompt_extra("Taker book levels counted: ", True)
    )
    anti_hysteresis_duration: int = Field(
        default=60, ge=0, json_schema_extra=prompt_extra("Anti-hysteresis (s): ", True)
    )
    filled_order_delay: int = Field(
        default=60, ge=0, json_schema_extra=prompt_extra("Delay after a fill (s): ", True)
    )
    max_executor_age: int = Field(
        default=3600, ge=10, json_schema_extra=prompt_extra("Replace unfilled executors after (s): ", True)
    )
    max_inventory_imbalance: Decimal = Field(
        default=Decimal("0.8"),
        gt=0,
        le=1,
        json_schema_extra=prompt_extra("Max base concentration on one venue: ", True),
    )
    max_hedge_failures: int = Field(
        default=3, ge=1, json_schema_extra=prompt_extra("Hedge failures that halt: ", True)
    )
    hedge_failure_window: int = Field(
        default=3600, ge=1, json_schema_extra=prompt_extra("Hedge failure window (s): ", True)
    )
    quote_risk_override: RiskStateOverride = Field(
        default="ACTIVE",
        json_schema_extra=prompt_extra("Risk state override (ACTIVE/REDUCING/HALTED): ", True),
    )
    risk: RiskLimits = Field(
        default_factory=RiskLimits, json_schema_extra=prompt_extra("Risk limits (docs/risk.md): ", True)
    )

    @field_validator("buy_targets", "buy_amounts_quote", "sell_targets", "sell_amounts_quote", mode="before")
    @classmethod
    def _parse_list(cls, v: object) -> object:
        return parse_comma_separated_list(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> XEMMForecastConfig:
        for side in ("buy", "sell"):
            targets, amounts = getattr(self, f"{side}_targets"), getattr(self, f"{side}_amounts_quote")
            if len(targets) != len(amounts):
                raise ValueError(f"{side}_targets and {side}_amounts_quote need the same number of entries")
            if any(t < self.min_profitability or t >= Decimal("0.5") for t in targets):
                raise ValueError(f"{side}_targets must lie in [min_profitability, 0.5)")
            if any(a <= 0 for a in amounts):
                raise ValueError(f"{side}_amounts_quote must be positive")
        if not self.buy_targets and not self.sell_targets:
            raise ValueError("configure at least one level (buy_targets or sell_targets)")
        if (self.maker_connector, self.maker_trading_pair) == (self.taker_connector, self.taker_trading_pair):
            raise ValueError("maker and taker markets must differ")
        if self.maker_trading_pair.split("-")[1] != self.taker_trading_pair.split("-")[1]:
            raise ValueError("maker and taker pairs must share the quote asset (no conversion-rate mode)")
        return self

    @property
    def connector_name(self) -> str:
        """The maker venue (for tooling that expects a single connector)."""
        return self.maker_connector

    @property
    def trading_pair(self) -> str:
        return self.maker_trading_pair

    def update_markets(self, markets: MarketDict) -> MarketDict:
        markets = markets.add_or_update(self.maker_connector, self.maker_trading_pair)
        return markets.add_or_update(self.taker_connector, self.taker_trading_pair)


class XEMMForecastController(RiskGatedController, ControllerBase):
    """Hooks only: read both venues, plan levels, create/stop XEMM executors per level."""

    def __init__(self, config: XEMMForecastConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: XEMMForecastConfig = config

    async def update_processed_data(self) -> None:
        self.processed_data["venues"] = self._venues()

    def _read(self, fn: object, *args: object) -> float | None:
        try:
            value = fn(*args)  # type: ignore[operator]
            return None if value is None else float(value)
        except (LookupError, ValueError, ArithmeticError):
            # a venue not connected (KeyError) / no book or price yet (ValueError, Decimal NaN): unknown,
            # and the plan fails closed (no new executors). A coding bug (AttributeError, TypeError) raises.
            return None

    def _depth(self, side: str) -> float | None:
        try:
            bids, asks = self.market_data_provider.get_order_book_snapshot(
                self.config.taker_connector, self.config.taker_trading_pair
            )
        except (LookupError, ValueError):  # taker venue not connected (KeyError) or no book yet (ValueError)
            return None
        book = bids if side == "bid" else asks
        return float(book["amount"].head(self.config.taker_depth_levels).sum())

    def _venues(self) -> xemm_logic.VenueState:
        mdp, cfg = self.market_data_provider, self.config
        base, quote = cfg.maker_trading_pair.split("-")
        taker_base = cfg.taker_trading_pair.split("-")[0]
        return xemm_logic.VenueState(
            maker_mid=self._read(
                mdp.get_price_by_type, cfg.maker_connector, cfg.maker_trading_pair, PriceType.MidPrice
            ),
            maker_base=self._read(mdp.get_balance, cfg.maker_connector, base),
            maker_quote=self._read(mdp.get_balance, cfg.maker_connector, quote),
            taker_base=self._read(mdp.get_balance, cfg.taker_connector, taker_base),
            taker_quote=self._read(mdp.get_balance, cfg.taker_connector, quote),
            taker_bid_depth=self._depth("bid"),
            taker_ask_depth=self._depth("ask"),
        )

    def determine_executor_actions(self) -> list[ExecutorAction]:
        now = float(self.market_data_provider.time())
        venues = self.processed_data.get("venues") or self._venues()
        plan = xemm_logic.plan_levels(
            self.config,
            venues,
            mm_adapter.hedge_failure_times(self.executors_info),
            now,
            mm_adapter.gate_decision(self),
        )
        self.processed_data.update(
            risk_state=plan.risk.state.name, risk_reasons=list(plan.risk.reasons), imbalance=plan.imbalance
        )
        creates, stops = xemm_logic.xemm_level_actions(
            plan, mm_adapter.xemm_level_views(self.executors_info), now, self.config
        )
        actions: list[ExecutorAction] = [
            StopExecutorAction(controller_id=self.config.id, executor_id=eid, keep_position=True)
            for eid in stops
        ]
        actions += [
            CreateExecutorAction(
                controller_id=self.config.id, executor_config=self._executor_config(lid, plan, now)
            )
            for lid in creates
        ]
        return actions

    def _executor_config(self, level_id: str, plan: xemm_logic.XEMMPlan, now: float) -> XEMMExecutorConfig:
        cfg = self.config
        maker = ConnectorPair(connector_name=cfg.maker_connector, trading_pair=cfg.maker_trading_pair)
        taker = ConnectorPair(connector_name=cfg.taker_connector, trading_pair=cfg.taker_trading_pair)
        is_buy = level_id.startswith("buy")
        target = Decimal(repr(plan.targets[level_id]))
        return XEMMExecutorConfig(
            id=xemm_logic.executor_id(level_id, cfg.id, now),
            timestamp=now,
            controller_id=cfg.id,
            buying_market=maker if is_buy else taker,
            selling_market=taker if is_buy else maker,
            maker_side=TradeType.BUY if is_buy else TradeType.SELL,
            order_amount=Decimal(repr(plan.amounts[level_id])),
            min_profitability=cfg.min_profitability,
            target_profitability=target,
            max_profitability=target + cfg.max_profitability_margin,
        )

    def to_format_status(self) -> list[str]:
        return [
            f"XEMM {self.config.maker_connector}->{self.config.taker_connector} "
            f"risk={self.processed_data.get('risk_state', 'ACTIVE')} "
            f"imbalance={self.processed_data.get('imbalance', 0.0):+.2f} "
            f"{'; '.join(self.processed_data.get('risk_reasons', []))}"
        ]
