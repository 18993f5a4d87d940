"""Build the risk layer's pure snapshot and requests from Hummingbot objects.

PnL of a controller scope: the ledger's, from the fills of its executors' orders valued at the current
mid (:mod:`hummingbot_plugin.hb.scope_fills`); executors that name no order (XEMM) add their own
``net_pnl_quote``. So equity = capital + that PnL, and a drawdown the gate acts on can be recomputed
from the fills.

Book freshness: a connector may expose ``book_timestamp(trading_pair) -> float | None`` (trading-clock
time of its last book update; the simulated exchange does). Otherwise :class:`BookClock` records, by
the trading clock, when the book's signature (update ids, best bid/ask, last trade) last changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from hummingbot.core.data_type.common import PriceType, TradeType
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.hb.scope_fills import ScopeFills, executor_order_ids
from hummingbot_plugin.risk import ClosedExecutor, ExecutorRequest, PairSnapshot, PortfolioSnapshot, Side

__all__ = [
    "BookClock",
    "build_snapshot",
    "is_running",
    "market_of",
    "markets_of",
    "pair_keys",
    "request_from_action",
]

_ZERO = Decimal(0)


class BookClock:
    """What a gate has seen on the trading clock: when each order book last changed, and (``fills``)
    each controller's orders and their fills."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[tuple[Any, ...], float]] = {}
        self.fills = ScopeFills()

    def scope_pnl(self, controller: Any, now: float) -> Decimal | None:
        """The scope's PnL when the runtime books it (a backtest's funded account); None: from fills."""
        return None

    def updated_at(
        self, market_data_provider: Any, connector_name: str, trading_pair: str, now: float
    ) -> float | None:
        connector = market_data_provider.connectors.get(connector_name)
        if connector is None:
            return None
        if hasattr(connector, "book_timestamp"):
            value = connector.book_timestamp(trading_pair)
            return float(value) if value is not None else None
        try:
            book = connector.get_order_book(trading_pair)
            signature = (
                book.snapshot_uid,
                book.last_diff_uid,
                book.get_price(True),
                book.get_price(False),
                book.last_trade_price,
            )
        except (KeyError, ValueError, AttributeError):
            return None
        key = (connector_name, trading_pair)
        previous = self._seen.get(key)
        if previous is None or previous[0] != signature:
            self._seen[key] = (signature, now)
            return now
        return previous[1]


def _price(market_data_provider: Any, connector: str, pair: str, price_type: PriceType) -> Decimal | None:
    try:
        value = Decimal(str(market_data_provider.get_price_by_type(connector, pair, price_type)))
    except (KeyError, ValueError, AttributeError, ArithmeticError):
        return None
    return value if value.is_finite() and value > 0 else None


def _side(trade_type: Any) -> Side | None:
    if trade_type == TradeType.BUY:
        return Side.BUY
    if trade_type == TradeType.SELL:
        return Side.SELL
    return None


def _executor_price(config: Any) -> Decimal | None:
    for name in ("entry_price", "price"):
        value = getattr(config, name, None)
        if value is not None and Decimal(value).is_finite() and value > 0:
            return Decimal(value)
    return None


def market_of(config: Any) -> tuple[str, str] | None:
    """The (connector, pair) an executor config rests orders on; for XEMM, the maker market."""
    if getattr(config, "type", "") == "xemm_executor":
        maker = config.buying_market if config.maker_side == TradeType.BUY else config.selling_market
        return (maker.connector_name, maker.trading_pair)
    connector, pair = getattr(config, "connector_name", None), getattr(config, "trading_pair", None)
    return (str(connector), str(pair)) if connector and pair else None


def markets_of(config: Any) -> list[tuple[str, str]]:
    """Every (connector, pair) an executor config can trade on: both venues of an XEMM executor."""
    if getattr(config, "type", "") == "xemm_executor":
        legs = (config.buying_market, config.selling_market)
        return [(str(leg.connector_name), str(leg.trading_pair)) for leg in legs]
    market = market_of(config)
    return [market] if market else []


def _side_and_amount(config: Any) -> tuple[Side | None, Any]:
    if getattr(config, "type", "") == "xemm_executor":
        return _side(config.maker_side), config.order_amount
    return _side(getattr(config, "side", None)), getattr(config, "amount", None)


def request_from_action(action: CreateExecutorAction, mid_price: Decimal | None) -> ExecutorRequest | None:
    """The guard's view of a create action; None when the executor type cannot be assessed (deny it).

    Position/order/DCA-like configs: their side, amount and price. XEMM: the maker leg (the resting
    order; the taker hedge reduces exposure once it fills). Other types (grid, arbitrage, ...) -> None.
    """
    config = action.executor_config
    side, amount = _side_and_amount(config)
    market = market_of(config)
    connector, pair = market if market else (None, None)
    price = _executor_price(config) or mid_price
    if side is None or amount is None or not connector or not pair or price is None:
        return None
    return ExecutorRequest(
        controller_id=action.controller_id or "",
        connector_name=connector,
        trading_pair=pair,
        side=side,
        amount_base=Decimal(amount),
        price=price,
        leverage=int(getattr(config, "leverage", 1) or 1),
        executor_id=str(getattr(config, "id", "") or ""),
    )


def pair_keys(
    config: Any, executors: Iterable[ExecutorInfo], positions: Iterable[Any]
) -> list[tuple[str, str]]:
    """Markets the snapshot covers: the controller's own, every executor's (both XEMM venues), positions'.

    Reads executor *configs*: ``ExecutorInfo.connector_name`` raises for XEMM configs (no such field).
    """
    keys: list[tuple[str, str]] = []
    own = (getattr(config, "connector_name", None), getattr(config, "trading_pair", None))
    candidates = [
        own,
        *(market for e in executors for market in markets_of(e.config)),
        *((p.connector_name, p.trading_pair) for p in positions),
    ]
    for key in candidates:
        if key[0] and key[1] and key not in keys:
            keys.append((str(key[0]), str(key[1])))
    return keys


def _exposure(
    executors: Sequence[ExecutorInfo], positions: Sequence[Any], key: tuple[str, str], mid: Decimal | None
) -> tuple[Decimal, Decimal, Decimal]:
    net, pending_buy, pending_sell = _ZERO, _ZERO, _ZERO
    for position in positions:
        if (position.connector_name, position.trading_pair) == key:
            notional = Decimal(position.amount) * Decimal(position.breakeven_price)
            net += notional if position.side == TradeType.BUY else -notional
    for executor in executors:
        side, amount = _side_and_amount(executor.config)
        if not executor.is_active or market_of(executor.config) != key or side is None or amount is None:
            continue
        price = _executor_price(executor.config) or mid or _ZERO
        total = Decimal(amount) * price
        filled = Decimal(executor.filled_amount_quote)
        pending = max(total - filled, _ZERO)
        net += filled if side is Side.BUY else -filled
        pending_buy += pending if side is Side.BUY else _ZERO
        pending_sell += pending if side is Side.SELL else _ZERO
    return net, pending_buy, pending_sell


def _candles_updated_at(controller: Any, connector: str, pair: str) -> float | None:
    newest: float | None = None
    for candles in getattr(controller, "get_candles_config", list)() or []:
        if (candles.connector, candles.trading_pair) != (connector, pair):
            continue
        df = controller.market_data_provider.get_candles_df(
            candles.connector, candles.trading_pair, candles.interval
        )
        if df is None or len(df) == 0:
            return None
        bar_close = float(df["timestamp"].iloc[-1]) + interval_seconds(candles.interval)
        newest = bar_close if newest is None else min(newest, bar_close)
    return newest


def _pnl(
    controller: Any,
    executors: Sequence[ExecutorInfo],
    books: BookClock,
    marks: dict[Any, Decimal | None],
    now: float,
) -> Decimal:
    """Fills of the controller's orders dated before ``now``, at the current mids; plus executors without
    order ids (their own PnL)."""
    booked = books.scope_pnl(controller, now)
    if booked is not None:
        return booked
    mdp = controller.market_data_provider
    scope = str(controller.config.id)
    book = books.fills.update(scope, executors, getattr(mdp, "connectors", {}) or {}, markets_of, now)
    for key in book.cash:
        if key not in marks:
            marks[key] = _price(mdp, key[0], key[1], PriceType.MidPrice)
    unattributed = sum((Decimal(e.net_pnl_quote) for e in executors if not executor_order_ids(e)), _ZERO)
    return book.pnl(marks) + unattributed


def build_snapshot(controller: Any, books: BookClock, capital: Decimal, now: float) -> PortfolioSnapshot:
    """Exposure, PnL, market data and executor lifecycle of one controller at ``now``."""
    executors: list[ExecutorInfo] = list(controller.executors_info or [])
    positions = list(getattr(controller, "positions_held", None) or [])
    mdp = controller.market_data_provider
    pairs = []
    marks: dict[Any, Decimal | None] = {}
    for connector, pair in pair_keys(controller.config, executors, positions):
        mid = _price(mdp, connector, pair, PriceType.MidPrice)
        marks[(connector, pair)] = mid
        net, buys, sells = _exposure(executors, positions, (connector, pair), mid)
        last = _price(mdp, connector, pair, PriceType.LastTrade)
        pairs.append(
            PairSnapshot(
                connector,
                pair,
                net,
                buys,
                sells,
                mid,
                last,
                books.updated_at(mdp, connector, pair, now),
                _candles_updated_at(controller, connector, pair),
            )
        )
    closed = tuple(
        ClosedExecutor(e.id, float(e.close_timestamp or now), e.close_type == CloseType.STOP_LOSS)
        for e in executors
        if not e.is_active and e.close_type is not None
    )
    open_ids = frozenset(e.id for e in executors if e.is_active)
    known = frozenset(e.id for e in executors)
    pnl = _pnl(controller, executors, books, marks, now)
    return PortfolioSnapshot(capital, pnl, tuple(pairs), open_ids, closed, known)


def is_running(executor: ExecutorInfo) -> bool:
    return executor.is_active and executor.status == RunnableStatus.RUNNING
