"""Pure matching engine: queue position, partial fills, crossing, limit-maker rejection, candle paths."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hummingbot_plugin.simulation.engine.candle_path import PathMode, intrabar_path, synthetic_book
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import (
    Bar,
    BookLevel,
    BookSnapshot,
    OrderKind,
    RejectReason,
    Side,
    SimOrder,
    TradePrint,
)

D = Decimal


def _book(bids: list[tuple[str, str]], asks: list[tuple[str, str]], ts: float = 0.0) -> BookSnapshot:
    return BookSnapshot(
        ts, tuple(BookLevel(D(p), D(q)) for p, q in bids), tuple(BookLevel(D(p), D(q)) for p, q in asks)
    )


def _order(
    oid: str = "o1",
    side: Side = Side.BUY,
    kind: OrderKind = OrderKind.LIMIT,
    amount: str = "1",
    price: str | None = "100",
) -> SimOrder:
    return SimOrder(oid, side, kind, D(amount), D(price) if price is not None else None, created_at=0.0)


def _engine(**book: list[tuple[str, str]]) -> MatchingEngine:
    engine = MatchingEngine()
    engine.on_book(_book(book.get("bids", [("100", "2")]), book.get("asks", [("101", "3")])))
    return engine


def _trade(price: str, amount: str, aggressor: Side = Side.SELL, ts: float = 1.0) -> TradePrint:
    return TradePrint(ts, D(price), D(amount), aggressor, "t")


def test_resting_order_waits_for_the_displayed_queue_then_fills_partially_then_fully() -> None:
    engine = _engine(bids=[("100", "2")])
    assert engine.submit(_order(amount="1"), 0.0).fills == []
    assert engine.get_order("o1").queue_ahead == D(2)
    assert engine.on_trade(_trade("100", "1.5")) == []  # eats the queue only
    assert engine.get_order("o1").queue_ahead == D("0.5")
    partial = engine.on_trade(_trade("100", "0.8"))  # 0.5 queue, then 0.3 for us
    assert [(f.amount, f.price, f.is_maker, f.order_done) for f in partial] == [
        (D("0.3"), D(100), True, False)
    ]
    final = engine.on_trade(_trade("99", "5"))  # traded THROUGH our price: the level is gone
    assert [(f.amount, f.order_done) for f in final] == [(D("0.7"), True)]
    assert engine.get_order("o1") is None


def test_trade_on_the_other_side_or_away_from_the_price_never_fills() -> None:
    engine = _engine(bids=[("100", "0")])
    engine.submit(_order(price="100"), 0.0)
    assert engine.on_trade(_trade("100", "5", aggressor=Side.BUY)) == []  # buyers lift asks, not our bid
    assert engine.on_trade(_trade("100.5", "5")) == []  # a sell above our bid does not reach it


def test_improving_the_best_price_means_no_queue() -> None:
    engine = _engine()
    engine.submit(_order(price="100.5"), 0.0)
    assert engine.get_order("o1").queue_ahead == 0
    assert engine.on_trade(_trade("100.5", "0.4"))[0].amount == D("0.4")


def test_book_updates_only_shrink_the_queue_estimate() -> None:
    engine = _engine(bids=[("100", "5")])
    engine.submit(_order(), 0.0)
    engine.on_book(_book([("100", "1")], [("101", "1")]))
    assert engine.get_order("o1").queue_ahead == D(1)
    engine.on_book(_book([("100", "9")], [("101", "1")]))
    assert engine.get_order("o1").queue_ahead == D(1)


def test_price_time_priority_between_our_orders() -> None:
    engine = _engine(bids=[("99", "0")])
    engine.submit(_order("first", price="99.5"), 0.0)
    engine.submit(_order("second", price="99.5"), 0.0)
    engine.submit(_order("better", price="99.8"), 0.0)
    fills = engine.on_trade(_trade("99.5", "1.5"))
    assert [(f.order_id, f.amount) for f in fills] == [("better", D(1)), ("first", D("0.5"))]


def test_crossing_limit_takes_levels_then_rests_the_remainder() -> None:
    engine = _engine(asks=[("101", "1"), ("102", "1"), ("103", "5")])
    result = engine.submit(_order(amount="3", price="102"), 0.0)
    assert [(f.price, f.amount, f.is_maker) for f in result.fills] == [
        (D(101), D(1), False),
        (D(102), D(1), False),
    ]
    resting = engine.get_order("o1")
    assert resting is not None and resting.remaining == D(1) and resting.queue_ahead == 0


def test_taker_consumption_is_not_double_spent_until_the_next_book() -> None:
    engine = _engine(asks=[("101", "1"), ("102", "1")])
    first = engine.submit(_order("a", kind=OrderKind.MARKET, amount="1", price=None), 0.0)
    second = engine.submit(_order("b", kind=OrderKind.MARKET, amount="1", price=None), 0.0)
    assert first.fills[0].price == D(101) and second.fills[0].price == D(102)
    engine.on_book(_book([("100", "1")], [("101", "1")]))
    third = engine.submit(_order("c", kind=OrderKind.MARKET, amount="1", price=None), 0.0)
    assert third.fills[0].price == D(101)


def test_market_order_beyond_displayed_depth_fills_rest_at_worst_level() -> None:
    engine = _engine(asks=[("101", "1"), ("102", "1")])
    fills = engine.submit(_order(kind=OrderKind.MARKET, amount="3", price=None), 0.0).fills
    assert [(f.price, f.amount) for f in fills] == [(D(101), D(1)), (D(102), D(1)), (D(102), D(1))]
    assert fills[-1].order_done


def test_market_order_without_a_book_is_rejected() -> None:
    result = MatchingEngine().submit(_order(kind=OrderKind.MARKET, price=None), 0.0)
    assert result.rejection is not None and result.rejection.reason is RejectReason.NO_LIQUIDITY


@pytest.mark.parametrize(
    ("side", "price", "crosses"),
    [
        (Side.BUY, "101", True),
        (Side.BUY, "101.5", True),
        (Side.BUY, "100.99", False),
        (Side.SELL, "100", True),
        (Side.SELL, "99", True),
        (Side.SELL, "100.01", False),
    ],
)
def test_limit_maker_that_would_cross_is_rejected(side: Side, price: str, crosses: bool) -> None:
    engine = _engine()
    result = engine.submit(_order(side=side, kind=OrderKind.LIMIT_MAKER, price=price), 0.0)
    if crosses:
        assert result.rejection is not None and result.rejection.reason is RejectReason.WOULD_CROSS
        assert "would cross" in result.rejection.message and engine.get_order("o1") is None
    else:
        assert result.rejection is None and result.fills == [] and engine.get_order("o1") is not None


@pytest.mark.parametrize(("amount", "price"), [("0", "100"), ("-1", "100"), ("1", "0")])
def test_invalid_orders_are_rejected(amount: str, price: str) -> None:
    result = _engine().submit(_order(amount=amount, price=price), 0.0)
    assert result.rejection is not None and result.rejection.reason is RejectReason.INVALID


def test_cancel_removes_only_resting_orders() -> None:
    engine = _engine()
    engine.submit(_order(), 0.0)
    assert engine.cancel("o1") is not None
    assert engine.cancel("o1") is None
    assert engine.on_trade(_trade("99", "10")) == []


def test_crossed_book_fills_only_when_enabled() -> None:
    for enabled, expected in ((False, []), (True, [D("0.5")])):
        engine = MatchingEngine(fill_on_book_cross=enabled)
        engine.on_book(_book([("100", "1")], [("101", "1")]))
        engine.submit(_order(price="100.5"), 0.0)
        fills = engine.on_book(_book([("99", "1")], [("100", "0.5")]))
        assert [f.amount for f in fills] == expected


def test_candle_path_fills_only_through_the_limit() -> None:
    engine = MatchingEngine()
    engine.on_book(synthetic_book(D(100), 0.0, half_spread_bps=D(1), depth=D(10)))
    engine.submit(_order("buy", price="95"), 0.0)
    engine.submit(_order("sell", side=Side.SELL, price="105"), 0.0)
    assert engine.on_price(D(95), 1.0) == []  # touching is not enough
    assert engine.on_price(D(105), 2.0) == []
    fills = engine.on_price(D("94.99"), 3.0)
    assert [(f.order_id, f.price, f.amount, f.is_maker) for f in fills] == [("buy", D(95), D(1), True)]


@pytest.mark.parametrize(
    ("o", "c", "mode", "expected"),
    [
        ("100", "110", PathMode.AUTO, ("100", "90", "120", "110")),
        ("110", "100", PathMode.AUTO, ("110", "120", "90", "100")),
        ("110", "100", PathMode.OLHC, ("110", "90", "120", "100")),
        ("100", "110", PathMode.OHLC, ("100", "120", "90", "110")),
    ],
)
def test_intrabar_path(o: str, c: str, mode: PathMode, expected: tuple[str, ...]) -> None:
    bar = Bar(0.0, D(o), D("120"), D("90"), D(c), D(1))
    assert intrabar_path(bar, mode) == tuple(D(x) for x in expected)


@given(
    st.lists(st.decimals(min_value=1, max_value=1000, places=2), min_size=4, max_size=4),
    st.sampled_from(list(PathMode)),
)
def test_intrabar_path_visits_every_extreme_once(prices: list[Decimal], mode: PathMode) -> None:
    o, c = prices[0], prices[1]
    high, low = max(prices), min(prices)
    path = intrabar_path(Bar(0.0, o, high, low, c, D(1)), mode)
    assert path[0] == o and path[-1] == c and max(path) == high and min(path) == low


@given(st.decimals(min_value=1, max_value=100000, places=2), st.decimals(min_value=0, max_value=50, places=1))
def test_synthetic_book_brackets_the_price_on_the_tick_grid(price: Decimal, spread: Decimal) -> None:
    book = synthetic_book(price, 0.0, half_spread_bps=spread, depth=D(1), tick=D("0.01"))
    assert book.best_bid is not None and book.best_ask is not None
    assert book.best_bid <= price <= book.best_ask and book.best_bid < book.best_ask
    assert book.best_bid % D("0.01") == 0 and book.best_ask % D("0.01") == 0
