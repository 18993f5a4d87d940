"""Regime-switch walk-forward benchmark: switcher vs directional alone vs level grid alone vs baselines.

For each pair: Binance 1h, --start .. --end (quarterly blocks), fee per side, capital 1000; the
directional model refitted per block, regime thresholds fitted on the year before each block, levels
from closed bars; every figure from the one ledger. Prints the table and writes report.json and
table.txt under --out/<pair>. Models are cached there, so a rerun only re-evaluates.

    .venv/bin/python benchmarks/bench_regime.py [--pairs BTC-USDT ETH-USDT] [--start 2020-01-01]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.research.data import build_research_data
from hummingbot_plugin.research.regime_report import format_regime_table, write_regime_report
from hummingbot_plugin.research.regime_run import RegimeRunSettings, run_regime
from hummingbot_plugin.research.runner import default_inputs, load_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", nargs="+", default=["BTC-USDT", "ETH-USDT"])
    parser.add_argument("--start", default="2020-01-01")
    parser.add_argument("--end", default="2023-12-31")
    parser.add_argument("--fee", type=float, default=0.001)
    parser.add_argument("--configs-tried", type=int, default=3, help="N of the deflated Sharpe")
    parser.add_argument("--out", type=Path, default=Path("out/bench_regime"))
    args = parser.parse_args()
    for pair in args.pairs:
        settings = RegimeRunSettings(
            trading_pair=pair,
            start=args.start,
            end=args.end,
            out=args.out / pair.lower(),
            fee=args.fee,
            configs_tried=args.configs_tried,
        )
        history, inputs = load_inputs(default_inputs(f"binance_{pair}_1h.csv", pair), args.end)
        data = build_research_data(history, inputs, interval_seconds(settings.interval))
        result = run_regime(history, data, settings)
        title = f"{pair} regime walk-forward {args.start} .. {args.end}, fee {args.fee:.2%} per side"
        table = format_regime_table(title, result)
        write_regime_report(result, settings, table)
        print(table + "\n")


if __name__ == "__main__":
    main()
