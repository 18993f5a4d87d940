"""Market-making benchmarks on real data: forecast/volatility-aware quoting vs a plain fixed-spread quote.

Every section runs the strategy and its plain alternative in the same run, on the same data, with fees:

1. PMM on the 11-minute Binance L2 + trade capture (queue-aware fills), plus the queue-model validation
   (passive orders at the best bid/ask: simulator vs what the trade tape allows vs naive touch fills).
2. PMM on one month of Binance 1m candles (2024-07-26 → 08-25): volatility-aware vs fixed spread
   (no 1h history exists for 2024, so the 1h quantile model cannot warm up there: volatility only).
3. PMM on one month of Binance 5m candles (2023-06) WITH the out-of-sample quantile model
   (models/btc_usdt_1h_oos2023, trained to 2022-12-31) vs volatility-only vs fixed spread.
4. Hummingbot's own BacktestingEngineBase on the same PMM config and the first days of section 2.
5. XEMM Binance maker / KuCoin taker (2023-02-18 → 03-20; Binance has no 1m file for 2023, so both venues
   at 5m) and Binance / OKX at 1h (2023), each vs a fixed-spread PMM on the maker venue.
6. The fee table: fixed-spread maker, the forecast PMM and the GLFT quoter at every fee preset
   (hummingbot_plugin/fees.py) on the L2 capture, the 1m month and the 5m month; net PnL from the ledger
   and the break-even maker fee of every run.

XEMM on the same data as section 5 at every fee preset and three hedge latencies, with where it breaks
even: ``benchmarks/bench_xemm_fees.py``. Pure research path vs the full runtime: ``bench_mm_speed.py``.

Run: ``.venv/bin/python benchmarks/bench_market_making.py [--quick] [--json out.json]`` (a few minutes);
``--only-fees`` prints the fee table alone. Sections 1–5 charge --maker-fee/--taker-fee (fractions;
default futures regular: maker 0.02 %, taker 0.05 %) everywhere, the L2 capture included.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.data import load_candles, resample_candles
from hummingbot_plugin.fees import PRESETS, FeeSchedule, custom_schedule
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.mm import xemm
from hummingbot_plugin.mm.analytics import backtest_metrics, metrics_json, mm_report
from hummingbot_plugin.mm.forecast import quantile_forecast_fn
from hummingbot_plugin.mm.glft_data import book_estimates, candle_estimates
from hummingbot_plugin.mm.glft_plan import GLFTParams, glft_planner
from hummingbot_plugin.mm.params import PMMParams, fixed_spread
from hummingbot_plugin.settings import data_file, models_dir
from hummingbot_plugin.simulation.backtest.offline_run import run_offline
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.mm.book_replay import BookEvents, run_book_replay
from hummingbot_plugin.simulation.mm.fee_sweep import Quoter, SweepRow, format_table, sweep, with_fee
from hummingbot_plugin.simulation.mm.queue_validation import run_touch_validation, summarise_validation
from hummingbot_plugin.simulation.mm.quote_replay import ReplayOptions, ReplayResult, run_candle_replay
from hummingbot_plugin.simulation.mm.xemm_replay import XEMMSimParams, run_xemm_replay

CAPTURE = "20240808T2354Z_20240809T0005Z"
BUDGET = 10_000.0
GLFT_GAMMA = 1000.0  # inventory aversion, relative-price units (hummingbot_plugin/mm/glft.py)


def _row(
    name: str,
    result: ReplayResult | Any,
    seconds: float,
    bars: int,
    budget: float,
    fee: FeeSchedule,
    failures: int = 0,
    slippage: float = 0.0,
) -> dict[str, Any]:
    mid0 = float(result.mids["mid"].iloc[0])
    report = mm_report(
        result.fills,
        result.mids,
        n_orders=result.n_orders,
        inventory_limit_base=0.5 * budget / mid0,
        hedge_slippage_quote=slippage,
        n_hedge_failures=failures,
        schedule=fee,
    )
    metrics = backtest_metrics(result.fills, result.mids, capital=budget)
    print(
        f"  {name:<26} net {report.net_pnl_quote:>10.2f}  spread {report.spread_capture_quote:>10.2f}  "
        f"inventory {report.inventory_pnl_quote:>10.2f}  fees {report.fees_quote:>9.2f}  "
        f"fills {report.n_fills:>6}/{report.n_orders:<6} rate {report.fill_rate:6.1%}  "
        f"inv.std {report.inventory_std_quote:>8.1f}  at-limit {report.time_at_limit_pct:5.1f}%  "
        f"maxDD {metrics.max_drawdown_pct:5.2f}%  {bars / seconds:,.0f} bars/s"
    )
    print(f"  {'':<26} {report.fee_line()}")
    if failures or slippage:
        print(f"  {'':<26} hedge slippage {slippage:.2f} quote, hedge failures {failures}")
    return {
        "name": name,
        "seconds": seconds,
        "bars_per_second": bars / seconds,
        **metrics_json(report, metrics),
    }


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def bench_capture(fees: FeeSchedule) -> list[dict[str, Any]]:
    maker_fee = float(fees.maker)
    print("\n1. PMM on the 11-minute Binance book + trades (queue model), BTC-USDT")
    events = BookEvents(
        load_feed(data_file(f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv")).books,
        load_feed(data_file(f"binance_BTC-USDT_trades_{CAPTURE}.csv")).trades,
    )
    params = PMMParams(
        buy_spreads=[0.00002, 0.0001],
        sell_spreads=[0.00002, 0.0001],
        total_amount_quote=Decimal(2000),
        maker_fee=Decimal(str(maker_fee)),
        min_profit_margin=Decimal("0.00001"),
        volatility_window=30,
        volatility_factor=1.0,
        executor_refresh_time=5,
        filled_order_delay=5,
        order_refresh_tolerance_pct=Decimal("0.00005"),
    )
    rows = []
    for name, p in (("volatility-aware", params), ("fixed spread", fixed_spread(params))):
        result, sec = _timed(lambda p=p: run_book_replay(events, p))
        rows.append(_row(name, result, sec, len(events.books) + len(events.trades), 2000.0, fees))
    trials, sec = _timed(lambda: run_touch_validation(events))
    summary = summarise_validation(trials, 0.01)
    print(
        f"  queue validation ({int(summary['trials'])} passive 0.01 BTC orders at the touch, 30 s each, "
        f"{sec:.1f}s):"
    )
    for rule in ("sim", "tape", "through", "touch"):
        print(
            f"    {rule:<8} fill rate {summary[f'{rule}_fill_rate']:6.1%}  "
            f"filled fraction {summary[f'{rule}_filled_fraction']:6.1%}"
        )
    print(f"    simulator above the trades-only bound in {summary['sim_above_tape_pct']:.1f}% of trials")
    rows.append({"name": "queue_validation", **summary})
    return rows


def _pmm(maker_fee: float, interval: str) -> PMMParams:
    return PMMParams(
        buy_spreads=[0.001, 0.002],
        sell_spreads=[0.001, 0.002],
        total_amount_quote=Decimal(BUDGET),
        maker_fee=Decimal(str(maker_fee)),
        min_profit_margin=Decimal("0.0001"),
        candles_interval=interval,
        executor_refresh_time=30,
        filled_order_delay=60,
    )


def bench_month_1m(fees: FeeSchedule, quick: bool) -> list[dict[str, Any]]:
    maker_fee = float(fees.maker)
    candles = load_candles(data_file("binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"))
    candles = candles.iloc[: 3 * 1440] if quick else candles
    print(f"\n2. PMM on {len(candles)} Binance 1m candles (2024-07-26 →), candle fills (trade-through)")
    rows = []
    for name, p in (
        ("volatility-aware", _pmm(maker_fee, "1m")),
        ("fixed spread", fixed_spread(_pmm(maker_fee, "1m"))),
    ):
        result, sec = _timed(lambda p=p: run_candle_replay(candles, p, bar_seconds=60))
        rows.append(_row(name, result, sec, len(candles), BUDGET, fees))
    return rows


def bench_forecast_5m(fees: FeeSchedule, quick: bool) -> list[dict[str, Any]]:
    maker_fee = float(fees.maker)
    end = "2023-06-07" if quick else "2023-06-30"
    bars = load_candles(data_file("binance_BTC-USDT_5m.csv"), start="2023-06-01", end=end)
    history = load_candles(data_file("binance_BTC-USDT_1h.csv"), start="2022-11-01", end=end)
    print(f"\n3. PMM on {len(bars)} Binance 5m candles (2023-06), out-of-sample 1h quantile model")
    forecast = quantile_forecast_fn(models_dir() / "btc_usdt_1h_oos2023", history=history)
    base = _pmm(maker_fee, "5m")
    rows = []
    cases = (
        ("forecast + volatility", base, forecast),
        ("volatility only", base, None),
        ("fixed spread", fixed_spread(base), None),
    )
    for name, p, fn in cases:
        result, sec = _timed(lambda p=p, fn=fn: run_candle_replay(bars, p, bar_seconds=300, forecast_fn=fn))
        rows.append(_row(name, result, sec, len(bars), BUDGET, fees))
    return rows


def bench_hummingbot_engine(fees: FeeSchedule, quick: bool) -> list[dict[str, Any]]:
    maker_fee = float(fees.maker)
    candles = load_candles(data_file("binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv")).iloc[
        : (2 if quick else 7) * 1440
    ]
    print(f"\n4. Same PMM, {len(candles)} 1m bars: Hummingbot's BacktestingEngineBase vs our candle replay")
    ensure_project_importable()
    cfg_cls = importlib.import_module("controllers.market_making.pmm_forecast").PMMForecastConfig
    cfg = cfg_cls(
        id="bench_pmm",
        connector_name="binance",
        trading_pair="BTC-USDT",
        buy_spreads="0.001,0.002",
        sell_spreads="0.001,0.002",
        total_amount_quote=BUDGET,
        maker_fee=maker_fee,
        min_profit_margin=0.0001,
        candles_interval="1m",
        executor_refresh_time=30,
        filled_order_delay=60,
    )
    start, end = int(candles["timestamp"].iloc[0]), int(candles["timestamp"].iloc[-1])
    run, sec = _timed(
        lambda: run_offline(
            cfg, candles, "1m", start=start, end=end, resolution="1m", fee=maker_fee, source="bench"
        )
    )
    summary = run.hummingbot_summary
    fills = sum(1 for e in run.executors if e.filled_amount_quote > 0)
    net_all = summary["net_pnl_quote"] + summary["unrealized_pnl_quote"] - summary["total_fees_quote"]
    print(
        f"  {'hummingbot engine':<26} summary net_pnl_quote {summary['net_pnl_quote']:.2f} (fees "
        f"{summary['total_fees_quote']:.2f} and unrealized {summary['unrealized_pnl_quote']:.2f} apart) -> "
        f"after fees {net_all:.2f}  fills {fills}/{len(run.executors)}  {len(candles) / sec:,.0f} bars/s"
    )
    result, sec2 = _timed(lambda: run_candle_replay(candles, _pmm(maker_fee, "1m"), bar_seconds=60))
    row = _row("our candle replay", result, sec2, len(candles), BUDGET, fees)
    return [
        {
            "name": "hummingbot_engine",
            "seconds": sec,
            "summary": summary,
            "net_after_fees": net_all,
            "fills": fills,
            "executors": len(run.executors),
        },
        row,
    ]


def _xemm_params(maker_fee: float, taker_fee: float, mid: float, repricing: str) -> XEMMSimParams:
    levels = (
        xemm.XEMMLevel("buy_0", "buy", 0.001, 1000.0),
        xemm.XEMMLevel("buy_1", "buy", 0.002, 1000.0),
        xemm.XEMMLevel("sell_0", "sell", 0.001, 1000.0),
        xemm.XEMMLevel("sell_1", "sell", 0.002, 1000.0),
    )
    return XEMMSimParams(
        levels=levels,
        min_profitability=0.0005,
        max_profitability_margin=0.001,
        maker_fee=maker_fee,
        taker_fee=taker_fee,
        size_limits=xemm.SizeLimits(0.25, 0.995, 0.3),
        repricing=repricing,
        start_base_per_venue=BUDGET / 4 / mid,
        start_quote_per_venue=BUDGET / 4,
    )


def bench_xemm(fees: FeeSchedule, quick: bool) -> list[dict[str, Any]]:
    maker_fee, taker_fee = float(fees.maker), float(fees.taker)
    rows = []
    end_k = "2023-02-25" if quick else "2023-03-20"
    cases = [
        (
            "Binance/KuCoin 5m",
            load_candles(data_file("binance_BTC-USDT_5m.csv"), start="2023-02-18", end=end_k),
            resample_candles(
                load_candles(data_file("kucoin_BTC-USDT_1m_2023-02-18_2023-03-20.csv"), end=end_k),
                "5m",
                incomplete="drop",
            ),
            300,
        ),
        (
            "Binance/OKX 1h",
            load_candles(
                data_file("binance_BTC-USDT_1h.csv"),
                start="2023-01-01",
                end="2023-03-31" if quick else "2023-12-31",
            ),
            load_candles(data_file("okx_BTC-USDT_1h.csv"), start="2023-01-01"),
            3600,
        ),
    ]
    for name, maker, taker, secs in cases:
        print(f"\n5. XEMM {name}: {len(maker)} maker bars; hedge latency 0.5 s, taker half-spread 0.5 bp")
        for repricing in ("continuous", "bar"):
            params = _xemm_params(maker_fee, taker_fee, float(maker["close"].iloc[0]), repricing)
            result, sec = _timed(
                lambda m=maker, t=taker, p=params, s=secs: run_xemm_replay(m, t, p, bar_seconds=s)
            )
            rows.append(
                _row(
                    f"xemm ({repricing} repricing)",
                    result,
                    sec,
                    len(maker),
                    BUDGET,
                    fees,
                    failures=len(result.hedge_failures),
                    slippage=result.hedge_slippage_quote,
                )
            )
        interval = "5m" if secs == 300 else "1h"
        plain = fixed_spread(_pmm(maker_fee, interval))
        result, sec = _timed(lambda m=maker, p=plain, s=secs: run_candle_replay(m, p, bar_seconds=s))
        rows.append(_row(f"fixed-spread PMM {name}", result, sec, len(maker), BUDGET, fees))
    return rows


def _glft_settings(order_quote: float, max_inventory_quote: float, interval: str, refresh: int) -> PMMParams:
    """Timers and feature settings the GLFT quoter shares with the PMM (one level a side)."""
    return PMMParams(
        buy_spreads=[0.001],
        sell_spreads=[0.001],
        total_amount_quote=Decimal(2 * order_quote),
        candles_interval=interval,
        executor_refresh_time=refresh,
        filled_order_delay=refresh,
        order_refresh_tolerance_pct=Decimal("0.00002"),
        min_profit_margin=Decimal(0),
        inventory_range_pct=max_inventory_quote / (2 * order_quote),
    )


def _glft(
    settings: PMMParams,
    estimates: list[Any],
    step_s: float,
    run: Callable[[PMMParams, ReplayOptions], Any],
    order_quote: float,
    max_inventory_quote: float,
    forecast_weight: float = 0.0,
) -> Quoter:
    def go(fs: FeeSchedule) -> Any:
        gp = GLFTParams(
            GLFT_GAMMA,
            order_quote,
            max_inventory_quote,
            float(fs.maker),
            forecast_skew_weight=forecast_weight,
        )
        planner = glft_planner(gp, estimates, step_s)
        return run(with_fee(settings, fs), ReplayOptions(fees=fs, planner=planner))

    return Quoter("GLFT" + (" + forecast skew" if forecast_weight else ""), go)


def _pmm_pair(base: PMMParams, run: Callable[[PMMParams, ReplayOptions], Any], pmm_name: str) -> list[Quoter]:
    return [
        Quoter("fixed spread", lambda fs: run(with_fee(fixed_spread(base), fs), ReplayOptions(fees=fs))),
        Quoter(pmm_name, lambda fs: run(with_fee(base, fs), ReplayOptions(fees=fs))),
    ]


def fee_table_capture() -> list[SweepRow]:
    events = BookEvents(
        load_feed(data_file(f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv")).books,
        load_feed(data_file(f"binance_BTC-USDT_trades_{CAPTURE}.csv")).trades,
    )
    base = PMMParams(
        buy_spreads=[0.00002, 0.0001],
        sell_spreads=[0.00002, 0.0001],
        total_amount_quote=Decimal(2000),
        min_profit_margin=Decimal("0.00001"),
        volatility_window=30,
        volatility_factor=1.0,
        executor_refresh_time=5,
        filled_order_delay=5,
        order_refresh_tolerance_pct=Decimal("0.00005"),
    )

    def run(p: PMMParams, o: ReplayOptions) -> Any:
        return run_book_replay(events, p, options=o)

    glft = _glft(
        _glft_settings(1000, 5000, "1m", 5),
        book_estimates(events.books, events.trades),
        30.0,
        run,
        1000,
        5000,
    )
    return sweep("L2 capture 11 min", [*_pmm_pair(base, run, "volatility PMM"), glft], PRESETS.values(), 2000)


def fee_table_1m(quick: bool) -> list[SweepRow]:
    candles = load_candles(data_file("binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"))
    candles = candles.iloc[: 3 * 1440] if quick else candles

    def run(p: PMMParams, o: ReplayOptions) -> Any:
        return run_candle_replay(candles, p, bar_seconds=60, options=o)

    est = candle_estimates(candles, 60, lookback_s=6 * 3600, step_s=3600)
    glft = _glft(_glft_settings(2000, 5000, "1m", 30), est, 3600.0, run, 2000, 5000)
    quoters = [*_pmm_pair(_pmm(0.001, "1m"), run, "volatility PMM"), glft]
    return sweep("1m month 2024-07-26", quoters, PRESETS.values(), BUDGET)


def fee_table_5m(quick: bool) -> list[SweepRow]:
    end = "2023-06-07" if quick else "2023-06-30"
    bars = load_candles(data_file("binance_BTC-USDT_5m.csv"), start="2023-06-01", end=end)
    history = load_candles(data_file("binance_BTC-USDT_1h.csv"), start="2022-11-01", end=end)
    forecast = quantile_forecast_fn(models_dir() / "btc_usdt_1h_oos2023", history=history)(bars)

    def run(p: PMMParams, o: ReplayOptions) -> Any:
        return run_candle_replay(bars, p, bar_seconds=300, forecast_fn=lambda _c: forecast, options=o)

    grid = np.linspace(0.0, 0.005, 51, dtype=np.float64)
    est = candle_estimates(bars, 300, lookback_s=2 * 86400, step_s=86400, grid=grid)
    base = _glft_settings(2000, 5000, "5m", 30)
    settings = PMMParams.model_validate({**base.model_dump(), "forecast_skew_weight": 0.5})
    quoters = [
        *_pmm_pair(_pmm(0.001, "5m"), run, "forecast PMM"),
        _glft(settings, est, 86400.0, run, 2000, 5000, forecast_weight=1.0),
    ]
    return sweep("5m month 2023-06", quoters, PRESETS.values(), BUDGET)


def bench_fee_table(quick: bool) -> list[dict[str, Any]]:
    print("\n6. Net PnL (quote, from the ledger) per fee preset; every run quotes at its own fee tier")
    for name, schedule in PRESETS.items():
        print(f"   {name:<16} {schedule.tier:<26} {schedule.label}")
    rows = [*fee_table_capture(), *fee_table_1m(quick), *fee_table_5m(quick)]
    net = "\nNet PnL (quote; 'ruin' = the account lost its whole budget)"
    print(format_table(rows, lambda r: "ruin" if r.ruined else f"{r.net_pnl_quote:,.2f}", net))
    print(
        format_table(
            rows,
            lambda r: f"{r.report.break_even_maker_fee * 1e4:+.2f}",
            "\nBreak-even maker fee (bp), each run",
        )
    )
    print(
        format_table(
            rows,
            lambda r: f"{r.report.n_fills}/{r.report.fees_quote:,.1f}",
            "\nFills / fees (quote) of each run",
        )
    )
    return [r.to_dict() for r in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter periods (a smoke run)")
    parser.add_argument("--maker-fee", type=float, default=0.0002)
    parser.add_argument("--taker-fee", type=float, default=0.0005)
    parser.add_argument("--only-fees", action="store_true", help="print only section 6, the fee table")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args()
    fees = custom_schedule(args.maker_fee, args.taker_fee, name="--maker-fee/--taker-fee")
    print(f"sections 1-5: fee {fees.label}, budget {BUDGET:,.0f} USDT")
    rows = (
        []
        if args.only_fees
        else [
            *bench_capture(fees),
            *bench_month_1m(fees, args.quick),
            *bench_forecast_5m(fees, args.quick),
            *bench_hummingbot_engine(fees, args.quick),
            *bench_xemm(fees, args.quick),
        ]
    )
    rows += bench_fee_table(args.quick)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
