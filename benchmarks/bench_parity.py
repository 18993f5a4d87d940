"""Backtest–replay parity of every shipped directional config (issue 11): entries bar by bar, trades, PnL.

Usage: .venv/bin/python benchmarks/bench_parity.py [--start 2023-01-01 --end 2023-12-31]
Both runs start from the same funded account (capital 1001 USDT: the controller's 1000 plus its fee),
fee 0.1 %, the controller's own risk limits, on the one ledger.
"""

from __future__ import annotations

import argparse
import logging
import time

from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.parity import run_parity

CONFIGS = (
    ("baseline_trend_btc_usdt_1h.yml", "binance_BTC-USDT_1h.csv"),
    ("baseline_trend_eth_usdt_1h.yml", "binance_ETH-USDT_1h.csv"),
    ("ai_livestream_btc_usdt_1h.yml", "binance_BTC-USDT_1h.csv"),
    ("ai_livestream_eth_usdt_1h.yml", "binance_ETH-USDT_1h.csv"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2023-01-01")
    parser.add_argument("--end", default="2023-12-31")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"parity {args.start} → {args.end}, fee 0.001, capital 1001 USDT")
    head = (
        "config",
        "entries bt/rp",
        "matched %",
        "trades bt/rp",
        "Δtrades %",
        "net bt",
        "net rp",
        "Δnet % fees",
        "Δnet bp vol",
        "wall s",
    )
    print(
        f"{head[0]:34}{head[1]:>14}{head[2]:>10}{head[3]:>13}{head[4]:>10}{head[5]:>10}{head[6]:>10}"
        f"{head[7]:>12}{head[8]:>12}{head[9]:>8}"
    )
    for config, candles in CONFIGS:
        started = time.perf_counter()
        report = run_parity(
            PROJECT_ROOT / "conf" / "controllers" / config,
            candles,
            args.start,
            args.end,
            capital=1001.0,
            fee=0.001,
        ).report
        print(
            f"{config:34}{report.backtest_entries:>7}/{report.replay_entries:<6}{report.entry_match_pct:>10.1f}"
            f"{report.backtest_trades:>7}/{report.replay_trades:<5}{report.trades_diff_pct:>10.1f}"
            f"{report.backtest_net_pnl:>10.2f}{report.replay_net_pnl:>10.2f}{report.pnl_diff_pct_of_fees:>12.1f}"
            f"{report.pnl_gap_bp_of_volume:>12.1f}"
            f"{time.perf_counter() - started:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
