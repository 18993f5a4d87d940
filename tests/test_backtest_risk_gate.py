"""The controller's ``risk:`` limits act in a backtest through the replay's RiskGate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import LedgerBook, Marks, account_figures, build_ledger
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

pytestmark = pytest.mark.slow

BTC_CONFIG = PROJECT_ROOT / "conf" / "controllers" / "ai_livestream_btc_usdt_1h.yml"
FEE = 0.001


def _run(shared_data_dir: Path, risk: dict[str, Any]) -> EngineRun:
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2022-09-01", end="2023-12-31")
    lower, upper = to_epoch_bound("2023-01-01", is_end=False), to_epoch_bound("2023-12-31", is_end=True)
    assert lower is not None and upper is not None
    return run_offline(
        load_controller_config(BTC_CONFIG, {"risk": risk}),
        candles,
        "1h",
        start=int(lower),
        end=int(upper),
        resolution="1h",
        fee=FEE,
        source="binance_BTC-USDT_1h.csv",
        sizing="compound",
    )


def _book(run: EngineRun) -> LedgerBook:
    return build_ledger(run.fills, run.start_balances, Marks(run.timestamps, {run.market: run.closes}))


@pytest.fixture(scope="module")
def runs(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    live_state = tmp_path_factory.mktemp("live") / "state"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HBP_STATE_DIR", str(live_state))
        strict = _run(shared_data_dir, {"max_drawdown_pct": "0.02"})
        loose = _run(shared_data_dir, {"max_drawdown_pct": "0.5"})
    return {"strict": strict, "loose": loose, "live_state": live_state}


def test_a_drawdown_limit_halts_the_backtest(runs: dict[str, Any]) -> None:
    strict, loose = runs["strict"], runs["loose"]
    assert loose.risk_transitions == [] and account_figures(_book(loose)).trades >= 10
    halts = [t for t in strict.risk_transitions if t.to_state == "HALTED"]
    assert len(halts) == 1 and halts[0].reason_code == "DRAWDOWN_PCT" and halts[0].from_state == "ACTIVE"
    halt = halts[0]
    assert halt.drawdown_pct_of_capital >= 2.0 and "drawdown" in halt.text
    entries = [f.timestamp for f in strict.fills if f.side == 1]
    assert entries and max(entries) < halt.timestamp  # HALTED: nothing new after the halt
    assert strict.risk_denials.get("STATE_HALTED", 0) > 0
    assert account_figures(_book(strict)).trades < account_figures(_book(loose)).trades


def test_the_gate_acted_on_the_ledgers_drawdown(runs: dict[str, Any]) -> None:
    strict = runs["strict"]
    book = _book(strict)
    halt = strict.risk_transitions[0]
    at = int(np.searchsorted(book.timestamps, halt.timestamp))
    assert book.timestamps[at] == halt.timestamp
    assert halt.equity_quote == pytest.approx(float(book.equity[at]), abs=1e-6)
    peak = max(book.start_equity, float(book.equity[: at + 1].max()))
    assert halt.drawdown_quote == pytest.approx(peak - float(book.equity[at]), abs=1e-6)
    assert halt.drawdown_pct_of_capital == pytest.approx(halt.drawdown_quote / strict.capital * 100)


def test_backtests_never_touch_the_live_state_dir(runs: dict[str, Any]) -> None:
    assert not runs["live_state"].exists()
