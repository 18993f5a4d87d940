"""Hummingbot's ``BacktestingEngineBase`` run offline, as a funded account behind the risk gate.

Differences from the stock engine:

* warm-up: the provider serves history before ``start`` so features are complete from the
  first simulated bar; the engine then steps only through bars inside ``[start, end]``;
* feature timing: Hummingbot labels a feature row with the open time of the candle it was
  computed from, and merges it backward onto the backtest bars. When the backtest resolution is
  finer than the feature candles (1h features, 5m bars) that would hand a 5m bar the value of the
  hour that has not closed yet. Feature timestamps are therefore shifted by
  ``feature_interval - resolution`` before the merge, so an hourly value reaches the 5m bar that
  closes with that hour. At equal intervals the shift is zero and the stock behaviour is kept;
* every tick the controller's actions go through (1) the sizing mode, (2) the same
  :class:`RiskGate` as in replay (fresh temporary state folder, the controller's ``risk:`` limits,
  the engine's simulated executors as ``executors_info``), (3) the funded account
  (:mod:`hummingbot_plugin.simulation.backtest.budget`): a position is simulated only if the free balance
  covers it, fee included;
* position executors are simulated by :class:`BarPositionSimulator` (stops after the entry bar,
  filled at the stop price).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.backtesting.backtesting_engine_base import BacktestingEngineBase
from hummingbot.strategy_v2.executors.position_executor.data_types import PositionExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo
from tqdm import tqdm

from hummingbot_plugin.audit.records import AuditRecord, DecisionRecord, RiskTransitionRecord
from hummingbot_plugin.data import infer_interval, interval_seconds
from hummingbot_plugin.errors import DataError, SimulationError
from hummingbot_plugin.hb.risk_gate import RiskGate, limits_of
from hummingbot_plugin.hb.risk_snapshot import BookClock
from hummingbot_plugin.risk import JsonStateStore, RiskGuard
from hummingbot_plugin.simulation.backtest.budget import Sizing, SpotAccount
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider
from hummingbot_plugin.simulation.backtest.position_sim import BarPositionSimulator

__all__ = ["OfflineBacktestingEngine", "RiskEvent"]


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """One state change of the backtest's risk gate, with the drawdown it acted on."""

    timestamp: float
    scope: str
    from_state: str
    to_state: str
    reason_code: str
    text: str
    equity_quote: float  # the account's (ledger) equity at that bar
    drawdown_quote: float  # high-water mark − equity, as the guard measured it
    drawdown_pct_of_capital: float  # what the guard compared with max_drawdown_pct (×100)


class _Recorder:
    """In-memory audit sink for the backtest gate: its transitions and its denials by reason."""

    def __init__(self) -> None:
        self.transitions: list[RiskTransitionRecord] = []
        self.denials: Counter[str] = Counter()

    def append(self, record: AuditRecord) -> None:
        if isinstance(record, RiskTransitionRecord):
            self.transitions.append(record)
        elif isinstance(record, DecisionRecord) and not record.allowed:
            self.denials[record.reason_code or "UNKNOWN"] += 1


class _BarClock(BookClock):
    """On bars the book is the bar: as fresh as the bar being simulated, when the pair has a price; the
    scope's PnL is the funded account's (the ledger's equity at that bar − capital)."""

    def __init__(self) -> None:
        super().__init__()
        self.account_pnl: Decimal = Decimal(0)

    def scope_pnl(self, controller: Any, now: float) -> Decimal | None:
        return self.account_pnl

    def updated_at(
        self, market_data_provider: Any, connector_name: str, trading_pair: str, now: float
    ) -> float | None:
        return now if f"{connector_name}_{trading_pair}" in market_data_provider.prices else None


class OfflineBacktestingEngine(BacktestingEngineBase):  # type: ignore[misc]
    """The stock engine with an :class:`OfflineDataProvider`, the timing rules, the gate and a budget."""

    def __init__(
        self,
        provider: OfflineDataProvider,
        *,
        sizing: Sizing | None = None,
        risk_gate: bool = True,
        show_progress: bool | None = None,
        account_capital: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.backtesting_data_provider = provider
        self.account_capital = account_capital  # None: the controller's total_amount_quote
        self.position_executor_simulator = BarPositionSimulator()
        self.sizing = sizing or Sizing()
        self.use_risk_gate = risk_gate
        self.show_progress = sys.stderr.isatty() if show_progress is None else show_progress
        self.account: SpotAccount | None = None
        self.gate: RiskGate | None = None
        self.recorder = _Recorder()
        self.risk_events: list[RiskEvent] = []

    # -- market data -------------------------------------------------------------------------
    def prepare_market_data(self) -> pd.DataFrame:
        processed = self.controller.processed_data
        features = processed.get("features")
        if isinstance(features, pd.DataFrame) and len(features) > 1 and "timestamp" in features:
            processed["features"] = self._shift_to_availability(features)
        prepared = super().prepare_market_data()
        provider = self.backtesting_data_provider
        inside = prepared.loc[
            (prepared["timestamp"] >= provider.start_time) & (prepared["timestamp"] <= provider.end_time)
        ]
        if inside.empty:
            raise SimulationError(
                "no bar with complete features inside the backtest period",
                fix="widen --start/--end, or use a candle file with more history before --start",
            )
        processed["features"] = inside
        return inside

    def _shift_to_availability(self, features: pd.DataFrame) -> pd.DataFrame:
        try:
            feature_step = interval_seconds(infer_interval(features))
        except DataError:
            return features  # irregular feature frame: leave Hummingbot's merge as it is
        lag = feature_step - interval_seconds(self.backtesting_resolution)
        if lag <= 0:
            return features
        shifted = features.copy()
        shifted["timestamp"] = shifted["timestamp"] + lag
        return shifted

    # -- the simulation loop (upstream's, with sizing, gate and budget in the action path) -------
    async def simulate_execution(self, trade_cost: float) -> list[ExecutorInfo]:
        features = self.prepare_market_data()
        self._reset_simulation_state()
        self.account = self._new_account(trade_cost)
        last_index = features.index[-1]
        bars = tqdm(
            features.iterrows(),
            total=len(features),
            desc="backtest",
            unit="bar",
            file=sys.stderr,
            disable=not self.show_progress,
            delay=2.0,
            leave=False,
        )
        with tempfile.TemporaryDirectory(prefix="hbp-backtest-risk-") as folder:
            self.gate = self._new_gate(Path(folder)) if self.use_risk_gate else None
            for i, row in bars:
                await self.update_state(row)
                now, mark = float(row["timestamp"]), float(row["close"])
                for action in self._review(list(self.controller.determine_executor_actions()), now, mark):
                    if isinstance(action, CreateExecutorAction):
                        end = self._get_executor_max_timestamp(action.executor_config, last_index)
                        self._create(action, features.loc[i:end], trade_cost, now)
                    elif isinstance(action, StopExecutorAction):
                        self.handle_stop_action(action, row["timestamp"])
        self.update_executors_info(last_index)
        self._update_positions_from_stopped_executors()
        return self.collect_executors_ledger(last_index)

    def _new_account(self, trade_cost: float) -> SpotAccount:
        config = self.controller.config
        rule = self.backtesting_data_provider.get_trading_rules(config.connector_name, config.trading_pair)
        capital = self.account_capital or float(config.total_amount_quote)
        return SpotAccount(capital, float(trade_cost), float(rule.min_notional_size))

    def _new_gate(self, folder: Path) -> RiskGate:
        """The replay gate on a fresh state file in ``folder``; transitions and denials recorded."""
        self.recorder = _Recorder()
        scope = str(self.controller.config.id)
        store = JsonStateStore(folder / f"{scope}.json", traded=lambda: None)
        guard = RiskGuard(limits_of(self.controller.config), store, self.recorder, scope=scope)
        gate = RiskGate(guard, self.recorder, books=_BarClock())
        self.controller.risk_gate = gate
        return gate

    def _review(self, actions: list[ExecutorAction], now: float, mark: float) -> list[ExecutorAction]:
        assert self.account is not None
        self.account.observe(mark, now)
        actions = [self._sized(a, now, mark) for a in actions]
        if self.gate is None:
            return actions
        equity = self.account.equity(mark, now)
        assert isinstance(self.gate.books, _BarClock)
        self.gate.books.account_pnl = Decimal(str(equity - self.account.capital))
        seen = len(self.recorder.transitions)
        gated: list[ExecutorAction] = self.gate.filter_actions(self.controller, actions)
        self._record_transitions(seen, equity)
        return gated

    def _sized(self, action: ExecutorAction, now: float, mark: float) -> ExecutorAction:
        config = getattr(action, "executor_config", None)
        if not isinstance(config, PositionExecutorConfig):
            return action
        assert self.account is not None
        price = float(config.entry_price or mark)
        amount = self.account.size(self.sizing, float(config.amount), price, mark, now)
        if amount == float(config.amount):
            return action
        resized = config.model_copy(update={"amount": Decimal(repr(amount))})
        return CreateExecutorAction(controller_id=action.controller_id, executor_config=resized)

    def _record_transitions(self, seen: int, equity: float) -> None:
        assert self.gate is not None
        drawdown = float(self.gate.guard.drawdown_quote())
        capital = float(self.gate.capital(self.controller))
        for record in self.recorder.transitions[seen:]:
            self.risk_events.append(
                RiskEvent(
                    record.ts,
                    record.scope,
                    record.from_state,
                    record.to_state,
                    record.reason_code,
                    record.reason_text,
                    equity,
                    drawdown,
                    drawdown / capital * 100.0,
                )
            )

    def _create(
        self, action: CreateExecutorAction, bars: pd.DataFrame, trade_cost: float, now: float
    ) -> None:
        """Simulate the executor; keep it only if the account can fund it (position executors)."""
        assert self.account is not None
        config = action.executor_config
        simulation = self.simulate_executor(config, bars, trade_cost)
        if (
            simulation is None
            or simulation.close_type == CloseType.FAILED
            or simulation.executor_simulation.empty
        ):
            return
        if isinstance(config, PositionExecutorConfig):
            fill_ts = simulation.fill_timestamp
            frame = simulation.executor_simulation
            filled = fill_ts is not None
            price = float(
                frame.loc[fill_ts, "current_position_average_price"] if filled else config.entry_price
            )
            if self.account.check(str(config.id), float(config.amount), price, now) is not None:
                return
            side = 1 if config.side == TradeType.BUY else -1
            self.account.open(str(config.id), side, float(config.amount), price, fill_ts)
        self.manage_active_executors(simulation)

    def _record_terminated_executor(self, executor_info: ExecutorInfo) -> None:
        """Upstream's bookkeeping, then release the position's funds at its real exit price."""
        super()._record_terminated_executor(executor_info)
        if self.account is None or executor_info.close_type == CloseType.POSITION_HOLD:
            return
        filled = float(executor_info.filled_amount_quote) > 0
        exit_price = executor_info.custom_info.get("exit_price") if filled else None
        self.account.close(str(executor_info.id), float(exit_price) if exit_price is not None else None)
