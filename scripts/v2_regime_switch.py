"""V2 script: the guarded controllers, ONE active at a time, chosen by the market regime (paper by default).

Every closed bar of ``regime_connector`` / ``regime_pair`` / ``regime_interval`` is labelled trend up /
trend down / range / high volatility (``hummingbot_plugin.regime``: thresholds fitted on the
``train_days`` before each day, hysteresis and minimum dwell). ``routes`` maps each label to a controller
id, or ``none`` (flat: quotes pulled). On a switch the script stops every active executor of the
controller it leaves with ``keep_position=False`` (open orders cancelled, positions closed at market)
and writes an audit record; creations proposed by any other controller are dropped. Until the first
label, nothing trades. Everything of ``v2_guarded_controllers.py`` applies (risk gates, paper guard,
audit, kill switch, hot reload).

Example ``conf/scripts/regime_switch_btc.yml``::

    script_file_name: v2_regime_switch.py
    controllers_config: [baseline_trend_btc_usdt_1h.yml, fib_grid_btc_usdt_1h.yml]
    regime_connector: binance
    regime_pair: BTC-USDT
    routes: {trend_up: baseline_trend_btc_usdt_1h, trend_down: none,
             range: fib_grid_btc_usdt_1h, high_vol: none}
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from pydantic import Field, model_validator

from hummingbot_plugin.audit import OverrideRecord
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.data import closed_count, interval_seconds
from hummingbot_plugin.errors import ConfigError, PluginError
from hummingbot_plugin.regime import Regime, RegimeSettings
from hummingbot_plugin.regime.live import ROUTE_OFF, controller_for, current_regime
from scripts import v2_guarded_controllers as guarded


class RegimeSwitchConfig(guarded.GuardedControllersConfig):
    """The guarded script's fields plus the regime feed, its settings and the routes."""

    script_file_name: str = os.path.basename(__file__)
    regime_connector: str = Field(
        ..., min_length=1, json_schema_extra=prompt_extra("Regime candles venue: ", False)
    )
    regime_pair: str = Field(
        ..., min_length=3, json_schema_extra=prompt_extra("Regime candles pair: ", False)
    )
    regime_interval: str = Field(default="1h", json_schema_extra=prompt_extra("Regime bar interval: ", False))
    regime_records: int = Field(
        default=24 * 120, ge=200, json_schema_extra=prompt_extra("Bars read for the regime: ", False)
    )
    regime: dict[str, float] = Field(
        default_factory=dict,
        json_schema_extra=prompt_extra("Regime settings (RegimeSettings fields): ", False),
    )
    routes: dict[str, str] = Field(
        ..., json_schema_extra=prompt_extra("Controller id per regime (or none): ", True)
    )

    @model_validator(mode="after")
    def _regimes_and_routes(self) -> RegimeSwitchConfig:
        names = {r.name.lower() for r in Regime}
        if set(self.routes) != names:
            raise ValueError(
                f"routes must name exactly the regimes {sorted(names)}, got {sorted(self.routes)}"
            )
        try:
            self.regime_settings()
        except (PluginError, TypeError) as exc:
            raise ValueError(f"regime: {exc}") from None
        return self

    def regime_settings(self) -> RegimeSettings:
        ints = {"vol_bars", "trend_bars", "min_dwell", "train_days"}
        fields: dict[str, Any] = {k: int(v) if k in ints else float(v) for k, v in self.regime.items()}
        return RegimeSettings(**fields)


class RegimeSwitch(guarded.GuardedControllers):
    """Routes trading to the controller of the current regime; switches close the old one explicitly."""

    def __init__(self, connectors: dict[str, ConnectorBase], config: RegimeSwitchConfig) -> None:
        super().__init__(connectors, config)
        self.config: RegimeSwitchConfig = config
        self.settings = config.regime_settings()
        unknown = {r: c for r, c in config.routes.items() if c != ROUTE_OFF and c not in self.controllers}
        missing = {r.name.lower() for r in Regime} - set(config.routes)
        if unknown or missing:
            raise ConfigError(
                f"routes: unknown controller ids {unknown}, regimes without a route {sorted(missing)}",
                fix=f"route every regime to one of {sorted(self.controllers)} or none",
            )
        self.active: str | None = None
        self.regime: Regime | None = None
        self.dropped = 0
        self._last_bar = -np.inf
        self.market_data_provider.initialize_candles_feed(self._candles())
        for controller in self.controllers.values():
            self._mute_when_inactive(controller)
        inner = self.executor_orchestrator.execute_action
        self.executor_orchestrator.execute_action = lambda action: self._route(inner, action)

    def _mute_when_inactive(self, controller: Any) -> None:
        """An inactive controller proposes no creations (so its gate neither sees nor audits them)."""
        propose, cid = controller.determine_executor_actions, str(controller.config.id)

        def proposals() -> list[Any]:
            actions = list(propose())
            if cid == self.active:
                return actions
            self.dropped += sum(isinstance(a, CreateExecutorAction) for a in actions)
            return [a for a in actions if not isinstance(a, CreateExecutorAction)]

        controller.determine_executor_actions = proposals

    def _candles(self) -> CandlesConfig:
        c = self.config
        return CandlesConfig(
            connector=c.regime_connector, trading_pair=c.regime_pair, interval=c.regime_interval,
            max_records=c.regime_records,
        )  # fmt: skip

    def _route(self, inner: Any, action: Any) -> Any:
        """Second line: the orchestrator executes creations of the active controller only."""
        if isinstance(action, CreateExecutorAction) and action.controller_id != self.active:
            self.dropped += 1
            return None
        return inner(action)

    def tick(self, timestamp: float) -> None:
        super().tick(timestamp)
        now = self.market_data_provider.time()
        try:
            self.regime_tick(now)
        except (ValueError, KeyError, IndexError, FloatingPointError) as exc:  # bad candles: fail closed
            if self.active is not None:
                reason = f"regime tick failed ({exc}): no new positions until a bar is labelled"
                record = OverrideRecord(
                    ts=now, source="regime_switch", accepted=True, command="activate none", reason=reason
                )
                self.audit.append(record)
                self.logger().error(reason)
            self.active = None

    def regime_tick(self, now: float) -> None:
        """Label the newest closed bar once; switch when its route differs from the active one."""
        c = self.config
        frame = self.market_data_provider.get_candles_df(
            c.regime_connector, c.regime_pair, c.regime_interval, c.regime_records
        )
        if frame is None or len(frame) == 0:
            return
        stamps = frame["timestamp"].to_numpy(np.float64)
        closed = closed_count(stamps, now, interval_seconds(c.regime_interval))
        if closed == 0 or stamps[closed - 1] <= self._last_bar:
            return
        self._last_bar = float(stamps[closed - 1])
        regime = current_regime(stamps[:closed], frame["close"].to_numpy(np.float64)[:closed], self.settings)
        if regime is None:
            return
        self.regime = regime
        target = controller_for(regime, c.routes)
        if target != self.active:
            self.switch(target, regime, now)

    def switch(self, target: str | None, regime: Regime, now: float) -> None:
        """Stop the old controller's executors (orders cancelled, positions closed), audit, activate."""
        old = self.active
        stopped = []
        if old is not None:
            for info in self.get_executors_by_controller(old):
                if info.is_active:
                    stop = StopExecutorAction(controller_id=old, executor_id=info.id, keep_position=False)
                    self.executor_orchestrator.execute_action(stop)
                    stopped.append(str(info.id))
        self.active = target
        reason = f"regime {regime.name.lower()}: {old or 'none'} -> {target or 'none'}; stopped {stopped}"
        self.audit.append(
            OverrideRecord(
                ts=now, source="regime_switch", accepted=True, command=f"activate {target}", reason=reason
            )
        )
        self.logger().info(reason)

    def format_status(self) -> str:
        regime = self.regime.name.lower() if self.regime is not None else "unknown"
        head = f"regime {regime}; active controller {self.active or 'none'}; creations dropped {self.dropped}"
        return "\n".join([head, super().format_status()])
