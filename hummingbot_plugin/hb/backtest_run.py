"""Run one controller config offline through Hummingbot's engine and reduce its executors.

Returns plain numbers (``ExecutorRecord`` and the simulated bars) for the pure metrics.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo

from hummingbot_plugin.backtest.metrics import ExecutorRecord
from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.hb.backtest_engine import OfflineBacktestingEngine
from hummingbot_plugin.hb.offline_provider import OfflineDataProvider

__all__ = ["EngineRun", "executor_record", "run_offline"]


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


def executor_record(info: ExecutorInfo, close_by_ts: dict[float, float]) -> ExecutorRecord:
    """Reduce one ExecutorInfo; the entry price is the close of its fill bar (the simulator's fill)."""
    filled = float(info.filled_amount_quote) > 0
    entry_ts = info.custom_info.get("open_order_last_update") if filled else None
    amount = getattr(info.config, "amount", None)
    is_position = info.type == "position_executor" and amount is not None
    entry_price = close_by_ts.get(float(entry_ts)) if (entry_ts is not None and is_position) else None
    side = getattr(info.config, "side", None) or info.side
    terminated = info.status == RunnableStatus.TERMINATED
    return ExecutorRecord(
        executor_id=str(info.id),
        side=-1 if side is not None and side.name == "SELL" else 1,
        created_ts=float(info.timestamp),
        entry_ts=float(entry_ts) if entry_ts is not None else None,
        close_ts=float(info.close_timestamp) if terminated and info.close_timestamp is not None else None,
        amount_base=float(amount) if (amount is not None and filled) else 0.0,
        entry_price=entry_price,
        net_pnl_quote=float(info.net_pnl_quote),
        fees_quote=float(info.cum_fees_quote),
        close_type=info.close_type.name if info.close_type is not None else None,
    )


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
) -> EngineRun:
    """Backtest ``config`` on ``candles`` (the whole file: history before ``start`` is warm-up)."""
    provider = OfflineDataProvider(candles, interval, source=source, rules_path=rules_path)
    engine = OfflineBacktestingEngine(provider)
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
    return EngineRun(
        timestamps=timestamps,
        closes=closes,
        records=[executor_record(info, close_by_ts) for info in executors],
        executors=executors,
        features=bars,
        hummingbot_summary=dict(result["results"]),
        provider=provider,
    )
