"""Backtest–replay parity of a shipped directional config (issue 11 item 4), on real data.

Tolerance (measured with benchmarks/bench_parity.py, stated in docs/simulator.md): entries match bar by
bar (≥ 95 %), trades within 5 %, net PnL within 10 bp of the traded notional (the replay's market orders
pay the touch and the intrabar path; the engine exits at barrier prices).
"""

from __future__ import annotations

import pytest

from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.parity import run_parity

pytestmark = pytest.mark.slow


def test_baseline_backtest_and_replay_agree_bar_by_bar() -> None:
    run = run_parity(
        PROJECT_ROOT / "conf" / "controllers" / "baseline_trend_btc_usdt_1h.yml",
        "binance_BTC-USDT_1h.csv",
        "2023-01-01",
        "2023-03-31",
        capital=1001.0,
        fee=0.001,
    )
    report = run.report
    assert report.backtest_entries >= 2
    assert report.entry_match_pct >= 95.0
    assert report.trades_diff_pct <= 5.0
    assert report.pnl_gap_bp_of_volume <= 10.0
    # both ledgers start from the same funded account
    assert run.backtest.start_equity == run.replay.start_equity == 1001.0
