"""AI livestream controller: LightGBM quantile forecasts (and optional MQTT predictions) → directional trades.

Thin Hummingbot adapter over :mod:`hummingbot_plugin.ai` (all decisions are made there):

* backtests (Hummingbot's engine hands us a ``BacktestingDataProvider``): the WHOLE vectorised decision
  frame is computed once and put in ``processed_data["features"]``; the engine merges it bar by bar;
* live / replay: every tick computes only the newest CLOSED bar (its forecast cached per bar), applies a
  fresh external prediction (replace / blend) from the MQTT control channel, and keeps a bounded history
  of the live rows in ``processed_data["features"]`` (same columns, same values as the frame).

Fails closed (signal 0, reason shown in the status and audited): model missing/unsealed/unverifiable/for
another market, expired (``model_max_age_days``), stale (> ``stale_after_intervals`` intervals) or gapped
candles, non-finite features, external prediction expired (external-only mode). Existing executors keep
their barriers meanwhile. ``model_dir`` may be a registry of versions: a newer sealed version is swapped
in at a bar boundary, a bad one refused (the current model kept); see ``hummingbot_plugin.ai.lifecycle``.
Barriers: ``stop_loss = clip(stop_loss_multiple × target_pct, stop_loss_min, stop_loss_max)`` and the
same for take profit; ``target_pct`` is a fraction of the entry price (0.01 = 1 %).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.core.data_type.common import OrderType, PositionMode, PriceType, TradeType
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.backtesting.backtesting_data_provider import BacktestingDataProvider
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerBase,
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.executors.position_executor.data_types import (
    PositionExecutorConfig,
    TripleBarrierConfig,
)
from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)
from pydantic import Field, model_validator

from controllers.single_market import IntervalField, SingleMarketFields, candles_config, candles_df
from hummingbot_plugin.ai import SignalEngine, barriers_for, position_quote
from hummingbot_plugin.ai import config_rules as rules
from hummingbot_plugin.ai import cost_aware_tick as costaware
from hummingbot_plugin.ai.candle_health import checked_live_row
from hummingbot_plugin.ai.cost_aware import CostAwareLive, CostAwareSettings, DecisionMode, target_actions
from hummingbot_plugin.ai.decision import DecisionRow, SizingMode, empty_frame, refused_row
from hummingbot_plugin.ai.lifecycle import ModelLifecycle, engine_settings, model_record
from hummingbot_plugin.ai.status import (
    ChannelState,
    custom_info,
    probability_labels,
    signal_record,
    status_lines,
)
from hummingbot_plugin.ai.views import effective_row
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.hb.control_channel import ControlChannel
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.mqtt import ControlChannelSettings

__all__ = ["AiLivestreamConfig", "AiLivestreamController"]


class AiLivestreamConfig(SingleMarketFields, IntervalField, DirectionalTradingControllerConfigBase):
    """Quantile-forecast directional trading on one market (venue, pair and model are required)."""

    controller_name: str = "ai_livestream"
    model_dir: str | None = Field(
        ...,
        description="directory under models/ (or absolute path) holding manifest.json + quantile files; "
        "null = trade external MQTT predictions only (prediction_mode must be replace)",
        json_schema_extra=prompt_extra(
            "Model directory under models/ (blank = external predictions only): ", False, True
        ),
    )
    model_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="pin: only a model whose seal.json digest is this sha256 is loaded (null = any sealed)",
        json_schema_extra=prompt_extra("Pinned model seal sha256 (blank = none): ", False, False),
    )
    model_max_age_days: float | None = Field(
        default=None,
        gt=0,
        description="stop opening positions once the model's data cut-off is older than this (null = never)",
        json_schema_extra=prompt_extra("Model expires after N days (blank = never): ", False, False),
    )
    decision_mode: DecisionMode = Field(
        default=DecisionMode.CLIENT,
        description="client: probability threshold + barriers; cost_aware: the walk-forward decision layer",
        json_schema_extra=prompt_extra("Decision mode (client / cost_aware): ", False, True),
    )
    cost_aware: CostAwareSettings = Field(
        default_factory=CostAwareSettings,
        json_schema_extra=prompt_extra("Cost-aware decision settings (decision_mode cost_aware): ", True),
    )
    long_threshold: float = Field(
        default=0.45, gt=0, le=1, json_schema_extra=prompt_extra("Min p_long to go long: ", True, True)
    )
    short_threshold: float = Field(
        default=0.45, gt=0, le=1, json_schema_extra=prompt_extra("Min p_short to short: ", True, True)
    )
    allow_short: bool = Field(
        default=False, json_schema_extra=prompt_extra("Allow shorts (perpetuals only)? ", False, True)
    )
    sizing_mode: SizingMode = Field(
        default=SizingMode.FIXED,
        json_schema_extra=prompt_extra("Sizing: fixed or kelly (fraction of budget): ", True, True),
    )
    max_position_quote: Decimal | None = Field(
        default=None,
        gt=0,
        json_schema_extra=prompt_extra("Cap per position in quote (blank = none): ", True, True),
    )
    min_order_quote: Decimal = Field(
        default=Decimal("10"), gt=0, json_schema_extra=prompt_extra("Smallest order in quote: ", True, True)
    )
    stop_loss_multiple: float = Field(
        default=2.0,
        gt=0,
        le=50,
        json_schema_extra=prompt_extra("Stop loss = k × target_pct, k: ", True, True),
    )
    take_profit_multiple: float = Field(
        default=3.0,
        gt=0,
        le=50,
        json_schema_extra=prompt_extra("Take profit = k × target_pct, k: ", True, True),
    )
    stop_loss_min: float = Field(
        default=0.006, gt=0, lt=1, json_schema_extra=prompt_extra("Stop loss floor (fraction): ", True, True)
    )
    stop_loss_max: float = Field(
        default=0.03, gt=0, lt=1, json_schema_extra=prompt_extra("Stop loss cap (fraction): ", True, True)
    )
    take_profit_min: float = Field(
        default=0.006, gt=0, lt=1, json_schema_extra=prompt_extra("Take profit floor: ", True, True)
    )
    take_profit_max: float = Field(
        default=0.05, gt=0, lt=1, json_schema_extra=prompt_extra("Take profit cap: ", True, True)
    )
    close_on_opposite_signal: bool = Field(
        default=True,
        json_schema_extra=prompt_extra("Close a position when the signal turns against it? ", True, True),
    )
    stale_after_intervals: float = Field(
        default=2.0,
        ge=1,
        le=10,
        json_schema_extra=prompt_extra("Candles older than N intervals are stale, N: ", False, True),
    )
    leverage: int = Field(
        default=1, ge=1, le=20, json_schema_extra=prompt_extra("Leverage (1 for spot): ", False, True)
    )
    position_mode: PositionMode = Field(
        default=PositionMode.ONEWAY, json_schema_extra=prompt_extra("Position mode: ", False, True)
    )
    stop_loss: Decimal | None = Field(
        default=None,
        description="not used: see stop_loss_multiple",
        json_schema_extra=prompt_extra("(unused) ", False, True),
    )
    take_profit: Decimal | None = Field(
        default=None,
        description="not used: see take_profit_multiple",
        json_schema_extra=prompt_extra("(unused) ", False, True),
    )
    time_limit: int | None = Field(
        default=4 * 3600, gt=0, json_schema_extra=prompt_extra("Time limit per position (s): ", True, True)
    )
    take_profit_order_type: OrderType = Field(
        default=OrderType.MARKET, json_schema_extra=prompt_extra("Take-profit order type: ", True, True)
    )
    mqtt: ControlChannelSettings = Field(
        default_factory=ControlChannelSettings,
        json_schema_extra=prompt_extra("MQTT channel settings: ", False, True),
    )

    @model_validator(mode="after")
    def _consistent(self) -> AiLivestreamConfig:
        rules.check_config(self)
        return self

    @property
    def model_path(self) -> Path | None:
        return rules.model_path(self.model_dir)


class AiLivestreamController(RiskGatedController, DirectionalTradingControllerBase):
    """Hummingbot hooks around :class:`hummingbot_plugin.ai.SignalEngine`."""

    def __init__(self, config: AiLivestreamConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: AiLivestreamConfig = config
        self.backtesting = isinstance(self.market_data_provider, BacktestingDataProvider)
        clock = self.market_data_provider.time
        self.models = ModelLifecycle(config.model_path, engine_settings(config), clock())
        self.channel = None if self.backtesting else ControlChannel(config, config.mqtt, clock=clock)
        self.channel_state = ChannelState(enabled=self.channel is not None)
        self._external_seen: Any = None
        self._audited: tuple[str, ...] | None = None
        self.cost_aware_live = CostAwareLive()
        self._publish(refused_row(None, "waiting for the first tick"), empty_frame())

    @property
    def engine(self) -> SignalEngine:
        """The model in use (swapped by :attr:`models` at bar boundaries)."""
        return self.models.engine

    def get_candles_config(self) -> list[CandlesConfig]:
        return candles_config(self.config, self.config.interval, rules.candle_records(self.config))

    def _candles(self) -> Any:
        c = self.config
        return candles_df(self.market_data_provider, c, c.interval, rules.candle_records(c))

    def _publish(self, row: DecisionRow, features: Any) -> None:
        self.processed_data = {**row.as_dict(), "features": features}

    async def update_processed_data(self) -> None:
        if rules.cost_aware(self.config):
            self._update_cost_aware()
            return
        if self.backtesting:
            frame = self.engine.frame(self._candles(), rules.signal_rule(self.config))
            last = rules.row_of(frame.iloc[-1].to_dict()) if len(frame) else refused_row(None, "no candles")
            self._publish(last, frame)
            return
        now = self.market_data_provider.time()
        self._audit_models(now)
        fresh = self._poll_channel(now)  # overrides accepted now already shape this tick's rule
        rule = rules.signal_rule(self.config)
        try:
            local = checked_live_row(self.engine, self._candles(), now, rule)  # + candle sanity
        except DataError as exc:  # the provider has no candles for this market (yet)
            local = refused_row(None, f"candles unavailable: {exc.message}")
        row = effective_row(
            local,
            fresh,
            self._external_seen,
            now=now,
            policy=rules.policy(self.config),
            rule=self.engine.rule_for_model(rule),
        )
        self._publish(row, self.engine.history_frame())
        self._audit(row, now)

    def _update_cost_aware(self) -> None:
        """The research decision layer: the target position after the newest closed bar."""
        settings = self.config.cost_aware
        if self.backtesting:
            start = getattr(self.market_data_provider, "start_time", None)
            frame = costaware.backtest_frame(self.engine, self._candles(), settings, start)
            last = frame.iloc[-1].to_dict() if len(frame) else {"reason": "no candles"}
            self.processed_data = {**last, "features": frame}
            return
        now = self.market_data_provider.time()
        self._audit_models(now)
        self._poll_channel(now)  # overrides (e.g. cost_aware margins) apply from this tick
        try:
            candles = self._candles()
            values = costaware.live_decision(self.cost_aware_live, self.engine, candles, now, settings)
        except DataError as exc:  # the provider has no candles for this market (yet)
            values = self.cost_aware_live.hold(None, f"candles unavailable: {exc.message}")
        row = costaware.decision_row(values)
        self.processed_data = {**row.as_dict(), "target": float(values["target"]), "features": empty_frame()}
        self._audit(row, now)

    def _poll_channel(self, now: float) -> Any:
        if self.channel is None:
            return None
        update = self.channel.poll(now, self.config)
        if update.new_config is not None:
            DirectionalTradingControllerBase.update_config(self, update.new_config)
        if update.prediction is not None:
            self._external_seen = update.prediction
        self.channel_state = rules.channel_state(self.channel_state, update, self._external_seen, now)
        return update.prediction

    def update_config(self, new_config: Any) -> None:
        """Hummingbot reloads YAML configs periodically: keep accepted MQTT overrides on top."""
        super().update_config(self.channel.overlay(new_config) if self.channel is not None else new_config)

    def on_stop(self) -> None:
        if self.channel is not None:
            self.channel.stop()

    def can_create_executor(self, signal: int) -> bool:
        """Room on the signal's OWN side and its cooldown elapsed (opposite-side executors never count)."""
        side = TradeType.BUY if signal > 0 else TradeType.SELL
        same_side = [e for e in self.executors_info if e.side == side]
        active = [e for e in same_side if e.is_active]
        last = max((float(e.timestamp) for e in same_side), default=0.0)
        cooled = self.market_data_provider.time() - last > self.config.cooldown_time
        return len(active) < self.config.max_executors_per_side and cooled

    def _cost_aware_actions(self) -> tuple[bool, list[str]]:
        """(open now?, executors to stop) from the target position (long/flat)."""
        longs = [e.id for e in self.executors_info if e.is_active and e.side == TradeType.BUY]
        target = float(self.processed_data.get("target", 0.0))
        return target_actions(target, longs, self.can_create_executor(1))

    def create_actions_proposal(self) -> list[ExecutorAction]:
        if rules.cost_aware(self.config):
            if not self._cost_aware_actions()[0]:
                return []
            target = float(self.processed_data.get("target", 0.0))
            self.processed_data["size_fraction"] = costaware.budget_fraction(target, self.config.cost_aware)
            self.processed_data["signal"] = 1
        signal = int(self.processed_data.get("signal", 0))
        if signal == 0 or not self.can_create_executor(signal):
            return []
        c = self.config
        quote = position_quote(rules.sizing_rule(c), float(self.processed_data.get("size_fraction", 0.0)))
        price = self.market_data_provider.get_price_by_type(
            c.connector_name, c.trading_pair, PriceType.MidPrice
        )
        if quote is None or price is None or not Decimal(price) > 0:
            return []
        side = TradeType.BUY if signal > 0 else TradeType.SELL
        config = self.get_executor_config(side, Decimal(price), quote / Decimal(price))
        return [CreateExecutorAction(controller_id=c.id, executor_config=config)]

    def stop_actions_proposal(self) -> list[ExecutorAction]:
        """Close active positions the current signal turned against (signal 0 keeps them)."""
        if rules.cost_aware(self.config):
            ids = self._cost_aware_actions()[1]
            return [StopExecutorAction(controller_id=self.config.id, executor_id=i) for i in ids]
        signal = int(self.processed_data.get("signal", 0))
        if signal == 0 or not self.config.close_on_opposite_signal:
            return []
        against = TradeType.SELL if signal > 0 else TradeType.BUY
        return [
            StopExecutorAction(controller_id=self.config.id, executor_id=e.id)
            for e in self.executors_info
            if e.is_active and e.side == against
        ]

    def get_executor_config(
        self, trade_type: TradeType, price: Decimal, amount: Decimal
    ) -> PositionExecutorConfig:
        c = self.config
        barriers = barriers_for(float(self.processed_data.get("target_pct", 0.0)), rules.barrier_rule(c))
        limits: dict[str, Any] = {"stop_loss": barriers.stop_loss, "take_profit": barriers.take_profit}
        limits["time_limit"] = c.time_limit
        if rules.cost_aware(c):
            limits = costaware.barriers(c.cost_aware)
        triple = TripleBarrierConfig(
            **limits,
            trailing_stop=c.trailing_stop,
            open_order_type=OrderType.MARKET,
            take_profit_order_type=c.take_profit_order_type,
            stop_loss_order_type=OrderType.MARKET,
            time_limit_order_type=OrderType.MARKET,
        )
        return PositionExecutorConfig(
            timestamp=self.market_data_provider.time(),
            connector_name=c.connector_name,
            trading_pair=c.trading_pair,
            side=trade_type,
            entry_price=price,
            amount=amount,
            triple_barrier_config=triple,
            leverage=c.leverage,
        )

    def _audit(self, row: DecisionRow, now: float) -> None:
        """Metrics every tick, and a SignalRecord when the decision changes (sinks: the risk gate's)."""
        gate = getattr(self, "_risk_gate", None)  # never create a gate (and its state file) just for this
        c = self.config
        metrics = getattr(gate, "metrics", None)
        if metrics is not None:
            metrics.observe_signal(str(c.id), row.signal, probability_labels(row))
            for level, value in (("0.1", row.q10), ("0.5", row.q50), ("0.9", row.q90)):
                metrics.quantile.labels(str(c.id), level).set(value)
        sink = getattr(gate, "audit", None)
        key = (repr(row.timestamp), str(row.signal), row.reason, row.source)
        if sink is not None and key != self._audited:
            self._audited = key
            sink.append(signal_record(row, self.engine.info, str(c.id), c.trading_pair, now))

    def _audit_models(self, now: float) -> None:
        """Model lifecycle events (load, swap, refusal, expiry) into the gate's audit sink."""
        sink = getattr(getattr(self, "_risk_gate", None), "audit", None)
        for event in self.models.tick(now):
            if sink is not None:
                sink.append(model_record(event, str(self.config.id), self.config.trading_pair))

    def current_row(self) -> DecisionRow:
        return rules.row_of(self.processed_data)

    def to_format_status(self) -> list[str]:
        now = self.market_data_provider.time()
        lines = status_lines(self.current_row(), self.engine.info, self.channel_state, now)
        return lines + self.models.status_lines()

    def get_custom_info(self) -> dict[str, Any]:
        return custom_info(self.current_row(), self.engine.info, self.market_data_provider.time())
