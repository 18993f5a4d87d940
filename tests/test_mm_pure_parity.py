"""The fast pure research path against the full Hummingbot runtime replay, and its fast L2 loop against the
reference loop.

The full runtime (the V2 script, the PMM controller, real OrderExecutors, the simulated exchange) and the
pure path (``run_book_replay`` / ``run_candle_replay``) replay the same config on the same short windows
through ``benchmarks/bench_mm_speed.py``; the stated tolerance is filled orders within 10 % and net PnL
within 1 bp of the traded notional (docs/simulator.md, "Speed").
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.fees import custom_schedule
from hummingbot_plugin.mm.params import PMMParams
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.engine.candle_store import bars_from_trades
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.engine.models import Side, TradePrint
from hummingbot_plugin.simulation.mm.book_replay import BookEvents, run_book_replay
from hummingbot_plugin.simulation.mm.quote_replay import run_candle_replay
from hummingbot_plugin.simulation.mm.tape_index import TapeIndex

CAPTURE = "20240808T2354Z_20240809T0005Z"
FEES = custom_schedule("0.0002", "0.0005", name="parity test")


def _bench() -> ModuleType:
    path = PROJECT_ROOT / "benchmarks" / "bench_mm_speed.py"
    spec = importlib.util.spec_from_file_location("bench_mm_speed", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench(shared_data_dir: Path) -> ModuleType:
    module = _bench()
    module.ensure_project_importable()
    return module


def _check_within_tolerance(bench: ModuleType, name: str, pair: tuple[object, object, pd.DataFrame]) -> None:
    full, pure, mids = pair
    row = bench.compare(name, full, pure, mids, FEES)
    assert row["full"]["fills"] >= 10 and row["pure"]["fills"] >= 10  # a real comparison
    assert row["fills_gap"] <= bench.FILLS_TOL, row
    assert row["pnl_gap_bp"] <= bench.PNL_TOL_BP, row


def test_l2_pure_path_matches_the_full_runtime(bench: ModuleType) -> None:
    # volatility window 2: the controller quotes once 3 one-minute bars have closed
    _check_within_tolerance(bench, "L2", bench.l2_pair(FEES, minutes=8, overrides={"volatility_window": 2}))


def test_candle_pure_path_matches_the_full_runtime(bench: ModuleType) -> None:
    _check_within_tolerance(bench, "1m", bench.candle_pair(1, FEES))


@pytest.fixture(scope="module")
def capture(shared_data_dir: Path) -> BookEvents:
    books = load_feed(shared_data_dir / f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv").books
    trades = load_feed(shared_data_dir / f"binance_BTC-USDT_trades_{CAPTURE}.csv").trades
    return BookEvents(books, trades)


@pytest.mark.parametrize("features", ["mids", "bars"])
def test_fast_l2_loop_gives_exactly_the_reference_fills(capture: BookEvents, features: str) -> None:
    params = PMMParams(
        buy_spreads=[0.00002, 0.0001],
        sell_spreads=[0.00002, 0.0001],
        total_amount_quote=Decimal(2000),
        maker_fee=Decimal(0),
        min_profit_margin=Decimal("0.00001"),
        volatility_window=2,
        executor_refresh_time=5,
        filled_order_delay=5,
        order_refresh_tolerance_pct=Decimal("0.00005"),
    )
    fast = run_book_replay(capture, params, features=features)  # type: ignore[arg-type]
    ref = run_book_replay(capture, params, features=features, exact=True)  # type: ignore[arg-type]
    assert len(ref.fills) > 100 and ref.fills["side"].nunique() == 2
    pd.testing.assert_frame_equal(fast.fills, ref.fills)
    pd.testing.assert_frame_equal(fast.mids, ref.mids)
    assert (fast.n_orders, fast.risk_states) == (ref.n_orders, ref.risk_states)


def test_candle_path_requotes_a_filled_level_inside_the_bar_like_the_runtime() -> None:
    # 8 flat bars of warm-up, then one bar 100 -> 99.8 -> 100.3 -> 100: quotes at 99.9 / 100.1 fill at
    # the low and the high; the buy level, free again (no fill delay), is re-quoted from the high's mid
    # and fills at the close, all inside that bar (the full runtime decides at each path point). A last
    # flat bar: the replayed period ends at the last bar's open.
    n = 9
    bars = pd.DataFrame(
        {
            "timestamp": np.arange(n + 1) * 60.0,
            "open": 100.0,
            "close": 100.0,
            "volume": 1.0,
            "low": [100.0] * (n - 1) + [99.8, 100.0],
            "high": [100.0] * (n - 1) + [100.3, 100.0],
        }
    )
    params = PMMParams(
        buy_spreads=[0.001],
        sell_spreads=[0.001],
        total_amount_quote=Decimal(1000),
        maker_fee=Decimal("0.0002"),
        volatility_window=5,
        executor_refresh_time=1,
        filled_order_delay=0,
        min_spread_multiplier=1.0,
        max_spread_multiplier=1.0,
        volatility_factor=0.0,
        inventory_skew_enabled=False,
        inventory_range_pct=5.0,
    )
    fills = run_candle_replay(bars, params, bar_seconds=60).fills
    last = fills[(fills["timestamp"] >= (n - 1) * 60.0) & (fills["timestamp"] < n * 60.0)]
    assert list(last["side"]) == [1, -1, 1]
    assert list(last["price"]) == pytest.approx([99.9, 100.1, 100.19])  # 100.3 x 0.999, floored to the tick
    assert list(last["timestamp"] - (n - 1) * 60.0) == [15.0, 30.0, 45.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(99, 101), st.booleans(), st.floats(0.001, 1)), min_size=1, max_size=60),
    st.data(),
)
def test_tape_index_answers_range_queries_like_a_scan(
    rows: list[tuple[float, bool, float]], data: st.DataObject
) -> None:
    trades = [
        TradePrint(float(i), Decimal(repr(p)), Decimal(repr(q)), Side.SELL if sell else Side.BUY)
        for i, (p, sell, q) in enumerate(rows)
    ]
    index = TapeIndex(trades)
    lo = data.draw(st.integers(0, len(rows) - 1))
    hi = data.draw(st.integers(lo + 1, len(rows)))
    bid, ask = data.draw(st.floats(98, 102)), data.draw(st.floats(98, 102))
    scan = any((sell and p <= bid) or (not sell and p >= ask) for p, sell, _ in rows[lo:hi])
    assert index.reaches(lo, hi, bid, ask) == scan
    pd.testing.assert_frame_equal(index.bars(60), bars_from_trades(trades, 60))
