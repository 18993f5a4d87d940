"""The backtest as a funded spot account: pure budget maths (property) and the ETH config on 2023."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import Fill, LedgerBook, Market, Marks, account_figures, build_ledger
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.budget import Sizing, SpotAccount
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

ETH_CONFIG = PROJECT_ROOT / "conf" / "controllers" / "ai_livestream_eth_usdt_1h.yml"
FEE = 0.001
MARKET = Market("binance", "ETH-USDT")

# ---------------------------------------------------------------- pure maths (Hypothesis)
price = st.floats(min_value=1.0, max_value=1e5, allow_nan=False, allow_infinity=False)
step = st.tuples(st.booleans(), st.floats(min_value=0.0, max_value=2.0), price, price)


@settings(max_examples=300, deadline=None)
@given(
    capital=st.floats(min_value=1.0, max_value=1e6),
    fee=st.floats(min_value=0.0, max_value=0.01),
    steps=st.lists(step, min_size=1, max_size=40),
)
def test_spot_longs_never_overdraw_and_equity_matches_the_ledger(
    capital: float, fee: float, steps: list[tuple[bool, float, float, float]]
) -> None:
    """Open (if fundable) then maybe close long positions at random prices: the free balance never
    goes below zero, equity never below zero, and the account's equity is the one ledger's."""
    account = SpotAccount(capital, fee, min_notional=0.0)
    fills: list[Fill] = []
    for t, (close_now, share, entry, exit_price) in enumerate(steps):
        eid = f"e{t}"
        amount = share * capital / entry  # up to twice the capital: often unfundable
        free, need = account.free(), amount * entry * (1 + fee)
        refusal = account.check(eid, amount, entry, float(t))
        if refusal is None:
            assert amount > 0 and need <= free + 1e-9 * max(1.0, free)
        else:
            assert amount == 0 or need > free - 1e-9 * max(1.0, free)
        if refusal is None:
            account.open(eid, 1, amount, entry, float(t))
            fills.append(Fill(float(t), MARKET, 1, entry, amount, fee * amount * entry, order_id=f"{eid}:in"))
        assert account.free() >= -1e-9 * capital
        if close_now and eid in account.positions:
            account.close(eid, exit_price)
            fills.append(
                Fill(
                    t + 0.5, MARKET, -1, exit_price, amount, fee * amount * exit_price, order_id=f"{eid}:out"
                )
            )
        assert account.free() >= -1e-9 * capital
        mark = exit_price
        assert account.equity(mark, t + 0.5) >= -1e-9 * capital
    times = np.array([t + 0.5 for t in range(len(steps))])
    marks = np.array([s[3] for s in steps])
    book = build_ledger(fills, {"binance": {"USDT": capital}}, Marks(times, {MARKET: marks}))
    last = len(steps) - 1
    assert account.equity(marks[-1], last + 0.5) == pytest.approx(float(book.equity[-1]), rel=1e-9, abs=1e-6)
    assert float(book.balances[("binance", "USDT")].min()) >= -1e-9 * capital


def test_sizing_modes() -> None:
    account = SpotAccount(1000.0, FEE)
    assert Sizing.parse("fixed") == Sizing("fixed") and Sizing.parse(" Compound ").mode == "compound"
    assert Sizing.parse("fraction:0.25") == Sizing("fraction", 0.25)
    for bad in ("half", "fraction:0", "fraction:1.5", "fraction:x"):
        with pytest.raises(ConfigError):
            Sizing.parse(bad)
    assert account.size(Sizing("fixed"), 0.5, 1000.0, 1000.0, 0.0) == 0.5  # fixed: the controller's amount
    fixed_all_in = account.size(Sizing("fixed"), 2.0, 1000.0, 1000.0, 0.0)
    assert fixed_all_in == pytest.approx(1.0 / (1 + FEE))  # ... capped at what 1000 can pay, fee included
    all_in = account.size(Sizing("compound"), 1.0, 1000.0, 1000.0, 0.0)
    assert all_in == pytest.approx(1.0 / (1 + FEE))  # clipped to what 1000 can pay, fee included
    assert account.size(Sizing("fraction", 0.5), 9.9, 100.0, 100.0, 0.0) == pytest.approx(5.0)
    account.open("a", 1, 5.0, 100.0, 0.0)  # equity now 1000 - 0.5 fee; then the price halves
    assert account.size(Sizing("compound"), 1.0, 50.0, 50.0, 1.0) == pytest.approx(
        min((1000 - 0.5 - 250) / 1000, account.free() / (50 * (1 + FEE)))
    )


def test_ruin_stops_trading_for_good() -> None:
    account = SpotAccount(20.0, FEE, min_notional=5.0)
    assert account.check("a", 0.019, 1000.0, 0.0) is None
    account.open("a", 1, 0.019, 1000.0, 0.0)
    assert not account.observe(500.0, 1.0)  # equity 10.48: still above the venue minimum
    assert account.observe(200.0, 2.0) and account.ruined_at == 2.0
    account.close("a", 1000.0)  # even a full recovery does not un-ruin the run
    refusal = account.check("b", 0.001, 1000.0, 3.0)
    assert refusal is not None and refusal.reason == "ruined"
    assert account.refusal_counts() == {"ruined": 1}


def test_below_min_notional_and_shorts_lock_margin() -> None:
    account = SpotAccount(100.0, FEE, min_notional=5.0)
    small = account.check("s", 0.004, 1000.0, 0.0)
    assert small is not None and small.reason == "below_min_notional"
    account.open("short", -1, 0.05, 1000.0, 0.0)  # margin = notional 50 + fee
    assert account.free() == pytest.approx(100 - 50 - 0.05)
    assert account.equity(1100.0, 1.0) == pytest.approx(100 - 5 - 0.05)
    assert account.close("short", 900.0) == pytest.approx(5 - 0.05 - 0.045)


# ---------------------------------------------------------------- the ETH config on 2023
def _eth_run(shared_data_dir: Path, capital: float, sizing: str, risk_gate: bool) -> EngineRun:
    candles = load_candles(shared_data_dir / "binance_ETH-USDT_1h.csv", start="2022-09-01", end="2023-12-31")
    config = load_controller_config(ETH_CONFIG, {"total_amount_quote": capital})
    lower, upper = to_epoch_bound("2023-01-01", is_end=False), to_epoch_bound("2023-12-31", is_end=True)
    assert lower is not None and upper is not None
    return run_offline(
        config,
        candles,
        "1h",
        start=int(lower),
        end=int(upper),
        resolution="1h",
        fee=FEE,
        source="binance_ETH-USDT_1h.csv",
        sizing=sizing,
        risk_gate=risk_gate,
    )


def _book(run: EngineRun) -> LedgerBook:
    return build_ledger(run.fills, run.start_balances, Marks(run.timestamps, {run.market: run.closes}))


def _assert_every_entry_was_funded(run: EngineRun) -> None:
    """Replay the fills in time order (exits before entries on one bar): cash covers each entry."""
    cash = run.capital
    for fill in sorted(run.fills, key=lambda f: (f.timestamp, f.side)):
        cash += -fill.side * fill.notional - fill.fee_quote
        assert cash >= -1e-9 * run.capital, f"unfunded entry at {fill.timestamp}: cash {cash}"


@pytest.mark.slow
@pytest.mark.parametrize("capital", [1000.0, 100.0, 10.0])
def test_eth_2023_is_a_funded_account(shared_data_dir: Path, capital: float) -> None:
    """Compounding without the risk gate (the budget alone): every entry funded, equity never < 0."""
    run = _eth_run(shared_data_dir, capital, "compound", risk_gate=False)
    book = _book(run)
    figures = account_figures(book)
    assert figures.trades > 20, "the budget, not a lack of signals, must be what is exercised"
    _assert_every_entry_was_funded(run)
    assert float(book.equity.min()) >= 0.0 and book.overdrawn() == []
    assert figures.return_pct >= -100.0 and figures.start_equity_quote == capital
    for fill in run.fills:
        assert fill.notional >= 5.0 - 1e-9  # the Binance ETH-USDT minimum notional


@pytest.mark.slow
def test_fixed_all_in_sizing_is_capped_to_the_balance_not_overdrawn(shared_data_dir: Path) -> None:
    """The shipped ETH config commits its whole capital: fixed sizing buys what it can pay, fee included."""
    run = _eth_run(shared_data_dir, 1000.0, "fixed", risk_gate=True)
    assert run.fills and run.refusal_counts.get("insufficient_balance", 0) == 0
    book = _book(run)
    assert float(book.balances[("binance", "USDT")].min()) >= -1e-9 * 1000.0
    first = min((f for f in run.fills if f.side == 1), key=lambda f: f.timestamp)
    assert first.notional + first.fee_quote == pytest.approx(1000.0, rel=1e-9)  # all in, fee included
