"""Paper trading produces the same record as backtest and replay: the simulated venue's fills on the one
ledger, marked at sampled mids, written as JSON and an HTML report of kind "paper" (real capture feed)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hummingbot.core.data_type.common import OrderType, PriceType

from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.ws_capture import iter_capture
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.session import SimSession
from hummingbot_plugin.simulation.paper.book_feed import CaptureBooks, OrderBookFeed
from hummingbot_plugin.simulation.paper.ledger import PaperLedger

D = Decimal
PAIR = "BTC-USDT"
CAPTURE = "binance_BTC-USDT_spot_ws_raw_20240808T2354Z_20240809T0005Z.txt.gz"


def test_paper_fills_book_on_the_one_ledger_and_report(shared_data_dir: Path, tmp_path: Path) -> None:
    capture = shared_data_dir / CAPTURE
    books = CaptureBooks(capture, PAIR)
    exchange = SimulatedExchange(
        SimExchangeConfig(
            connector_name="binance",
            trading_pairs=(PAIR,),
            balances={"USDT": D(10000), "BTC": D(0)},
            taker_fee=D("0.001"),
        )
    )
    exchange.attach_feed(OrderBookFeed(lambda: books.books))
    paper = PaperLedger({"binance": exchange}, every_s=10.0)
    first = next(iter_capture(capture)).received_at
    session = SimSession([exchange], start_ts=float(int(first)) + 2, db_path=tmp_path / "paper.sqlite")

    async def scenario() -> None:
        books.advance_to(session.loop.time())
        await session.start()
        bought = False
        for second in range(180):
            books.advance_to(session.loop.time() + 1)
            await session.advance(1)
            if exchange.ready:
                paper.sample(session.loop.time())
                if not bought:
                    exchange.buy(PAIR, D("0.05"), OrderType.MARKET, D("NaN"))
                    bought = True
                elif second == 120:
                    exchange.sell(PAIR, D("0.05"), OrderType.MARKET, D("NaN"))

    session.run(scenario())
    assert len(exchange.ledger.entries) >= 2
    path = paper.write(tmp_path / "out", "paper_btc", executors=[])
    assert path is not None
    payload = json.loads(path.read_text())
    assert payload["kind"] == "paper" and payload["metrics_scope"].startswith("account")
    # the ledger's end balances are the simulated venue's own balances
    ends = payload["ledger"]["end_balances"]
    for asset, total in exchange.ledger.totals().items():
        assert ends[f"binance {asset}"] == pytest.approx(float(total), abs=1e-9)
    fees = sum(float(e.fee_quote) for e in exchange.ledger.entries)
    assert payload["fees_quote"] == pytest.approx(fees) and payload["trades"] == 1
    mid = float(exchange.get_price_by_type(PAIR, PriceType.MidPrice))
    assert payload["ledger"]["equity_curve"][-1]["equity"] == pytest.approx(
        float(exchange.ledger.total("USDT")) + float(exchange.ledger.total("BTC")) * mid, rel=1e-3
    )
    page = (tmp_path / "out" / "paper_btc.html").read_text()
    assert "<title>Paper report" in page
