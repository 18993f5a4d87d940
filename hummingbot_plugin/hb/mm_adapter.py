"""Adapters between Hummingbot's executor/position objects and the pure market-making logic."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo

from hummingbot_plugin.mm.levels import LevelView
from hummingbot_plugin.mm.risk import QuoteRiskDecision, from_guard_state
from hummingbot_plugin.mm.xemm_logic import level_of_executor

__all__ = ["gate_decision", "hedge_failure_times", "level_views", "net_base_position", "xemm_level_views"]


def _level_id(info: ExecutorInfo) -> str | None:
    level_id = info.custom_info.get("level_id") or getattr(info.config, "level_id", None)
    return str(level_id) if level_id else None


def _price(info: ExecutorInfo) -> float | None:
    price = getattr(info.config, "price", None)
    return float(price) if price is not None else None


def _view(info: ExecutorInfo, level_id: str, trading: bool | None = None) -> LevelView:
    return LevelView(
        executor_id=info.id,
        level_id=level_id,
        created_at=float(info.timestamp),
        is_active=bool(info.is_active),
        is_trading=bool(info.is_trading) if trading is None else trading,
        filled=info.filled_amount_quote > 0 or info.close_type == CloseType.COMPLETED,
        closed_at=float(info.close_timestamp) if info.close_timestamp is not None else None,
        price=_price(info),
    )


def level_views(executors: Iterable[ExecutorInfo]) -> list[LevelView]:
    """Order executors that belong to a quoting level (``buy_<n>``/``sell_<n>``) as :class:`LevelView`.

    An OrderExecutor reports ``is_trading`` False whatever it filled (its PnL is always 0), so a level is
    "trading" here once its active order has a fill: it is then left to finish, never refreshed (a stop
    sent on a stale report after the order completed would turn the closed executor back to
    SHUTTING_DOWN and its position would never be held).
    """
    return [
        _view(info, lid, bool(info.is_active) and info.filled_amount_quote > 0)
        for info in executors
        if (lid := _level_id(info)) is not None and lid.startswith(("buy_", "sell_"))
    ]


def net_base_position(positions: Iterable[object], connector_name: str, trading_pair: str) -> Decimal:
    """Signed base amount held by the controller on one market (long positive)."""
    total = Decimal("0")
    for pos in positions:
        if getattr(pos, "connector_name", None) != connector_name:
            continue
        if getattr(pos, "trading_pair", None) != trading_pair:
            continue
        amount = Decimal(getattr(pos, "amount", Decimal("0")))
        total += amount if getattr(pos, "side", None) == TradeType.BUY else -amount
    return total


def xemm_level_views(executors: Iterable[ExecutorInfo]) -> list[LevelView]:
    """XEMM executors as level views (the level is encoded in the executor id)."""
    return [_view(info, lid) for info in executors if (lid := level_of_executor(info.id)) is not None]


def hedge_failure_times(executors: Iterable[ExecutorInfo]) -> list[float]:
    """Close times of XEMM executors that FAILED (the hedge could not be completed)."""
    return [
        float(info.close_timestamp or info.timestamp)
        for info in executors
        if level_of_executor(info.id) is not None and info.close_type == CloseType.FAILED
    ]


def gate_decision(controller: object) -> QuoteRiskDecision:
    """The team risk gate's state as a quote decision, once the gate exists (live runs create it in
    ``control_task``; an offline backtest never does, so it is not created here as a side effect)."""
    gate = getattr(controller, "_risk_gate", None)
    if gate is None:
        return QuoteRiskDecision()
    status = gate.guard.status
    return from_guard_state(str(gate.guard.state.value), str(getattr(status, "reason", "") or ""))
