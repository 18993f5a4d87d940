"""Account side of the simulated exchange: funds checks, locks on open orders, balances mirrored into
ConnectorBase's dicts, and the event journal. Mixed into :class:`~exchange.SimulatedExchange`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hummingbot.core.event.event_listener import EventListener

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.ledger import Ledger
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import OrderKind, Side, SimOrder

__all__ = ["EventJournal", "SimAccountMixin"]


class EventJournal(EventListener):
    """Keeps every event the connector emits, in emission order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.events.append(event)


_NAN = Decimal("NaN")


class SimAccountMixin:
    """Balance bookkeeping shared by the simulated venue (expects the attributes annotated below)."""

    ledger: Ledger
    _sim_config: SimExchangeConfig
    _engines: dict[str, MatchingEngine]
    _account_balances: dict[str, Decimal]
    _account_available_balances: dict[str, Decimal]
    # provided by ExchangePyBase / TimeIterator (annotations only: nothing is shadowed at runtime)
    name: str
    current_timestamp: float

    def _check_funds(
        self, trading_pair: str, side: Side, kind: OrderKind, amount: Decimal, price: Decimal
    ) -> None:
        base, quote = trading_pair.split("-", 1)
        if side is Side.SELL:
            asset, need = base, amount
        else:
            ref = price if kind is not OrderKind.MARKET else self._reference_ask(trading_pair)
            asset, need = (
                quote,
                amount * ref * (1 + max(self._sim_config.taker_fee, self._sim_config.maker_fee)),
            )
        if self.ledger.available(asset) < need:
            raise SimulationError(
                f"insufficient {asset} balance on {self.name}: order needs {need}, "
                f"available {self.ledger.available(asset)}",
                fix="lower the order amount or raise the balance",
            )

    def _reference_ask(self, trading_pair: str) -> Decimal:
        book = self._engines[trading_pair].book
        if book is None or book.best_ask is None:
            raise SimulationError(f"no ask price for {trading_pair} yet", fix="feed a book before trading")
        return book.best_ask

    def _lock(self, trading_pair: str, order: SimOrder) -> None:
        base, quote = trading_pair.split("-", 1)
        if order.side is Side.SELL:
            self.ledger.lock(order.order_id, base, order.remaining)
        else:
            assert order.price is not None
            self.ledger.lock(
                order.order_id, quote, order.remaining * order.price * (1 + self._sim_config.maker_fee)
            )
        self._sync_balances()

    def _sync_balances(self) -> None:
        totals = self.ledger.totals()
        self._account_balances = dict(totals)
        self._account_available_balances = {a: self.ledger.available(a) for a in totals}

    def _now(self, trading_pair: str) -> float:
        engine_now = self._engines[trading_pair].now
        ts = self.current_timestamp
        return max(engine_now, ts) if ts == ts else engine_now
