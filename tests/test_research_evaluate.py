"""Held positions -> fills -> the ledger: funded, next-open execution, baselines decided on closed bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ml_factories import real_candles

from hummingbot_plugin.ledger import Market
from hummingbot_plugin.research.evaluate import (
    buy_and_hold,
    evaluate_held,
    ma_trend,
    momentum_days,
    per_year_returns,
    to_fills,
)

MARKET = Market("binance", "BTC-USDT")
HOUR = 3600


def _synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = np.concatenate([[100.0], close[:-1]]) * np.exp(rng.normal(0, 0.001, n))
    stamps = 1_600_000_000 - 1_600_000_000 % 86_400 + np.arange(n) * HOUR
    return pd.DataFrame(
        {
            "timestamp": stamps.astype(float),
            "open": open_,
            "high": np.maximum(open_, close) * 1.001,
            "low": np.minimum(open_, close) * 0.999,
            "close": close,
            "volume": 1.0,
        }
    )


def test_buy_and_hold_is_one_funded_buy_at_the_first_open() -> None:
    candles = _synthetic(500, 1)
    row, ledger = evaluate_held(
        "bh", candles, buy_and_hold(candles), MARKET, capital=1000, fee=0.001, interval_s=HOUR
    )
    amount = 1000 / (candles["open"].iloc[0] * 1.001)
    assert row["n_fills"] == 1 and row["end_equity_quote"] == pytest.approx(
        amount * candles["close"].iloc[-1]
    )
    assert row["fees_quote"] == pytest.approx(amount * candles["open"].iloc[0] * 0.001)
    assert ledger.overdrawn() == []


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 1000),
    fee=st.floats(0.0, 0.01),
    held=st.lists(st.sampled_from([0.0, 0.3, 1.0]), min_size=300, max_size=300),
)
def test_any_held_series_is_funded_and_traded_at_the_open_where_it_changes(seed, fee, held) -> None:  # type: ignore[no-untyped-def]
    candles = _synthetic(300, seed)
    values = np.array(held)
    row, ledger = evaluate_held("x", candles, values, MARKET, capital=1000, fee=fee, interval_s=HOUR)
    assert ledger.overdrawn() == [] and not row["ruined"]
    changes = np.flatnonzero(np.diff(np.concatenate([[0.0], values])) != 0)
    fills = to_fills(candles["timestamp"].to_numpy(), candles["open"].to_numpy(), values, MARKET, 1000, fee)
    assert [f.timestamp for f in fills] == [float(candles["timestamp"].iloc[t]) for t in changes]
    assert all(f.price == candles["open"].iloc[t] for f, t in zip(fills, changes, strict=True))
    yearly = per_year_returns(ledger.timestamps, ledger.equity, ledger.start_equity)
    total = np.prod([1 + v / 100 for v in yearly.values()]) - 1
    assert total * 100 == pytest.approx(row["return_pct"], abs=1e-9)


def test_a_price_after_t_never_changes_the_fills_before_t() -> None:
    candles = _synthetic(400, 3)
    held = (np.arange(400) % 50 < 25).astype(float)
    base = to_fills(candles["timestamp"].to_numpy(), candles["open"].to_numpy(), held, MARKET, 1000, 0.001)
    shocked = candles["open"].to_numpy().copy()
    shocked[200:] *= 3.0
    after = to_fills(candles["timestamp"].to_numpy(), shocked, held, MARKET, 1000, 0.001)
    assert [f for f in base if f.timestamp < candles["timestamp"].iloc[200]] == [
        f for f in after if f.timestamp < candles["timestamp"].iloc[200]
    ]


def test_momentum_and_ma_baselines_use_only_closed_bars() -> None:
    history = real_candles("BTC-USDT", "2021-01-01", "2021-12-31")
    candles = history[history["timestamp"] >= pd.Timestamp("2021-06-01", tz="UTC").timestamp()].reset_index(
        drop=True
    )
    mom, ma = momentum_days(history, candles), ma_trend(history, candles)
    day = np.floor(history["timestamp"] / 86_400).astype(int)
    daily = history.groupby(day)["close"].last()
    expected = (daily > daily.shift(50)).astype(float)
    bar_day = np.floor(candles["timestamp"] / 86_400).astype(int)
    np.testing.assert_array_equal(mom, expected.reindex(bar_day - 1).to_numpy())
    # changing every close from the middle of the evaluated period on leaves earlier decisions alone
    cut = pd.Timestamp("2021-09-15 13:00", tz="UTC").timestamp()
    shocked = history.copy()
    later = shocked["timestamp"] >= cut
    shocked.loc[later, ["open", "high", "low", "close"]] *= 0.5
    before = candles["timestamp"].to_numpy() <= cut
    np.testing.assert_array_equal(momentum_days(shocked, candles)[before], mom[before])
    np.testing.assert_array_equal(ma_trend(shocked, candles)[before], ma[before])
    assert 0.2 < mom.mean() < 0.9 and 0.2 < ma.mean() < 0.9
