"""Bar-level level grid and regime switch: fill rules, a switch mid-position, ledger invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.ledger import Market, build_ledger
from hummingbot_plugin.levels import LevelSettings, Zone, ZoneTimeline, zone_timeline
from hummingbot_plugin.research.evaluate import to_fills
from hummingbot_plugin.research.regime_grid import GridSettings, Mode, simulate
from hummingbot_plugin.research.regime_run import bar_marks

MARKET = Market("binance", "BTC-USDT")
HOUR = 3600
GRID = GridSettings(min_score=3, slots=1, stop_pct=3.0, min_tp_pct=1.0)
ZONES = ZoneTimeline(np.array([0]), ((Zone(95.0, 95.0, 95.0, 3), Zone(105.0, 105.0, 105.0, 3)),))


def _bars(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"])
    frame.insert(0, "timestamp", 1_700_000_000.0 + HOUR * np.arange(len(rows)))
    return frame


def _run(
    candles: pd.DataFrame, modes: list[int], zones: ZoneTimeline = ZONES
) -> list[tuple[int, float, str]]:
    fills = simulate(
        candles, np.array(modes), np.zeros(len(modes)), zones, 0, MARKET, capital=1000.0, fee=0.001, grid=GRID
    )
    return [(f.side, round(f.price, 4), f.order_id.rsplit("-", 1)[0]) for f in fills]


def test_limit_buy_fills_at_the_level_and_takes_profit_at_the_next_zone() -> None:
    candles = _bars([(100, 101, 99, 100), (100, 100.5, 94.9, 96), (97, 106, 96.5, 104)])
    assert _run(candles, [2, 2, 2]) == [(1, 95.0, "grid-buy"), (-1, 105.0, "grid-tp")]


def test_a_gap_through_the_level_fills_at_the_open_and_no_touch_no_fill() -> None:
    gap = _bars([(100, 101, 99, 100), (94, 96, 93.5, 95.5), (96, 97, 95, 96)])
    assert _run(gap, [2, 2, 2]) == [(1, 94.0, "grid-buy")]
    miss = _bars([(100, 101, 99, 100), (100, 100.5, 95.01, 96), (97, 98, 96, 97)])
    assert _run(miss, [2, 2, 2]) == []


def test_stop_is_assumed_hit_before_the_target_inside_a_bar() -> None:
    candles = _bars([(100, 101, 99, 100), (100, 100.5, 94.9, 96), (96, 106, 92.0, 100)])
    assert _run(candles, [2, 2, 2]) == [(1, 95.0, "grid-buy"), (-1, 92.15, "grid-stop")]


def test_a_switch_mid_position_closes_the_lot_and_leaves_nothing_behind() -> None:
    candles = _bars([(100, 101, 99, 100), (100, 100.5, 94.9, 96), (96.5, 99, 94, 98), (98, 99, 94, 97)])
    fills = simulate(
        candles, np.array([2, 2, 0, 0]), np.zeros(4), ZONES, 0, MARKET, capital=1000.0, fee=0.001, grid=GRID
    )
    assert [(f.side, f.price, f.order_id.rsplit("-", 1)[0]) for f in fills] == [
        (1, 95.0, "grid-buy"),
        (-1, 96.5, "switch-close-grid"),  # at the open after the switch; no new order while flat
    ]
    ledger = build_ledger(fills, {"binance": {"USDT": 1000.0}}, bar_marks(candles, MARKET, HOUR))
    book = ledger.markets[MARKET]
    assert abs(book.position[-1]) < 1e-12 and ledger.overdrawn() == []
    assert len(book.trades) == 1
    assert ledger.equity[-1] == ledger.balances[("binance", "USDT")][-1]


def test_directional_mode_trades_like_the_research_engine() -> None:
    rng = np.random.default_rng(1)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    candles = _bars([(c, c * 1.01, c * 0.99, c) for c in close])
    held = (rng.random(300) > 0.5).astype(float)
    mine = simulate(
        candles,
        np.full(300, int(Mode.DIRECTIONAL)),
        held,
        ZONES,
        0,
        MARKET,
        capital=1000.0,
        fee=0.001,
        grid=GRID,
    )
    theirs = to_fills(
        candles["timestamp"].to_numpy(), candles["open"].to_numpy(), held, MARKET, 1000.0, 0.001
    )
    assert [(f.timestamp, f.side, f.price) for f in mine] == [(f.timestamp, f.side, f.price) for f in theirs]
    assert np.allclose([f.amount for f in mine], [f.amount for f in theirs], rtol=1e-9)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(50, 799))
def test_switcher_is_causal_and_never_overdraws(seed: int, cut: int) -> None:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 800)))
    opens = np.concatenate([[100.0], close[:-1]])
    candles = _bars([(o, max(o, c) * 1.004, min(o, c) * 0.996, c) for o, c in zip(opens, close, strict=True)])
    zones = zone_timeline(candles["high"].to_numpy(), candles["low"].to_numpy(), LevelSettings((3, 8), 2, 30))
    modes, held = np.repeat(rng.integers(0, 3, 40), 20), (rng.random(800) > 0.4).astype(float)
    grid = GridSettings(min_score=2, slots=3)
    full = simulate(candles, modes, held, zones, 0, MARKET, capital=1000.0, fee=0.001, grid=grid)
    part = simulate(candles.iloc[:cut], modes, held, zones, 0, MARKET, capital=1000.0, fee=0.001, grid=grid)
    assert part == [f for f in full if f.timestamp < candles["timestamp"].iloc[cut]]
    ledger = build_ledger(full, {"binance": {"USDT": 1000.0}}, bar_marks(candles, MARKET, HOUR))
    assert ledger.overdrawn() == []
    assert any(f.order_id.startswith("grid-buy") for f in full)
