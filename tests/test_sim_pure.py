"""Pure simulator pieces: ledger reconciliation, event ordering, candle serving, feeds, configs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError, DataError, SimulationError
from hummingbot_plugin.risk.paper_guard import is_simulated_connector
from hummingbot_plugin.simulation.engine.candle_store import CandleStore, bars_from_trades
from hummingbot_plugin.simulation.engine.config import build_venue_config
from hummingbot_plugin.simulation.engine.events import EventKind, ReplayEvent, merge_events, tick_events
from hummingbot_plugin.simulation.engine.feeds import FeedKind, detect_kind, load_feed, pair_from_filename
from hummingbot_plugin.simulation.engine.ledger import Ledger, LedgerEntry
from hummingbot_plugin.simulation.engine.models import Side, TradePrint

D = Decimal
CAPTURE = "20240808T2354Z_20240809T0005Z"

fills_strategy = st.lists(
    st.tuples(
        st.sampled_from([Side.BUY, Side.SELL]),
        st.decimals(min_value=D("100"), max_value=D("100000"), places=2),
        st.decimals(min_value=D("0.00001"), max_value=D("1"), places=5),
        st.sampled_from([D("0.001"), D("0.0002"), D(0)]),
    ),
    max_size=40,
)


@given(fills_strategy)
def test_ledger_reconciles_exactly(fills: list[tuple[Side, Decimal, Decimal, Decimal]]) -> None:
    ledger = Ledger({"USDT": D(10000), "BTC": D(1)})
    for i, (side, price, amount, rate) in enumerate(fills):
        ledger.apply_fill(
            LedgerEntry(
                float(i), f"o{i}", "BTC-USDT", side, price, amount, price * amount * rate, rate == 0, f"t{i}"
            )
        )
    assert set(ledger.reconcile().values()) <= {D(0)}
    bought = sum((a for s, _, a, _ in fills if s is Side.BUY), D(0)) - sum(
        (a for s, _, a, _ in fills if s is Side.SELL), D(0)
    )
    assert ledger.total("BTC") == D(1) + bought


def test_ledger_locks_reduce_available_only() -> None:
    ledger = Ledger({"USDT": D(100)})
    ledger.lock("a", "USDT", D(30))
    assert (ledger.total("USDT"), ledger.available("USDT")) == (D(100), D(70))
    ledger.release("a")
    assert ledger.available("USDT") == D(100)
    with pytest.raises(SimulationError, match="negative"):
        Ledger({"USDT": D(-1)})


def test_market_data_comes_before_the_tick_at_the_same_time() -> None:
    data = [ReplayEvent(10.0, EventKind.TRADE), ReplayEvent(20.0, EventKind.BOOK)]
    merged = list(merge_events([tick_events(0.0, 20.0, 10.0), iter(data)]))
    assert [(e.timestamp, e.kind) for e in merged] == [
        (10.0, EventKind.TRADE),
        (10.0, EventKind.TICK),
        (20.0, EventKind.BOOK),
        (20.0, EventKind.TICK),
    ]


def _candles(n: int = 300) -> pd.DataFrame:
    ts = [1_700_000_000.0 - 1_700_000_000.0 % 3600 + 60 * i for i in range(n)]
    close = [100.0 + i for i in range(n)]
    return pd.DataFrame(
        {
            "timestamp": ts,
            "open": close,
            "high": [c + 1 for c in close],
            "low": [c - 1 for c in close],
            "close": close,
            "volume": [1.0] * n,
        }
    )


@pytest.mark.parametrize("interval", ["1m", "5m", "1h"])
def test_candle_store_serves_only_closed_bars(interval: str) -> None:
    store = CandleStore()
    frame = _candles()
    store.add("binance", "BTC-USDT", frame, "1m")
    seconds = {"1m": 60, "5m": 300, "1h": 3600}[interval]
    for now in (
        frame["timestamp"].iloc[0] + 3599.0,
        frame["timestamp"].iloc[0] + 7200.0,
        frame["timestamp"].iloc[-1],
    ):
        bars = store.closed_bars("binance", "BTC-USDT", interval, now, max_records=10_000)
        assert (bars["timestamp"] + seconds <= now).all()
        later = store.closed_bars("binance", "BTC-USDT", interval, now + 10 * seconds, max_records=10_000)
        assert later.iloc[: len(bars)].equals(bars)  # prefix: the past never changes


def test_candle_store_unknown_market_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="no candles loaded"):
        CandleStore().closed_bars("binance", "ETH-USDT", "1m", 0.0)


def test_bars_from_trades() -> None:
    trades = [
        TradePrint(0.5, D(10), D(1), Side.BUY),
        TradePrint(30.0, D(12), D(2), Side.SELL),
        TradePrint(61.0, D(11), D(1), Side.SELL),
    ]
    bars = bars_from_trades(trades, 60)
    assert bars[["open", "high", "low", "close", "volume"]].values.tolist() == [
        [10, 12, 10, 12, 3],
        [11, 11, 11, 11, 1],
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (f"binance_BTC-USDT_trades_{CAPTURE}.csv", FeedKind.TRADES),
        (f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv", FeedKind.L2),
        (f"binance_BTC-USDT_bookticker_{CAPTURE}.csv", FeedKind.BOOKTICKER),
        ("binance_BTC-USDT_1h.csv", FeedKind.CANDLES),
    ],
)
def test_feed_kind_from_name(name: str, kind: FeedKind) -> None:
    assert detect_kind(Path(name)) is kind
    assert pair_from_filename(Path(name)) == "BTC-USDT"


def test_real_capture_loads_exactly(shared_data_dir: Path) -> None:
    trades = load_feed(shared_data_dir / f"binance_BTC-USDT_trades_{CAPTURE}.csv")
    books = load_feed(shared_data_dir / f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv")
    assert trades.trades[0].price == D("61837.63") and trades.trades[0].aggressor is Side.SELL
    assert len(books.books[0].bids) == 20 and books.books[0].best_bid < books.books[0].best_ask
    assert all(a.timestamp <= b.timestamp for a, b in zip(trades.trades, trades.trades[1:], strict=False))


@pytest.mark.parametrize(("start", "end", "bars"), [(None, None, 55740), ("2023-01-01", "2023-01-02", 48)])
def test_candle_feed_keeps_the_whole_file_as_history(
    shared_data_dir: Path, start: str | None, end: str | None, bars: int
) -> None:
    feed = load_feed(shared_data_dir / "binance_BTC-USDT_1h.csv", start=start, end=end)
    assert len(feed.bars) == bars and feed.history is not None and len(feed.history) == 55740
    assert feed.bar_seconds == 3600


def test_bad_trade_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "binance_BTC-USDT_trades_x.csv"
    path.write_text("timestamp_ms,trade_id,price,qty,is_buyer_maker\n1000,1,100,1,1\n2000,2,abc,1,0\n")
    with pytest.raises(DataError, match=r"line 3.*'price'"):
        load_feed(path)


def test_venue_config_needs_balances_and_names_bad_fields() -> None:
    with pytest.raises(ConfigError, match="no starting balances"):
        build_venue_config("binance", ["BTC-USDT"], {}, {})
    with pytest.raises(ConfigError, match="maker_fee"):
        build_venue_config("binance", ["BTC-USDT"], {"maker_fee": "-1"}, {"USDT": D(1)})
    with pytest.raises(ConfigError, match="typo"):
        build_venue_config("binance", ["BTC-USDT"], {"typo": 1}, {"USDT": D(1)})
    cfg = build_venue_config("binance", ["BTC-USDT"], {"balances": {"USDT": 5}}, {"BTC": D(1)})
    assert cfg.balances == {"USDT": D(5), "BTC": D(1)} and cfg.rules_for("BTC-USDT").min_notional_size == D(5)
    with pytest.raises(ConfigError, match="no trading rules"):
        build_venue_config("nowhere", ["BTC-USDT"], {}, {"USDT": D(1)}).rules_for("BTC-USDT")


def test_is_simulated_connector_marker() -> None:
    class Fake:
        is_simulated = "yes"

    assert not is_simulated_connector(object()) and not is_simulated_connector(Fake())
