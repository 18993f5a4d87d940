"""XEMM on the finest data both venues share, at every fee preset and three hedge latencies.

Maker venue Binance 5m, taker venue KuCoin's 1m month (2023-02-18 → 03-20) resampled to 5m (bars not
complete on KuCoin are dropped: a missing taker bar is an outage, the hedge fails and is retried). The XEMM
path is the controller's logic replayed by :func:`simulation.mm.xemm_replay.run_xemm_replay`: four
levels (buy/sell at 0.1 % and 0.2 % target profitability, 1,000 USDT each), min profitability 0.05 %,
taker half-spread 0.5 bp, hedge latency slippage = 1 σ of the bar return × √(latency / bar).

Every (repricing model, hedge latency, preset) is a separate run that quotes at its own fee tier (the
maker price carries maker + taker fee); the preset's maker rate is charged on Binance and its taker rate
on KuCoin (KuCoin's own schedule differs: an assumption, stated). Net PnL is the one ledger's (both venues'
fills, marked at the Binance close); the break-even maker fee holds each run's fills fixed:
``(gross − taker fees) / maker notional``.

Run: ``.venv/bin/python benchmarks/bench_xemm_fees.py [--quick] [--json out.json]`` (about a minute).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from hummingbot_plugin.data import load_candles, resample_candles
from hummingbot_plugin.fees import PRESETS, FeeSchedule
from hummingbot_plugin.mm import xemm
from hummingbot_plugin.settings import data_file
from hummingbot_plugin.simulation.mm.fee_sweep import Quoter, SweepRow, format_table, sweep
from hummingbot_plugin.simulation.mm.xemm_replay import XEMMSimParams, run_xemm_replay

BUDGET = 10_000.0
LATENCIES_S = (0.1, 0.5, 2.0)
LEVELS = (
    xemm.XEMMLevel("buy_0", "buy", 0.001, 1000.0),
    xemm.XEMMLevel("buy_1", "buy", 0.002, 1000.0),
    xemm.XEMMLevel("sell_0", "sell", 0.001, 1000.0),
    xemm.XEMMLevel("sell_1", "sell", 0.002, 1000.0),
)


def load_venues(quick: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Binance 5m, KuCoin 1m resampled to 5m) over the KuCoin month (a week with ``quick``)."""
    end = "2023-02-25" if quick else "2023-03-20"
    maker = load_candles(data_file("binance_BTC-USDT_5m.csv"), start="2023-02-18", end=end)
    kucoin = load_candles(data_file("kucoin_BTC-USDT_1m_2023-02-18_2023-03-20.csv"), end=end)
    return maker.reset_index(drop=True), resample_candles(kucoin, "5m", incomplete="drop")


def params(fees: FeeSchedule, latency_s: float, repricing: str, mid: float) -> XEMMSimParams:
    return XEMMSimParams(
        levels=LEVELS,
        min_profitability=0.0005,
        max_profitability_margin=0.001,
        maker_fee=float(fees.maker),
        taker_fee=float(fees.taker),
        size_limits=xemm.SizeLimits(0.25, 0.995, 0.3),
        hedge_latency_s=latency_s,
        repricing=repricing,
        start_base_per_venue=BUDGET / 4 / mid,
        start_quote_per_venue=BUDGET / 4,
    )


#: (quoter, preset) -> (hedge slippage in quote, hedge failures) of each run (the sweep keeps the fills)
HEDGES: dict[tuple[str, str], tuple[float, int]] = {}


def quoters(maker: pd.DataFrame, taker: pd.DataFrame) -> list[Quoter]:
    mid = float(maker["close"].iloc[0])
    out = []
    for repricing in ("continuous", "bar"):
        for latency in LATENCIES_S:
            name = f"XEMM {repricing}, hedge {latency:g} s"

            def run(fs: FeeSchedule, r: str = repricing, lat: float = latency, n: str = name) -> Any:
                result = run_xemm_replay(maker, taker, params(fs, lat, r, mid), bar_seconds=300)
                HEDGES[(n, fs.name)] = (result.hedge_slippage_quote, len(result.hedge_failures))
                return result

            out.append(Quoter(name, run))
    return out


def break_even_summary(rows: list[SweepRow]) -> list[str]:
    """One line per quoter: the presets where it nets ≥ 0 with fills, and the maker fee it would need."""
    lines = []
    for quoter in dict.fromkeys(r.quoter for r in rows):
        sub = [r for r in rows if r.quoter == quoter]
        if all(r.report.n_fills == 0 for r in sub):
            lines.append(f"  {quoter:<30} no maker fill at any preset: it never trades, so it never earns")
            continue
        wins = [r.preset for r in sub if r.report.n_fills and r.net_pnl_quote >= 0 and not r.ruined]
        best = max(sub, key=lambda r: r.net_pnl_quote)
        tier = float(PRESETS[best.preset].maker) * 1e4
        lines.append(
            f"  {quoter:<30} nets >= 0 at: {', '.join(wins) or 'no preset'}; best {best.preset} "
            f"{best.net_pnl_quote:+,.2f} ({best.report.n_fills} maker fills); it would need a maker fee of "
            f"{best.report.break_even_maker_fee * 1e4:+.2f} bp (its tier: {tier:+.2f})"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first week only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    maker, taker = load_venues(args.quick)
    print(
        f"XEMM Binance 5m maker / KuCoin 1m→5m taker: {len(maker)} maker bars, {len(taker)} taker bars "
        f"({pd.to_datetime(maker['timestamp'].iloc[0], unit='s')} → "
        f"{pd.to_datetime(maker['timestamp'].iloc[-1], unit='s')}), budget {BUDGET:,.0f} USDT"
    )
    for name, schedule in PRESETS.items():
        print(f"   {name:<16} {schedule.label}")
    rows = sweep("XEMM Binance/KuCoin 5m", quoters(maker, taker), PRESETS.values(), BUDGET)
    print(
        format_table(
            rows, lambda r: "ruin" if r.ruined else f"{r.net_pnl_quote:,.2f}", "\nNet PnL (quote, ledger)"
        )
    )
    print(
        format_table(
            rows,
            lambda r: f"{r.report.break_even_maker_fee * 1e4:+.2f}",
            "\nBreak-even maker fee (bp), each run's fills held fixed",
        )
    )
    print(
        format_table(
            rows,
            lambda r: (
                f"{r.report.n_fills}/{r.report.fees_quote:,.1f}/"
                f"{HEDGES[(r.quoter, r.preset)][0]:,.1f}/{HEDGES[(r.quoter, r.preset)][1]}"
            ),
            "\nMaker fills / fees / hedge slippage (quote) / hedge failures",
        )
    )
    print("\nWhere it breaks even:")
    print("\n".join(break_even_summary(rows)))
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in rows], indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
