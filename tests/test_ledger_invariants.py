"""The one ledger: invariants on hand-checked books and on random (adversarial) fill sequences."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ledger import (
    Fill,
    Market,
    Marks,
    account_figures,
    build_ledger,
    daily_sharpe,
    market_figures,
    max_drawdown_pct,
)

HOUR = 3600.0
T0 = 1_672_531_200.0  # 2023-01-01T00:00:00Z
BTC = Market("binance", "BTC-USDT")
ETH = Market("binance", "ETH-USDT")


def _make_fill(**overrides: Any) -> Fill:
    values: dict[str, Any] = {
        "timestamp": T0 + HOUR,
        "market": BTC,
        "side": 1,
        "price": 100.0,
        "amount": 1.0,
        "fee_quote": 0.1,
        "is_maker": False,
        "order_id": "o1",
        "executor_id": "e1",
    }
    values.update(overrides)
    return Fill(**values)


def _marks(closes: dict[Market, list[float]]) -> Marks:
    n = len(next(iter(closes.values())))
    ts = T0 + HOUR * np.arange(n)
    return Marks(ts, {m: np.asarray(c, dtype=float) for m, c in closes.items()})


def test_round_trip_books_cash_position_equity_and_one_trade() -> None:
    marks = _marks({BTC: [100, 100, 110, 120, 90]})
    fills = [
        _make_fill(),
        _make_fill(timestamp=T0 + 3 * HOUR, side=-1, price=120.0, fee_quote=0.12, order_id="o2"),
    ]
    ledger = build_ledger(fills, {"binance": {"USDT": 1000.0}}, marks)
    book = ledger.markets[BTC]
    np.testing.assert_allclose(book.position, [0, 1, 1, 0, 0])
    np.testing.assert_allclose(ledger.equity, [1000, 999.9, 1009.9, 1019.78, 1019.78])
    (trade,) = book.trades
    assert (trade.side, trade.entry_price, trade.exit_price) == (1, 100.0, 120.0)
    assert trade.pnl_quote == pytest.approx(20 - 0.1 - 0.12)
    figures = account_figures(ledger)
    assert figures.net_pnl_quote == pytest.approx(19.78)
    assert figures.trades == 1 and figures.win_rate == 1.0 and figures.n_fills == 2
    assert figures.fees_quote == pytest.approx(0.22)
    assert figures.exposure_time_pct == pytest.approx(50.0)  # 2 of 4 intervals began holding BTC


def test_a_stop_loss_below_entry_is_a_losing_trade() -> None:
    marks = _marks({BTC: [100, 100, 95, 90]})
    fills = [_make_fill(), _make_fill(timestamp=T0 + 2 * HOUR, side=-1, price=95.0, order_id="sl")]
    figures = account_figures(build_ledger(fills, {"binance": {"USDT": 1000.0}}, marks))
    assert figures.trades == 1 and figures.win_rate == 0.0 and figures.net_pnl_quote < 0


def test_rebate_adds_exactly_fee_times_notional_to_cash() -> None:
    marks = _marks({BTC: [100, 100, 100]})
    fill = _make_fill(price=100.0, amount=2.0, fee_quote=-0.00005 * 200.0, is_maker=True)
    ledger = build_ledger([fill], {"binance": {"USDT": 1000.0}}, marks)
    assert ledger.balances[("binance", "USDT")][-1] == pytest.approx(1000 - 200 + 0.01)
    assert account_figures(ledger).fees_quote == pytest.approx(-0.01)


def test_starting_inventory_is_marked_and_attributed_to_its_market() -> None:
    marks = _marks({BTC: [100, 110, 120]})
    ledger = build_ledger([], {"binance": {"USDT": 500.0, "BTC": 1.0}}, marks)
    assert ledger.start_equity == 600.0
    np.testing.assert_allclose(ledger.equity, [600, 610, 620])
    np.testing.assert_allclose(ledger.markets[BTC].pnl, [0, 10, 20])
    assert market_figures(ledger, BTC).exposure_time_pct == 100.0


def test_several_quote_assets_are_refused() -> None:
    usd = Market("coinbase", "BTC-USD")
    with pytest.raises(DataError, match="several assets"):
        build_ledger([], {}, _marks({BTC: [1, 2], usd: [1, 2]}))


def test_a_zero_size_fill_is_refused() -> None:
    with pytest.raises(DataError, match="must be finite and > 0"):
        _make_fill(amount=0.0)


def test_ruin_reports_minus_100_and_no_sharpe() -> None:
    marks = _marks({BTC: [100, 100, 50, 1]})
    short = _make_fill(side=-1, amount=20.0, price=100.0, fee_quote=0.0)  # unfunded short, then a squeeze
    marks = _marks({BTC: [100, 100, 150, 200]})
    figures = account_figures(build_ledger([short], {"binance": {"USDT": 1000.0}}, marks))
    assert figures.ruined and figures.return_pct == -100.0 and figures.sharpe_daily_annualized is None
    assert figures.max_drawdown_pct == 100.0


# ---------------------------------------------------------------- random books: the invariants
@st.composite
def _books(draw: st.DrawFn) -> tuple[list[Fill], Marks, dict[str, dict[str, float]]]:
    n = draw(st.integers(min_value=3, max_value=60))
    prices = {
        m: np.cumprod(1 + np.asarray(draw(st.lists(st.floats(-0.2, 0.2), min_size=n, max_size=n)))) * p0
        for m, p0 in ((BTC, 100.0), (ETH, 10.0))
    }
    marks = Marks(T0 + HOUR * np.arange(n), prices)
    fills = []
    for k in range(draw(st.integers(min_value=0, max_value=25))):
        market = draw(st.sampled_from([BTC, ETH]))
        at = draw(st.integers(min_value=0, max_value=n - 1))
        fills.append(
            Fill(
                timestamp=float(T0 + HOUR * at - draw(st.sampled_from([0.0, 1800.0]))),
                market=market,
                side=draw(st.sampled_from([1, -1])),
                price=float(prices[market][at]),
                amount=draw(st.floats(0.001, 3.0)),
                fee_quote=draw(st.floats(-0.5, 2.0)),
                is_maker=draw(st.booleans()),
                order_id=f"o{k}",
            )
        )
    start = {"binance": {"USDT": draw(st.floats(0.0, 1e5)), "BTC": draw(st.floats(0.0, 2.0))}}
    return fills, marks, start


@settings(max_examples=150, deadline=None)
@given(_books())
def test_invariants_hold_on_any_book(book: tuple[list[Fill], Marks, dict[str, dict[str, float]]]) -> None:
    fills, marks, start = book
    ledger = build_ledger(fills, start, marks)
    # cash + positions × mark = equity, at every point
    quote = sum(s for (_, asset), s in ledger.balances.items() if asset == "USDT")
    held = sum(
        ledger.balances[("binance", m.base)] * marks.prices[m]
        for m in (BTC, ETH)
        if ("binance", m.base) in ledger.balances
    )
    np.testing.assert_allclose(quote + held, ledger.equity, rtol=1e-9, atol=1e-6)
    # the markets add up to the account
    parts = sum(b.pnl for b in ledger.markets.values())
    np.testing.assert_allclose(ledger.start_equity + parts, ledger.equity, rtol=1e-9, atol=1e-6)
    account = account_figures(ledger)
    per_market = [market_figures(ledger, m) for m in ledger.markets]
    for name in ("net_pnl_quote", "fees_quote", "volume_quote", "return_pct"):
        total = sum(getattr(f, name) for f in per_market)
        if not account.ruined:
            assert total == pytest.approx(getattr(account, name), rel=1e-9, abs=1e-6), name
    assert sum(f.trades for f in per_market) == account.trades
    assert sum(f.n_fills for f in per_market) == account.n_fills == len(fills)
    # every trade opens before it closes; realised PnL of trades never exceeds what the fills allow
    for market_book in ledger.markets.values():
        assert all(t.open_timestamp <= t.close_timestamp for t in market_book.trades)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.5, 2.0), min_size=3, max_size=200))
def test_sharpe_and_drawdown_agree_with_an_independent_recomputation(factors: list[float]) -> None:
    curve = 1000.0 * np.cumprod(factors)
    ts = T0 + 86_400.0 * np.arange(curve.size)  # one point per day: daily returns are the point returns
    values = np.concatenate([[1000.0], curve])
    returns = [b / a - 1 for a, b in itertools.pairwise(values)]
    mean = sum(returns) / len(returns)
    std = (sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)) ** 0.5
    sharpe = daily_sharpe(ts, curve, 1000.0)
    assert sharpe == pytest.approx(mean / std * 365**0.5 if std > 0 else 0.0, rel=1e-9, abs=1e-9)
    worst, peak = 0.0, values[0]
    for v in values:
        peak = max(peak, v)
        worst = max(worst, (peak - v) / peak)
    assert max_drawdown_pct(values) == pytest.approx(worst * 100, rel=1e-9, abs=1e-9)


def test_funded_spot_account_never_goes_below_zero() -> None:
    marks = _marks({BTC: [100, 50, 10, 1]})
    fills = [_make_fill(amount=9.99, fee_quote=0.999)]
    ledger = build_ledger(fills, {"binance": {"USDT": 1000.0}}, marks)
    assert not ledger.overdrawn() and bool(np.all(ledger.equity >= 0))
    assert account_figures(ledger).ruined is False


def test_parity_moves_backtest_entries_to_the_bar_close_and_matches_bar_by_bar() -> None:
    from hummingbot_plugin.ledger.parity import parity

    marks = _marks({BTC: [100, 100, 110, 120, 90, 95]})
    start = {"binance": {"USDT": 1000.0}}
    # backtest: fills labelled with the bar's open time at that bar's close
    backtest = [_make_fill(timestamp=T0 + HOUR), _make_fill(timestamp=T0 + 3 * HOUR, side=-1, order_id="x")]
    # replay: the same decisions fill a few seconds after the bar closed; one entry a bar late
    replay = [
        _make_fill(timestamp=T0 + 2 * HOUR + 5),
        _make_fill(timestamp=T0 + 4 * HOUR + 5, side=-1, order_id="x"),
        _make_fill(timestamp=T0 + 5 * HOUR + 9, order_id="late"),
    ]
    report = parity(build_ledger(backtest, start, marks), build_ledger(replay, start, marks), HOUR)
    assert (report.backtest_entries, report.replay_entries, report.matched_entries) == (1, 2, 1)
    assert report.entry_match_pct == 50.0
    assert report.backtest_trades == report.replay_trades == 1


def test_ruin_is_final_even_if_the_marks_recover_later() -> None:
    short = _make_fill(side=-1, amount=20.0, price=100.0, fee_quote=0.0)
    marks = _marks({BTC: [100, 100, 160, 50]})  # equity 1000 → −200 → +2000: ruined at the 3rd point
    figures = account_figures(build_ledger([short], {"binance": {"USDT": 1000.0}}, marks))
    assert figures.ruined and figures.return_pct == -100.0 and figures.end_equity_quote == 0.0


def test_a_run_shorter_than_two_days_has_no_daily_sharpe() -> None:
    ts = T0 + 60.0 * np.arange(12)  # eleven minutes across midnight would otherwise give two "days"
    assert daily_sharpe(ts, np.linspace(1000, 990, 12), 1000.0) is None
