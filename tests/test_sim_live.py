"""Paper-trading seam: the simulated exchange fed through Hummingbot OrderBooks, tested offline by
replaying the raw Binance websocket capture through the same book-update interface."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hummingbot.client.config.client_config_map import ClientConfigMap
from hummingbot.client.config.config_helpers import ClientConfigAdapter
from hummingbot.core.connector_manager import ConnectorManager
from hummingbot.core.data_type.common import OrderType, PriceType
from hummingbot.core.event.events import OrderFilledEvent

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.risk.paper_guard import is_simulated_connector
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.ws_capture import CaptureKind, iter_capture
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.session import SimSession
from hummingbot_plugin.simulation.paper.book_feed import CaptureBooks, OrderBookFeed, install_paper_connectors

D = Decimal
PAIR = "BTC-USDT"
CAPTURE = "binance_BTC-USDT_spot_ws_raw_20240808T2354Z_20240809T0005Z.txt.gz"


def _paper_run(
    capture: Path, tmp_path: Path, seconds: int
) -> tuple[SimulatedExchange, CaptureBooks, list[Any]]:
    books = CaptureBooks(capture, PAIR)
    exchange = SimulatedExchange(
        SimExchangeConfig(
            connector_name="binance_sim", trading_pairs=(PAIR,), balances={"USDT": D(10000), "BTC": D(0)}
        )
    )
    exchange.attach_feed(OrderBookFeed(lambda: books.books))
    first = next(iter_capture(capture)).received_at
    session = SimSession([exchange], start_ts=float(int(first)) + 2, db_path=tmp_path / "paper.sqlite")
    checks: list[Any] = []

    async def scenario() -> None:
        books.advance_to(session.loop.time())
        await session.start()
        placed = False
        for _ in range(seconds):
            books.advance_to(session.loop.time() + 1)
            await session.advance(1)
            if exchange.ready and not placed:
                bid = exchange.get_price_by_type(PAIR, PriceType.BestBid)
                exchange.buy(PAIR, D("0.01"), OrderType.LIMIT, bid)
                placed = True
            if exchange.ready:
                checks.append(
                    (exchange.get_price_by_type(PAIR, PriceType.BestBid), D(str(books.book.get_price(False))))
                )

    session.run(scenario())
    return exchange, books, checks


def test_capture_fed_paper_exchange_tracks_the_book_and_fills_on_trades(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    exchange, books, checks = _paper_run(shared_data_dir / CAPTURE, tmp_path, seconds=240)
    assert books.sequence_breaks == 0
    assert checks and all(sim == real for sim, real in checks)  # the sim's top of book IS the feed's
    fills = [e for e in exchange.journal.events if isinstance(e, OrderFilledEvent)]
    assert fills, "BTC fell ~200 USDT in these minutes: a resting bid at the touch must fill"
    order_price = exchange.journal.events[0].price
    assert all(f.price == order_price for f in fills)
    assert sum(f.amount for f in fills) == D("0.01")
    assert set(exchange.ledger.reconcile().values()) == {D(0)}
    again, _, _ = _paper_run(shared_data_dir / CAPTURE, tmp_path / "again", seconds=240)
    assert [(e.timestamp, e.price, e.amount) for e in again.ledger.entries] == [
        (e.timestamp, e.price, e.amount) for e in exchange.ledger.entries
    ]


def test_a_feed_that_stops_mid_session_leaves_the_book_ageing(shared_data_dir: Path, tmp_path: Path) -> None:
    """Once the source book stops changing, the simulated book keeps its last timestamp (so the stale-book
    rule and the feed monitor see the outage) instead of being re-stamped as fresh every tick."""
    books = CaptureBooks(shared_data_dir / CAPTURE, PAIR)
    exchange = SimulatedExchange(
        SimExchangeConfig(connector_name="binance_sim", trading_pairs=(PAIR,), balances={"USDT": D(1000)})
    )
    exchange.attach_feed(OrderBookFeed(lambda: books.books))
    first = next(iter_capture(shared_data_dir / CAPTURE)).received_at
    session = SimSession([exchange], start_ts=float(int(first)) + 2, db_path=tmp_path / "paper.sqlite")
    stamps: list[tuple[float, float | None]] = []

    async def scenario() -> None:
        books.advance_to(session.loop.time())
        await session.start()
        for second in range(60):
            if second < 30:  # the feed runs for 30 s, then nothing more arrives
                books.advance_to(session.loop.time() + 1)
            await session.advance(1)
            stamps.append((session.loop.time(), exchange.book_timestamp(PAIR)))

    session.run(scenario())
    live, dead = stamps[25], stamps[-1]
    assert live[1] is not None and live[0] - live[1] <= 2.0
    assert dead[1] is not None and dead[1] <= stamps[30][0] and dead[0] - dead[1] >= 28.0


def test_capture_parser_reads_every_stream(shared_data_dir: Path) -> None:
    kinds: dict[CaptureKind, int] = {}
    for i, message in enumerate(iter_capture(shared_data_dir / CAPTURE)):
        kinds[message.kind] = kinds.get(message.kind, 0) + 1
        if i > 3000:
            break
    assert kinds[CaptureKind.SNAPSHOT] == 1 and kinds[CaptureKind.DIFF] > 10 and kinds[CaptureKind.TRADE] > 10


def test_short_capture_run_mirrors_the_book(shared_data_dir: Path, tmp_path: Path) -> None:
    _, books, checks = _paper_run(shared_data_dir / CAPTURE, tmp_path, seconds=15)
    assert books.sequence_breaks == 0 and len(checks) >= 10
    assert all(sim == real for sim, real in checks)


def test_install_paper_connectors_builds_sim_venues_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from hummingbot.client.settings import AllConnectorSettings

    # registration is process-wide in Hummingbot; keep it to this test
    monkeypatch.setattr(
        AllConnectorSettings, "all_connector_settings", dict(AllConnectorSettings.get_connector_settings())
    )
    manager = ConnectorManager(ClientConfigAdapter(ClientConfigMap()))
    install_paper_connectors(
        manager, {"binance_sim": {"source": "binance", "balances": {"USDT": 1000}, "taker_fee": "0.001"}}
    )
    connector = manager.create_connector("binance_sim", [PAIR], True)
    assert is_simulated_connector(connector) and connector.name == "binance_sim"
    assert manager.connectors["binance_sim"] is connector
    assert connector.get_balance("USDT") == D(1000)
    assert AllConnectorSettings.get_connector_settings()["binance_sim"].base_name() == "binance"
    with pytest.raises(ConfigError, match="unknown source exchange"):
        install_paper_connectors(manager, {"x_sim": {"source": "nowhere"}})
