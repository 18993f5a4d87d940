"""V2 script: the plugin's controllers under a global + per-controller risk guard (paper by default).

Example ``conf/scripts/guarded_btc.yml``::

    script_file_name: v2_guarded_controllers.py
    controllers_config: [baseline_trend_btc_usdt_1h.yml]
    paper_trading:              # ON: connectors are simulated, fed by the real venues' public books
      balances: {USDT: 10000, BTC: 0}
      maker_fee: 0.001
      taker_fee: 0.001
    live_trading: false
    global_risk: {max_total_exposure_quote: 2000, max_drawdown_pct: 0.1}
    kill_switch: false          # true -> HALTED (hot-reloaded)
    reset_token: ""             # change to a new value to reset HALTED guards deliberately
    config_file: conf/scripts/guarded_btc.yml   # enables hot reload of the is_updatable fields

Paper trading (one switch): with ``paper_trading:`` set, every connector the controllers name (e.g.
``binance``) is created as the simulated exchange, fed by that venue's public order book and trades
(no API key is read); controller YAMLs are unchanged. Off = ``paper_trading: null`` (or no key).
Going live needs paper trading off, ``live_trading: true`` AND ``HBP_CONFIRM_LIVE_TRADING=yes-i-understand``;
otherwise the paper guard refuses to start before any connector exists. The replay command ignores
``paper_trading`` (it builds its own simulated exchanges). Risk state persists in ``$HBP_STATE_DIR``.

Feeds (hummingbot_plugin/hb/feed_monitor.py): a venue whose public book goes stale, or the MQTT broker,
is reported ONCE (``FEED DOWN: ...``, reminders further and further apart, one ``FEED RECOVERED``), shown
in ``status`` and the metrics, and no executor is created on it meanwhile. At start the script adds a
filter to the log handlers that lets Hummingbot's own repeated warnings (``... is not ready``, ``Cannot
connect to host``, MQTT reconnects) through once a minute; it is removed on stop. Hummingbot is not patched.

Hummingbot takes the FIRST ``BaseClientModel`` subclass (by name) in this module as the config class:
never import another config class name (e.g. ``ControllerConfigBase``) into this module.
"""

from __future__ import annotations

import contextlib
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.client import settings as hb_settings
from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.core.data_type.common import MarketDict
from hummingbot.strategy.strategy_v2_base import StrategyV2Base, StrategyV2ConfigBase
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from pydantic import Field, model_validator

from hummingbot_plugin.audit import AuditLog, AuditWriteError, OverrideRecord, load_or_create_key
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.errors import ConfigError, PluginError
from hummingbot_plugin.hb.config_reload import load_controller_set, reload_script_config
from hummingbot_plugin.hb.feed_monitor import FeedMonitor, guard_lines
from hummingbot_plugin.hb.guarded_runtime import GlobalRiskGate, RiskCommandBridge, audit_alarm, gate_for
from hummingbot_plugin.hb.order_audit import OrderAuditMixin
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.prometheus import MetricsSettings, PluginMetrics
from hummingbot_plugin.risk import RiskLimits, audit_dir_from_env, state_dir_from_env
from hummingbot_plugin.risk.paper_guard import check_connectors, in_simulation_run
from hummingbot_plugin.simulation.engine.paper import PaperTradingSettings
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.paper.ledger import PaperLedger
from hummingbot_plugin.simulation.paper.mode import (
    application_trading_core,
    prepare_connectors,
    release_paper_metrics,
)
from hummingbot_plugin.validate import Problem


class GuardedControllersConfig(StrategyV2ConfigBase):
    """Script config: controllers, global limits, kill switch, paper guard, command channel."""

    script_file_name: str = os.path.basename(__file__)
    paper_trading: PaperTradingSettings | None = Field(
        default=None,
        json_schema_extra=prompt_extra("Paper trading (simulated venues on live public books): ", False),
    )
    live_trading: bool = Field(
        default=False, json_schema_extra=prompt_extra("Trade live (needs env confirmation)? ", False)
    )
    global_risk: RiskLimits = Field(
        default_factory=RiskLimits, json_schema_extra=prompt_extra("Global risk limits: ", True)
    )
    kill_switch: bool = Field(
        default=False, json_schema_extra=prompt_extra("Kill switch (HALTED while true): ", True)
    )
    reset_token: str = Field(
        default="",
        max_length=128,
        json_schema_extra=prompt_extra("Change to reset HALTED guards deliberately: ", True),
    )
    config_file: str | None = Field(
        default=None, json_schema_extra=prompt_extra("This YAML's path (hot reload): ", False)
    )
    reload_interval_seconds: float = Field(
        default=10.0, gt=0, le=3600, json_schema_extra=prompt_extra("Reload every (s): ", False)
    )
    state_dir: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Risk state dir (blank=$HBP_STATE_DIR): ", False)
    )
    audit_dir: str | None = Field(
        default=None,
        json_schema_extra=prompt_extra("Audit dir (blank=$HBP_AUDIT_DIR or <state dir>/audit): ", False),
    )
    audit_key_file: str | None = Field(
        default=None,
        json_schema_extra=prompt_extra("Audit HMAC key file (blank=<state dir>/audit.key): ", False),
    )
    audit_max_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, json_schema_extra=prompt_extra("Audit file size: ", False)
    )
    risk_commands: bool = Field(
        default=False, json_schema_extra=prompt_extra("Accept signed MQTT risk commands? ", False)
    )
    control_topic_prefix: str = Field(
        default="hbot/control",
        min_length=1,
        json_schema_extra=prompt_extra("MQTT control topic prefix: ", False),
    )
    keyring_file: str | None = Field(
        default=None, json_schema_extra=prompt_extra("HMAC keyring file: ", False)
    )
    command_max_age_seconds: float = Field(
        default=30.0, gt=0, le=300, json_schema_extra=prompt_extra("Max command age (s): ", False)
    )

    @model_validator(mode="after")
    def _one_trading_mode(self) -> GuardedControllersConfig:
        if self.paper_trading is not None and self.live_trading:
            raise ValueError(
                "paper_trading and live_trading: true are both set; to go live set paper_trading: null"
            )
        return self


class GuardedControllers(OrderAuditMixin, StrategyV2Base):
    """Runs the configured controllers; every executor passes the controller's gate AND the global gate."""

    _last_config_update_ts: float  # StrategyV2Base's (untyped upstream)

    @classmethod
    def init_markets(cls, config: Any) -> None:
        # Runs before Hummingbot creates connectors (and reads API keys): paper venues or refusal here.
        super().init_markets(config)  # cls.markets: every connector the controllers name
        prepare_connectors(config.paper_trading, config.live_trading, cls.markets, os.environ)

    def __init__(self, connectors: dict[str, ConnectorBase], config: GuardedControllersConfig) -> None:
        check_connectors(connectors, config.live_trading, os.environ)  # before any activity
        problems = load_controller_set(
            list(config.controllers_config), Path(hb_settings.CONTROLLERS_CONF_DIR_PATH)
        )[1]
        if problems:
            raise ConfigError(
                "invalid controller configs: " + "; ".join(p.line() for p in problems),
                fix="run `python -m hummingbot_plugin validate conf/` and correct the files",
            )
        super().__init__(connectors, config)
        self.config: GuardedControllersConfig = config
        # the entry point: the environment is read here, once; everything below gets the folders
        self.state_dir = Path(config.state_dir) if config.state_dir else state_dir_from_env(os.environ)
        self.audit_dir = (
            Path(config.audit_dir) if config.audit_dir else audit_dir_from_env(self.state_dir, os.environ)
        )
        key_file = Path(config.audit_key_file) if config.audit_key_file else self.state_dir / "audit.key"
        self.audit = AuditLog(
            self.audit_dir,
            max_bytes=config.audit_max_bytes,
            key=load_or_create_key(key_file, self.audit_dir),
            buffer_on_error=True,  # a failed write halts every guard (alarm) and is retried every tick
            on_failure=audit_alarm,
        )
        self.metrics = PluginMetrics()
        self._metrics_server = self.metrics.serve(MetricsSettings.from_env())
        for controller in self.controllers.values():
            self._attach_gate(controller)
        self.global_gate = GlobalRiskGate(config.global_risk, self.state_dir, self.audit, self.audit_dir)
        self.feeds = FeedMonitor(
            connectors,
            self.markets,
            max_book_age=config.global_risk.max_book_age_seconds,
            watch_broker=config.risk_commands and not in_simulation_run(),  # a replay has no broker
            metrics=self.metrics,
            logger=self.logger(),
        )
        self.executor_orchestrator.execute_action = self.feeds.wrap(
            self.global_gate.wrap(self.executor_orchestrator.execute_action)
        )
        now = self.market_data_provider.time()
        self._bridge = (
            RiskCommandBridge(
                config.control_topic_prefix,
                config.keyring_file,
                self.state_dir / "risk_commands_replay.json",
                now,
                self.audit,
                max_age=config.command_max_age_seconds,
            )
            if config.risk_commands
            else None
        )
        self._reset_token = config.reset_token
        self._next_reload = now + config.reload_interval_seconds
        paper = {n: c for n, c in connectors.items() if isinstance(c, SimulatedExchange) and c.live_fed}
        self.paper_ledger = PaperLedger(paper) if paper and len(paper) == len(connectors) else None

    def _attach_gate(self, controller: Any) -> None:
        if not isinstance(controller, RiskGatedController):
            raise ConfigError(
                f"controller {controller.config.id} does not route through the risk gate",
                fix="inherit hummingbot_plugin.hb.risk_gate.RiskGatedController first in its bases",
            )
        controller.risk_gate = gate_for(controller, self.state_dir, self.audit, self.audit_dir, self.metrics)

    # ----- one risk tick, run even while connectors are not ready ------------------------------
    def tick(self, timestamp: float) -> None:
        now = self.market_data_provider.time()
        self.feeds.tick(now)  # one line per venue/broker outage and recovery; creations vetoed while down
        self.risk_tick(now)
        if self.paper_ledger is not None:
            self.paper_ledger.sample(now)
        super().tick(timestamp)

    def risk_tick(self, now: float) -> None:
        """Reload, switches, commands, global observation and halt stops; fails closed on any error."""
        try:
            self._risk_tick(now)
        except Exception:  # the clock must keep ticking; creations are denied for this tick
            self.global_gate.snapshot = None  # GlobalRiskGate.allow() denies without a snapshot
            self.logger().error("risk tick failed: new executors are denied until it succeeds", exc_info=True)

    def _risk_tick(self, now: float) -> None:
        with contextlib.suppress(AuditWriteError):  # alarm raised: every guard HALTED until a reset
            self.audit.retry()  # a backlog kept in memory after a failed write
        if now >= self._next_reload:
            self._next_reload = now + self.config.reload_interval_seconds
            self._reload_script_config(now)
        self._apply_switches(now)
        if self._bridge is not None:
            self._bridge.poll(self.global_gate, self.controllers, now)
        self.global_gate.observe(self.controllers, now)
        for stop in self.global_gate.halt_stops(self.controllers):
            self.executor_orchestrator.execute_action(stop)

    def _apply_switches(self, now: float) -> None:
        if self.config.kill_switch:
            self.global_gate.guard.halt("kill_switch: true in the script config", now)
        elif self.config.reset_token and self.config.reset_token != self._reset_token:
            for guard in [self.global_gate.guard, *(c.risk_gate.guard for c in self.controllers.values())]:
                guard.reset(now, operator=f"yaml reset_token {self.config.reset_token}")
        self._reset_token = self.config.reset_token

    def _reload_script_config(self, now: float) -> None:
        if not self.config.config_file:
            return
        result = reload_script_config(
            Path(self.config.config_file), self.config, Path(hb_settings.CONTROLLERS_CONF_DIR_PATH)
        )
        if result.config is None:
            self._alert("script config", result.problems, now)
            return
        if result.needs_restart:
            self.logger().warning(f"changed fields need a restart and were ignored: {result.needs_restart}")
        self.config = result.config  # type: ignore[assignment]
        self.global_gate.guard.update_limits(self.config.global_risk)

    def update_controllers_configs(self) -> None:
        """Hummingbot's 10 s controller reload, with the same validation as at start."""
        now = self.market_data_provider.time()
        if self._last_config_update_ts + self.config_update_interval >= now:
            return
        self._last_config_update_ts = now
        loaded, problems = load_controller_set(
            list(self.config.controllers_config), Path(hb_settings.CONTROLLERS_CONF_DIR_PATH)
        )
        if problems:
            self._alert("controller configs", problems, now)
            return
        for item in loaded:
            config: Any = item.config  # a ControllerConfigBase (its name is not imported: see module doc)
            if config.id in self.controllers:
                self.controllers[config.id].update_config(config)
            else:
                self.add_controller(config)
                self._attach_gate(self.controllers[config.id])

    def _alert(self, what: str, problems: list[Problem], now: float) -> None:
        text = "; ".join(p.line() for p in problems)
        self.logger().error(f"invalid {what} reload: kept the last good config: {text}")
        self.audit.append(
            OverrideRecord(ts=now, source="config_reload", accepted=False, command=what, reason=text[:2000])
        )

    # ----- no actions of its own ---------------------------------------------------------------
    def create_actions_proposal(self) -> list[CreateExecutorAction]:
        return []

    def stop_actions_proposal(self) -> list[StopExecutorAction]:
        return []

    async def on_stop(self) -> None:
        release_paper_metrics(application_trading_core())  # before Hummingbot's stop removes connectors
        self._write_paper_report()
        if self._bridge is not None:
            self._bridge.stop()
        if self._metrics_server is not None:
            self._metrics_server.close()
        self.feeds.close()
        await super().on_stop()
        self.audit.close()  # lets a restarted script in this process take the audit directory

    def _write_paper_report(self) -> None:
        """Paper trading: the session's fills on the one ledger, as JSON + HTML next to the audit folder."""
        if self.paper_ledger is None:
            return
        executors = [i for group in self.executor_orchestrator.get_executors_report().values() for i in group]
        stem = Path(self.config.config_file or "session").stem
        name = f"paper_{stem}_{self.market_data_provider.time():.0f}"
        try:
            path = self.paper_ledger.write(self.audit_dir.parent / "paper_reports", name, executors)
        except (OSError, PluginError) as exc:
            self.logger().error(f"paper report not written: {exc}")
            return
        if path is not None:
            self.logger().info(f"paper report: {path} and {path.with_suffix('.html')}")

    def format_status(self) -> str:
        guards = [self.global_gate.guard, *(c.risk_gate.guard for c in self.controllers.values())]
        feeds = self.feeds.status_lines(self.market_data_provider.time())
        return "\n".join([*guard_lines(guards), *feeds, super().format_status()])

    @classmethod
    def update_markets(cls, config: Any, markets: MarketDict) -> MarketDict:
        return markets

    def global_exposure(self) -> Decimal:
        snapshot = self.global_gate.snapshot
        return snapshot.total_worst_case_exposure() if snapshot else Decimal(0)
