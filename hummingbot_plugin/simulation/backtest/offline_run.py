"""Run one controller config offline through Hummingbot's engine and reduce its executors.

Returns plain values for the pure layers: ledger :class:`Fill` records (every figure comes from
them), the risk gate's transitions, the budget's refusals and ruin, and the legacy
``ExecutorRecord`` list (kept until the runner books the fills).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hummingbot.core.data_type.common import OrderType, TradeType
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.ledger import Fill, Market
from hummingbot_plugin.simulation.backtest.budget import Refusal, Sizing
from hummingbot_plugin.simulation.backtest.engine import OfflineBacktestingEngine, RiskEvent
from hummingbot_plugin.simulation.backtest.executors import ExecutorRecord
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider

__all__ = ["EngineRun", "executor_fills", "executor_record", "run_offline"]


@dataclass(frozen=True)
class EngineRun:
    """What one engine run produced, reduced to plain values."""

    timestamps: np.ndarray[Any, np.dtype[np.float64]]
    closes: np.ndarray[Any, np.dtype[np.float64]]
    records: list[ExecutorRecord]
    executors: list[ExecutorInfo]
    features: pd.DataFrame  # the engine's processed frame: one row per simulated bar
    hummingbot_summary: dict[str, Any]
    provider: OfflineDataProvider
    market: Market
    capital: float
    fills: list[Fill] = field(default_factory=list)
    risk_transitions: list[RiskEvent] = field(default_factory=list)
    risk_denials: dict[str, int] = field(default_factory=dict)  # gate denials by reason code
    budget_refusals: list[Refusal] = field(default_factory=list)
    ruined_at: float | None = None  # bar at which the account could no longer fund any order
    sizing: str = "fixed"

    @property
    def refusal_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for refusal in self.budget_refusals:
            counts[refusal.reason] = counts.get(refusal.reason, 0) + 1
        return counts

    @property
    def start_balances(self) -> dict[str, dict[str, float]]:
        """The funded account for :func:`hummingbot_plugin.ledger.build_ledger`."""
        return {self.market.venue: {self.market.quote: self.capital}}


def executor_record(info: ExecutorInfo, close_by_ts: dict[float, float]) -> ExecutorRecord:
    """Reduce one ExecutorInfo; the entry price is the simulator's fill price (close of the fill bar)."""
    filled = float(info.filled_amount_quote) > 0
    entry_ts = info.custom_info.get("open_order_last_update") if filled else None
    amount = getattr(info.config, "amount", None)
    is_position = info.type == "position_executor" and amount is not None
    entry_price = None
    if entry_ts is not None and is_position:
        entry_price = info.custom_info.get("current_position_average_price") or close_by_ts.get(
            float(entry_ts)
        )
    side = getattr(info.config, "side", None) or info.side
    terminated = info.status == RunnableStatus.TERMINATED
    return ExecutorRecord(
        executor_id=str(info.id),
        side=-1 if side is not None and side.name == "SELL" else 1,
        created_ts=float(info.timestamp),
        entry_ts=float(entry_ts) if entry_ts is not None else None,
        close_ts=float(info.close_timestamp) if terminated and info.close_timestamp is not None else None,
        amount_base=float(amount) if (amount is not None and filled) else 0.0,
        entry_price=float(entry_price) if entry_price is not None else None,
        net_pnl_quote=float(info.net_pnl_quote),
        fees_quote=float(info.cum_fees_quote),
        close_type=info.close_type.name if info.close_type is not None else None,
    )


def _exit_order_type(info: ExecutorInfo) -> OrderType:
    barriers = getattr(info.config, "triple_barrier_config", None)
    by_close = {
        CloseType.TAKE_PROFIT: "take_profit_order_type",
        CloseType.STOP_LOSS: "stop_loss_order_type",
        CloseType.TIME_LIMIT: "time_limit_order_type",
    }
    name = by_close.get(info.close_type) if info.close_type is not None else None
    return getattr(barriers, name) if (barriers is not None and name) else OrderType.MARKET


def _entry_order_type(info: ExecutorInfo) -> OrderType:
    barriers = getattr(info.config, "triple_barrier_config", None)
    if barriers is not None:
        return OrderType(barriers.open_order_type)
    strategy = getattr(info.config, "execution_strategy", None)
    return OrderType.MARKET if strategy is None or strategy.name == "MARKET" else OrderType.LIMIT


def executor_fills(info: ExecutorInfo, market: Market, fee: float) -> list[Fill]:
    """The entry fill (fill bar, fill price) and, once closed, the exit fill (close bar, exit price).

    Fees are ``fee × that fill's notional``; maker when the order type is a limit type. A position
    kept open (POSITION_HOLD, e.g. a filled order executor) has no exit fill: the ledger keeps it.
    """
    amount = getattr(info.config, "amount", None)
    side = getattr(info.config, "side", None)
    if float(info.filled_amount_quote) <= 0 or amount is None or side is None:
        return []
    sign, size, eid = (1 if side == TradeType.BUY else -1), float(amount), str(info.id)
    entry_ts = float(info.custom_info["open_order_last_update"])
    entry = float(info.custom_info["current_position_average_price"])
    fills = [
        Fill(
            entry_ts,
            market,
            sign,
            entry,
            size,
            fee * size * entry,
            _entry_order_type(info).is_limit_type(),
            f"{eid}:entry",
            eid,
        )
    ]
    closed = info.status == RunnableStatus.TERMINATED and info.close_timestamp is not None
    if closed and info.close_type != CloseType.POSITION_HOLD:
        if "exit_price" not in info.custom_info:
            raise SimulationError(
                f"executor {eid} ({info.type}) closed without an exit price", fix="report this executor type"
            )
        price = float(info.custom_info["exit_price"])
        fills.append(
            Fill(
                float(info.close_timestamp),
                market,
                -sign,
                price,
                size,
                fee * size * price,
                _exit_order_type(info).is_limit_type(),
                f"{eid}:exit",
                eid,
            )
        )
    return fills


def run_offline(
    config: ControllerConfigBase,
    candles: pd.DataFrame,
    interval: str,
    *,
    start: int,
    end: int,
    resolution: str,
    fee: float,
    source: str,
    rules_path: Path | None = None,
    sizing: str | Sizing = "fixed",
    risk_gate: bool = True,
    show_progress: bool | None = None,
    capital: float | None = None,
) -> EngineRun:
    """Backtest ``config`` on ``candles`` (the whole file: history before ``start`` is warm-up).

    ``sizing``: ``fixed``, ``compound`` or ``fraction:<f>`` (see :mod:`simulation.backtest.budget`).
    ``risk_gate``: route actions through the controller's risk gate, as in replay (default).
    ``capital``: the account's starting quote balance (default: the controller's ``total_amount_quote``).
    """
    plan = sizing if isinstance(sizing, Sizing) else Sizing.parse(sizing)
    provider = OfflineDataProvider(candles, interval, source=source, rules_path=rules_path)
    engine = OfflineBacktestingEngine(
        provider, sizing=plan, risk_gate=risk_gate, show_progress=show_progress, account_capital=capital
    )
    result = asyncio.run(engine.run_backtesting(config, start, end, resolution, trade_cost=fee))
    bars = result["processed_data"].get("features")
    if not isinstance(bars, pd.DataFrame) or bars.empty:
        raise SimulationError(
            "the engine simulated no bar", fix="check --start/--end against the candle file"
        )
    timestamps = bars["timestamp"].to_numpy(dtype="float64")
    closes = bars["close"].to_numpy(dtype="float64")
    close_by_ts = dict(zip(timestamps.tolist(), closes.tolist(), strict=True))
    executors: list[ExecutorInfo] = list(result["executors"])
    market = Market(str(config.connector_name), str(config.trading_pair))  # type: ignore[attr-defined]
    account = engine.account
    assert account is not None
    return EngineRun(
        timestamps=timestamps,
        closes=closes,
        records=[executor_record(info, close_by_ts) for info in executors],
        executors=executors,
        features=bars,
        hummingbot_summary=dict(result["results"]),
        provider=provider,
        market=market,
        capital=account.capital,
        fills=[f for info in executors for f in executor_fills(info, market, fee)],
        risk_transitions=list(engine.risk_events),
        risk_denials=dict(engine.recorder.denials),
        budget_refusals=list(account.refusals),
        ruined_at=account.ruined_at,
        sizing=plan.label,
    )
