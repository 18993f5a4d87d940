"""Walk-forward research benchmark: the strategy against buy-and-hold, MA 50/200 and 50-day momentum.

For each pair: a nested walk-forward over --start .. --end (Binance 1h, fee per side, capital 1000),
retraining every quarter, Optuna choosing on the blocks before each one, every figure from the one
ledger. Prints the comparison table (Sharpe, return, max DD, per-year returns, turnover, fees, time in
market, fills) with the configurations tried, the deflated Sharpe probability and the bootstrap interval.
Run folders are kept under --out, so a second call resumes (and, when complete, only re-evaluates).

    .venv/bin/python benchmarks/bench_walkforward.py [--pairs BTC-USDT ETH-USDT] [--trials 40]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hummingbot_plugin.research.engine import RunSettings
from hummingbot_plugin.research.runner import default_inputs, run_and_write

TARGETS = "targets: daily Sharpe >= 1.5, above buy-and-hold and 50-day momentum, max DD <= 25 %, DSR >= 0.95"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", nargs="+", default=["BTC-USDT", "ETH-USDT"])
    parser.add_argument("--start", default="2020-01-01")
    parser.add_argument("--end", default="2023-12-31")
    parser.add_argument("--fee", type=float, default=0.001)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("out/bench_walkforward"))
    args = parser.parse_args()
    for pair in args.pairs:
        settings = RunSettings(
            trading_pair=pair,
            start=args.start,
            end=args.end,
            fee=args.fee,
            trials=args.trials,
            out=args.out / pair.lower(),
        )
        files = default_inputs(f"binance_{pair}_1h.csv", pair)
        result, table = run_and_write(files, settings, resume=True)
        print(table)
        strategy = {row["name"]: row for row in result.rows}
        best = max(
            strategy["buy_and_hold"]["sharpe_daily_annualized"] or 0.0,
            strategy["momentum_50d"]["sharpe_daily_annualized"] or 0.0,
        )
        mine = strategy["strategy"]["sharpe_daily_annualized"] or 0.0
        print(f"{pair}: strategy Sharpe {mine:.2f} vs best simple baseline {best:.2f}; {TARGETS}\n")


if __name__ == "__main__":
    main()
