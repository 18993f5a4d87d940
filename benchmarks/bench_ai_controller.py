"""AI livestream controller: (a) live tick cost, (b) out-of-sample 2023 backtests vs baseline and buy & hold.

(a) ``update_processed_data`` on the replay market-data provider (a real Hummingbot MarketDataProvider
    serving the last 1,100 closed 1h bars, as the controller requests), measured three ways in one run:
    * new bar every tick — the live path: the newest row only (features + 3 LightGBM predictions);
    * same bar again — the forecast is cached per bar, only the rule is re-applied;
    * the alternative: recompute the whole vectorised frame over the window every tick.
    Target: p99 <= 2 ms for the live path. Wall time (perf_counter) and CPU time of this process
    (process_time: excludes time the shared machine gave to other processes) are both reported.
(b) Hummingbot's BacktestingEngineBase (offline provider) on Binance 1h 2023, fee 0.1 %, capital 1000:
    the shipped AI configs (models trained up to 2022-12-31, so 2023 is out-of-sample) against the
    baseline trend controller and buy & hold. Same metrics code as ``python -m hummingbot_plugin backtest``.

Run: ``.venv/bin/python benchmarks/bench_ai_controller.py`` (about one to two minutes).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hummingbot_plugin.data import load_candles, to_epoch_bound  # noqa: E402
from hummingbot_plugin.hb.controller_config import load_controller_config  # noqa: E402
from hummingbot_plugin.ledger import Marks, account_figures, build_ledger  # noqa: E402
from hummingbot_plugin.ledger.document import buy_and_hold  # noqa: E402
from hummingbot_plugin.settings import data_file  # noqa: E402
from hummingbot_plugin.simulation.backtest.offline_run import run_offline  # noqa: E402

CONF = ROOT / "conf" / "controllers"
FEE, CAPITAL = 0.001, 1000.0
HOUR = 3600.0
TICKS = 300


def _controller(candles: Any, clock: list[float]) -> Any:
    from hummingbot_plugin.mqtt import ControlChannelSettings
    from hummingbot_plugin.simulation.engine.candle_store import CandleStore
    from hummingbot_plugin.simulation.exchange.market_data import ReplayMarketDataProvider

    config = load_controller_config(
        CONF / "ai_livestream_btc_usdt_1h.yml", {"mqtt": ControlChannelSettings(replay_state_dir=None)}
    )
    store = CandleStore()
    store.add("binance", "BTC-USDT", candles, "1h")
    provider = ReplayMarketDataProvider({}, candles=store, now=lambda: clock[0])
    return type(config).__module__, config, provider


def _percentiles(samples: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    wall, cpu = (np.asarray(column) * 1e3 for column in zip(*samples, strict=True))
    return (
        float(np.percentile(wall, 50)),
        float(np.percentile(wall, 99)),
        float(np.percentile(cpu, 50)),
        float(np.percentile(cpu, 99)),
    )


def _timed(action: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_tick() -> list[tuple[str, float, float, float, float]]:
    import importlib

    candles = load_candles(data_file("binance_BTC-USDT_1h.csv"), start="2022-10-01", end="2023-03-31")
    stamps = candles["timestamp"].to_numpy(float)
    first = int(np.searchsorted(stamps, to_epoch_bound("2023-02-01", is_end=False)))
    clock = [stamps[first] + HOUR + 1]
    module_name, config, provider = _controller(candles, clock)
    controller = importlib.import_module(module_name).AiLivestreamController(
        config, provider, asyncio.Queue()
    )
    loop = asyncio.new_event_loop()
    new_bar, same_bar, full_frame = [], [], []

    def tick() -> None:
        loop.run_until_complete(controller.update_processed_data())

    for i in range(TICKS):
        clock[0] = stamps[first + i] + HOUR + 1
        new_bar.append(_timed(tick))
        clock[0] += 60
        same_bar.append(_timed(tick))
    assert controller.processed_data["reason"] == "", controller.processed_data["reason"]
    from hummingbot_plugin.ai import config_rules

    rule = config_rules.signal_rule(controller.config)
    for i in range(30):
        window = candles.iloc[first + i - 1000 : first + i + 1]
        full_frame.append(_timed(lambda w=window: controller.engine.frame(w, rule)))
    loop.close()
    return [
        ("live: new bar each tick (newest row only)", *_percentiles(new_bar)),
        ("live: same bar (cached forecast)", *_percentiles(same_bar)),
        ("alternative: full frame on the window", *_percentiles(full_frame)),
    ]


def _backtest(config_name: str, pair: str) -> Any:
    candles = load_candles(data_file(f"binance_{pair}-USDT_1h.csv"), start="2022-06-01", end="2023-12-31")
    config = load_controller_config(CONF / config_name, {"total_amount_quote": CAPITAL})
    start, end = to_epoch_bound("2023-01-01", is_end=False), to_epoch_bound("2023-12-31", is_end=True)
    assert start is not None and end is not None
    run = run_offline(
        config,
        candles,
        "1h",
        start=int(start),
        end=int(end),
        resolution="1h",
        fee=FEE,
        source=f"binance_{pair}-USDT_1h.csv",
    )
    marks = Marks(run.timestamps, {run.market: run.closes})
    ledger = build_ledger(run.fills, run.start_balances, marks)
    return account_figures(ledger), account_figures(buy_and_hold([run.market], marks, CAPITAL, FEE))


def bench_backtests() -> list[tuple[str, str, float | None, float, float, int]]:
    rows = []
    for pair in ("BTC", "ETH"):
        ai, hold = _backtest(f"ai_livestream_{pair.lower()}_usdt_1h.yml", pair)
        base, _ = _backtest(f"baseline_trend_{pair.lower()}_usdt_1h.yml", pair)
        rows.append(
            (pair, "ai_livestream", ai.sharpe_daily_annualized, ai.max_drawdown_pct, ai.return_pct, ai.trades)
        )
        rows.append(
            (
                pair,
                "baseline_trend",
                base.sharpe_daily_annualized,
                base.max_drawdown_pct,
                base.return_pct,
                base.trades,
            )
        )
        rows.append(
            (
                pair,
                "buy & hold",
                hold.sharpe_daily_annualized,
                hold.max_drawdown_pct,
                hold.return_pct,
                hold.trades,
            )
        )
    return rows


def main() -> int:
    logging.disable(logging.WARNING)
    print(
        "(a) update_processed_data, 1h BTC-USDT, 1,100-bar window, "
        f"{TICKS} ticks each (ms)\n{'case':<45}{'wall p50':>9}{'wall p99':>9}{'cpu p50':>9}{'cpu p99':>9}"
    )
    for name, *values in bench_tick():
        print(f"{name:<45}" + "".join(f"{v:>9.3f}" for v in values))
    print("\n(b) out-of-sample 2023, 1h bars, fee 0.1 %, capital 1000 (Hummingbot BacktestingEngineBase)")
    print(f"{'pair':<5}{'strategy':<16}{'Sharpe(d)':>10}{'maxDD %':>9}{'return %':>10}{'trades':>8}")
    for pair, name, sharpe, mdd, ret, trades in bench_backtests():
        shown = "-" if sharpe is None else f"{sharpe:.2f}"
        print(f"{pair:<5}{name:<16}{shown:>10}{mdd:>9.2f}{ret:>10.2f}{trades:>8d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
