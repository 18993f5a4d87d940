"""The fast research path (pure matching engine + pure quoting) beside the full Hummingbot runtime replay.

Same controller config, same data, same fees and latency, in one run:

* **full**: ``replay`` through Hummingbot's runtime (the V2 script, the PMM controller, real OrderExecutors,
  the simulated exchange), positions left open at the end (no closing taker orders);
* **pure**: :func:`run_book_replay` (``features="bars"``: the controller's 1m bars of the trades) /
  :func:`run_candle_replay` (with the bars before the window as warm-up, like the candle store) with the
  same config object: the controller's own quoting and level lifecycle (:mod:`hummingbot_plugin.mm.pmm_logic`)
  on the full runtime's clock and executor timing (:mod:`hummingbot_plugin.simulation.mm.executor_model`).

The quoter is the shipped replay PMM (``conf/controllers/pmm_forecast_binance_btc_usdt_replay.yml``) with
fixed spreads. Both runs' fills go through the same ledger (``backtest_metrics``: zero starting inventory,
marked at the same mids), so net PnL compares trading only. Data: the 11-minute L2 + trade capture, and
``--hours`` of the 1m month (candle mode). The pure path is timed twice on the same data: the first run
also builds the data set's tape index (arrays, 1m bars; once per data set), the second is what each
further parameter set costs.

Run: ``.venv/bin/python benchmarks/bench_mm_speed.py [--hours 12] [--maker-fee 0.0002]`` (3–8 min for
12 h on the shared machine: the full runtime runs 13–40 events/s in candle mode); ``--pure-only`` times
the pure path alone (seconds). Results: docs/simulator.md,
section "Speed"; ``tests/test_mm_pure_parity.py`` runs the same comparison on short windows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.fees import FeeSchedule, custom_schedule
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.mm.analytics import backtest_metrics, mm_report
from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.mm.book_replay import BookEvents, run_book_replay
from hummingbot_plugin.simulation.mm.quote_replay import ReplayOptions, ReplayResult, run_candle_replay
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

CAPTURE = "20240808T2354Z_20240809T0005Z"
MONTH_1M = "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"
CONTROLLER = PROJECT_ROOT / "conf" / "controllers" / "pmm_forecast_binance_btc_usdt_replay.yml"
FIXED = {
    "volatility_factor": 0.0,
    "min_spread_multiplier": 1.0,
    "max_spread_multiplier": 1.0,
    "inventory_skew_enabled": False,
}
#: The pure path has no risk guard: the full run's drawdown halt (10 % of capital by default) is opened up.
RISK = {"risk": {"max_drawdown_pct": 1.0}}
LATENCY_S = 0.05
BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(2)}  # never binding: the pure path funds no side
#: Stated tolerance of pure vs full: filled orders within 10 %, net PnL within 10 % of the full run's
#: traded notional × 1 bp (PnL of a market maker is a small difference of large flows).
FILLS_TOL, PNL_TOL_BP = 0.10, 1.0


@dataclass(frozen=True)
class Run:
    path: str
    data_hours: float
    events: int
    wall_s: float
    fills: pd.DataFrame  # analytics columns (timestamp, side, price, amount, fee, mid, order_id)
    first_wall_s: float | None = None  # pure path: the first run on the data set (builds its tape index)


def _write_configs(folder: Path, overrides: dict[str, Any], fees: FeeSchedule) -> tuple[Path, Path]:
    controller = yaml.safe_load(CONTROLLER.read_text())
    controller.update(overrides, id="pmm_speed", maker_fee=float(fees.maker))
    (folder / "pmm_speed.yml").write_text(yaml.safe_dump(controller))
    script = folder / "script.yml"
    # an absolute path: Hummingbot joins it to its controllers folder (os.path.join keeps it)
    script.write_text(
        yaml.safe_dump(
            {
                "script_file_name": "v2_plugin_controllers.py",
                "controllers_config": [str(folder / "pmm_speed.yml")],
            }
        )
    )
    sim = folder / "sim.yml"
    sim.write_text(
        yaml.safe_dump(
            {
                "default": {
                    "maker_fee": float(fees.maker),
                    "taker_fee": float(fees.taker),
                    "order_latency_s": LATENCY_S,
                    "cancel_latency_s": LATENCY_S,
                }
            }
        )
    )
    return script, sim


def _replay_fills(payload: dict[str, Any], mids: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (
            float(f["timestamp"]),
            1 if f["side"] == "buy" else -1,
            float(f["price"]),
            float(f["amount"]),
            float(f["fee_quote"]),
            f["order_id"],
        )
        for f in payload["fills"]
    ]
    fills = pd.DataFrame(rows, columns=["timestamp", "side", "price", "amount", "fee", "order_id"])
    at = mids["timestamp"].searchsorted(fills["timestamp"], side="right") - 1
    fills["mid"] = mids["mid"].to_numpy()[at.clip(0)]
    return fills


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    return fn(), time.perf_counter() - t0


def run_pair(
    label: str,
    data: tuple[Path, ...],
    window: tuple[str | None, str | None],
    hours: float,
    pure: Callable[[Any, ReplayOptions], ReplayResult],
    pure_events: int,
    fees: FeeSchedule,
    overrides: dict[str, Any] | None = None,
    with_full: bool = True,
) -> tuple[Run | None, Run, pd.DataFrame]:
    """(full, pure, mids) of the fixed-spread PMM (``overrides`` on top) on one data set (full: None
    unless ``with_full``)."""
    with tempfile.TemporaryDirectory(prefix="hbp-mm-speed-") as tmp:
        script, sim = _write_configs(Path(tmp), {**FIXED, **RISK, **(overrides or {})}, fees)
        cfg = load_controller_config(Path(tmp) / "pmm_speed.yml")
        _, first_s = _timed(lambda: pure(cfg, ReplayOptions(fees=fees)))
        result, pure_s = _timed(lambda: pure(cfg, ReplayOptions(fees=fees)))
        pure_run = Run("pure path", hours, pure_events, pure_s, result.fills, first_s)
        if not with_full:
            print(f"  {label}: pure path {pure_s:.3f} s (first run {first_s:.3f} s)")
            return None, pure_run, result.mids
        request = ReplayRequest(
            script_config=script,
            data=data,
            start=window[0],
            end=window[1],
            balances=dict(BALANCES),
            sim_config=sim,
            close_at_end=False,
        )
        payload = run_replay(request).payload
    speed = payload["speed"]
    print(
        f"  {label}: full runtime {speed['wall_seconds']:.1f} s, pure path {pure_s:.2f} s "
        f"(first run {first_s:.2f} s)"
    )
    full = Run(
        "full runtime",
        hours,
        int(speed["events"]),
        float(speed["wall_seconds"]),
        _replay_fills(payload, result.mids),
    )
    return full, pure_run, result.mids


def l2_pair(
    fees: FeeSchedule,
    minutes: float | None = None,
    overrides: dict[str, Any] | None = None,
    with_full: bool = True,
) -> tuple[Run | None, Run, pd.DataFrame]:
    """The L2 capture (its first ``minutes`` when given)."""
    paths = (
        data_file(f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv"),
        data_file(f"binance_BTC-USDT_trades_{CAPTURE}.csv"),
    )
    books, trades = list(load_feed(paths[0]).books), list(load_feed(paths[1]).trades)
    end = None
    if minutes is not None:
        cut = max(books[0].timestamp, trades[0].timestamp) + 60 * minutes
        books = [b for b in books if b.timestamp <= cut]
        trades = [t for t in trades if t.timestamp <= cut]
        end = pd.Timestamp(cut, unit="s", tz="UTC").isoformat()
    events = BookEvents(books, trades)
    hours = (books[-1].timestamp - books[0].timestamp) / 3600
    return run_pair(
        "L2 capture",
        paths,
        (None, end),
        hours,
        lambda cfg, o: run_book_replay(events, cfg, latency_s=LATENCY_S, options=o, features="bars"),
        len(books) + len(trades),
        fees,
        overrides,
        with_full,
    )


def candle_pair(
    hours: float, fees: FeeSchedule, overrides: dict[str, Any] | None = None, with_full: bool = True
) -> tuple[Run | None, Run, pd.DataFrame]:
    """``hours`` of the 1m month from 2024-08-01 (the day before as the pure path's warm-up bars)."""
    start = pd.Timestamp("2024-08-01", tz="UTC")
    end = start + pd.Timedelta(hours=hours) - pd.Timedelta(minutes=1)
    bars = load_candles(data_file(MONTH_1M), start=str((start - pd.Timedelta(days=1)).date()), end=str(end))
    n_bars = int((bars["timestamp"] >= start.timestamp()).sum())
    return run_pair(
        f"{hours:g} h of 1m",
        (data_file(MONTH_1M),),
        (start.isoformat(), end.isoformat()),
        float(hours),
        lambda cfg, o: run_candle_replay(
            bars, cfg, bar_seconds=60, options=o, start=start.timestamp(), latency_s=LATENCY_S
        ),
        4 * n_bars,
        fees,
        overrides,
        with_full,
    )


def figures(run: Run, mids: pd.DataFrame, fees: FeeSchedule) -> dict[str, float]:
    report = mm_report(run.fills, mids, n_orders=0, schedule=fees)
    ledger = backtest_metrics(run.fills, mids, capital=float(BALANCES["USDT"]))
    return {
        "fills": report.n_fills,
        "volume": report.volume_quote,
        "net": ledger.net_pnl_quote,
        "hours_per_wall_s": run.data_hours / run.wall_s,
        "events_per_s": run.events / run.wall_s,
    }


def compare(name: str, full: Run, pure: Run, mids: pd.DataFrame, fees: FeeSchedule) -> dict[str, Any]:
    f, p = figures(full, mids, fees), figures(pure, mids, fees)
    for run, x in ((full, f), (pure, p)):
        first = "" if run.first_wall_s is None else f" (first run {run.first_wall_s:.2f})"
        print(
            f"| {name} | {run.path} | {run.data_hours:.2f} | {run.wall_s:.2f}{first} | "
            f"{x['hours_per_wall_s']:,.2f} | {x['events_per_s']:,.0f} | {x['fills']} | "
            f"{x['volume']:,.0f} | {x['net']:+.2f} |"
        )
    fills_gap = abs(p["fills"] - f["fills"]) / max(f["fills"], 1)
    pnl_gap_bp = abs(p["net"] - f["net"]) / max(f["volume"], 1.0) * 1e4
    ok = fills_gap <= FILLS_TOL and pnl_gap_bp <= PNL_TOL_BP
    return {
        "data": name,
        "full": f,
        "pure": p,
        "fills_gap": fills_gap,
        "pnl_gap_bp": pnl_gap_bp,
        "within_tolerance": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=12, help="hours of 1m candles (from 2024-08-01)")
    parser.add_argument("--maker-fee", default="0.0002")
    parser.add_argument("--taker-fee", default="0.0005")
    parser.add_argument("--pure-only", action="store_true", help="time the pure path only (seconds)")
    args = parser.parse_args()
    ensure_project_importable()
    fees = custom_schedule(args.maker_fee, args.taker_fee, name="bench")
    print(
        f"fixed-spread PMM ({CONTROLLER.name} + {FIXED}), fee {fees.label}, latency {LATENCY_S * 1e3:.0f} ms"
    )
    if args.pure_only:
        for name, (_, pure, mids) in (
            ("L2 capture 11 min", l2_pair(fees, with_full=False)),
            (f"1m candles, {args.hours} h", candle_pair(args.hours, fees, with_full=False)),
        ):
            x = figures(pure, mids, fees)
            print(
                f"{name}: pure {pure.wall_s:.3f} s, {x['hours_per_wall_s']:,.2f} data h / wall s, "
                f"{x['events_per_s']:,.0f} events/s, {x['fills']} filled orders"
            )
        return 0
    pairs = [
        ("L2 capture 11 min", *l2_pair(fees)),
        (f"1m candles, {args.hours} h", *candle_pair(args.hours, fees)),
    ]
    print(
        "\n| data | path | data h | wall s | data h / wall s | events/s | filled orders | volume | net PnL |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [compare(name, full, pure, mids, fees) for name, full, pure, mids in pairs if full is not None]
    for r in rows:
        print(
            f"{r['data']}: filled orders differ by {r['fills_gap']:.1%} (tolerance {FILLS_TOL:.0%}), "
            f"net PnL by {r['pnl_gap_bp']:.2f} bp of the traded notional (tolerance {PNL_TOL_BP:g} bp): "
            f"{'within' if r['within_tolerance'] else 'OUTSIDE'} tolerance"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
