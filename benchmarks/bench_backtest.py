"""Backtest throughput: our command path vs Hummingbot's BacktestingEngineBase called directly.

Same controller (baseline_trend), same data, same run. Two data sets: one year (2023) of
Binance BTC-USDT 1h bars and one year of 5m bars (resolution = the file's interval).

* command: ``python -m hummingbot_plugin backtest ...`` in-process (load + validate the CSV, offline
  provider, engine, our metrics, JSON) — the report is not drawn;
* direct: a stock ``BacktestingEngineBase`` whose stock provider is preloaded with the same
  candles (the engine's own get_candles_df, so no warm-up history) and trading rules; its rate
  task is disabled (it would poll an exchange).

Both paths include loading the CSV. Run: ``.venv/bin/python benchmarks/bench_backtest.py``
(about two minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hummingbot.strategy_v2.backtesting.backtesting_engine_base import BacktestingEngineBase

from hummingbot_plugin.cli import main
from hummingbot_plugin.data import load_candles
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.backtest.offline_provider import to_trading_rule
from hummingbot_plugin.simulation.backtest.trading_rules import load_rules_file, pair_rules

CONFIG = PROJECT_ROOT / "conf" / "controllers" / "baseline_trend_btc_usdt_1h.yml"
CASES = [("binance_BTC-USDT_1h.csv", "1h"), ("binance_BTC-USDT_5m.csv", "5m")]
START, END = "2023-01-01", "2023-12-30"  # the 5m file ends on 2023-12-30


def run_command(candles: str, out: Path) -> tuple[float, int]:
    argv = [
        "backtest",
        "--config",
        str(CONFIG),
        "--candles",
        candles,
        "--start",
        START,
        "--end",
        END,
        "--fee",
        "0.001",
        "--capital",
        "1000",
        "--json",
        str(out),
    ]
    began = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        if main(argv) != 0:
            raise SystemExit(f"backtest command failed on {candles}")
    elapsed = time.perf_counter() - began
    return elapsed, int(json.loads(out.read_text())["period"]["bars"])


def run_direct(candles_name: str, interval: str) -> tuple[float, int]:
    began = time.perf_counter()
    candles = load_candles(data_file(candles_name))
    hourly = load_candles(data_file("binance_BTC-USDT_1h.csv"))
    config = load_controller_config(CONFIG, {"total_amount_quote": 1000})
    engine = BacktestingEngineBase()
    provider: Any = engine.backtesting_data_provider
    provider.initialize_rate_sources = lambda pairs: None  # stock: starts a task polling an exchange
    provider.trading_rules["binance"] = {
        p: to_trading_rule(p, r) for p, r in pair_rules(load_rules_file(), "binance").items()
    }
    provider.candles_feeds[f"binance_BTC-USDT_{interval}"] = candles
    provider.candles_feeds["binance_BTC-USDT_1h"] = hourly
    start = int(load_candles(data_file(candles_name), start=START, end=END)["timestamp"].iloc[0])
    end = int(load_candles(data_file(candles_name), start=START, end=END)["timestamp"].iloc[-1])
    result = asyncio.run(engine.run_backtesting(config, start, end, interval, trade_cost=0.001))
    elapsed = time.perf_counter() - began
    return elapsed, len(result["processed_data"]["features"])


def main_bench() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        run_command(CASES[0][0], Path(tmp) / "warm-up.json")  # imports, controller class cache
        for name, interval in CASES:
            repeats = 2 if interval == "1h" else 1  # the machine is shared: best of two where cheap
            command = min(run_command(name, Path(tmp) / f"{interval}.json") for _ in range(repeats))
            direct = min(run_direct(name, interval) for _ in range(repeats))
            rows.append((f"BTC-USDT {interval} 2023", command[1], command[0], direct[1], direct[0]))
    print(
        f"{'data':18}{'bars':>9}{'command s':>11}{'bars/s':>10}{'direct bars':>13}{'direct s':>10}"
        f"{'bars/s':>10}{'overhead':>10}"
    )
    for label, c_bars, c_s, d_bars, d_s in rows:
        overhead = (c_s / c_bars) / (d_s / d_bars) - 1.0
        print(
            f"{label:18}{c_bars:>9}{c_s:>11.2f}{c_bars / c_s:>10.0f}{d_bars:>13}{d_s:>10.2f}"
            f"{d_bars / d_s:>10.0f}{overhead:>+10.0%}"
        )
    print(
        "overhead = command seconds per bar / direct seconds per bar - 1 (direct has no warm-up: "
        "its first bars lack features and are dropped by the engine)"
    )


if __name__ == "__main__":
    main_bench()
