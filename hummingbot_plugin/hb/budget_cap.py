"""Spot budget cap: a position executor that asks for more than the free quote balance can pay is resized
to what it can pay, fee included, before the risk gate reviews it — the same rule as the backtest's funded
account (:class:`simulation.backtest.budget.SpotAccount`): backtest, replay, paper and live size
alike.

Without it, a controller that commits its whole ``total_amount_quote`` fails every order once the account
is below that amount (Hummingbot's budget checker: "Not enough budget to open position").
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.executors.position_executor.data_types import PositionExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction

__all__ = ["FEE_MARGIN", "cap_to_balance"]

FEE_MARGIN = Decimal("0.002")  # covers the entry fee of any spot tier up to 0.2 %


def cap_to_balance(
    action: CreateExecutorAction, connectors: dict[str, Any], price: Decimal | None
) -> CreateExecutorAction:
    """The action, with a BUY position's amount capped at free quote / (price × (1 + fee margin))."""
    config = action.executor_config
    if not isinstance(config, PositionExecutorConfig) or config.side != TradeType.BUY:
        return action
    connector = connectors.get(config.connector_name)
    ref = config.entry_price or price
    if connector is None or ref is None or ref <= 0:
        return action
    quote = config.trading_pair.split("-", 1)[1]
    free = Decimal(str(connector.get_available_balance(quote)))
    affordable = (max(free, Decimal(0)) / (ref * (1 + FEE_MARGIN))).quantize(Decimal("1e-12"), ROUND_DOWN)
    if config.amount <= affordable:
        return action
    resized = config.model_copy(update={"amount": affordable})
    return CreateExecutorAction(controller_id=action.controller_id, executor_config=resized)
