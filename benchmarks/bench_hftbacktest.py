"""Cross-check of the simulator's fill model against hftbacktest on the recorded Binance L2 + trade capture.

One fixed-spread quoter (every 1 s book: bid = mid·(1 − s) rounded down to the tick, ask = mid·(1 + s)
rounded up; a resting quote whose price differs is cancelled and replaced; 0.001 BTC a side; post-only)
runs in both simulators with the same assumptions:

* data: the 1 s top-20 snapshots (hftbacktest gets them as depth diffs: a level that left the top 20 is
  set to 0, so both books are the same) and every trade; no feed latency;
* latency: orders and cancels reach the matching engine ``--latency-ms`` after the decision, fills are
  known at once;
* queue: join behind the displayed size; trades at our price eat the queue first; a displayed size
  below our queue estimate means cancels ahead (hftbacktest's ``risk_adverse_queue_model``); partial fills;
* fee: futures regular maker 0.02 % on both.

Ours is run twice: as configured by default (no fill when the book crosses our price without a trade)
and with ``fill_on_book_cross`` (what hftbacktest's exchange does on a crossing depth update).

Run: ``.venv/bin/python benchmarks/bench_hftbacktest.py [--half-spread 0.00002] [--latency-ms 50]``
(hftbacktest is a development dependency, pinned in requirements.lock; a ~10 s run).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from hftbacktest import (
    BUY_EVENT,
    DEPTH_EVENT,
    EXCH_EVENT,
    GTX,
    LIMIT,
    LOCAL_EVENT,
    SELL_EVENT,
    TRADE_EVENT,
    BacktestAsset,
    HashMapMarketDepthBacktest,
)
from hftbacktest.binding import event_dtype
from numba import njit

from hummingbot_plugin.settings import data_file
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import BookSnapshot, OrderKind, Side, SimOrder, TradePrint
from hummingbot_plugin.simulation.mm.book_replay import BookEvents, mid_of

CAPTURE = "20240808T2354Z_20240809T0005Z"
TICK, LOT, QTY, FEE = 0.01, 0.00001, 0.001, 0.0002
NS = 1_000_000_000
#: Documented tolerances of ours vs hftbacktest (docs/simulator.md; tests/test_hftbacktest_compare.py):
#: filled orders and volume within these fractions, volume-weighted mean fill price within this many bp.
FILLS_TOL, VOLUME_TOL, PRICE_TOL_BP = 0.02, 0.05, 1.0


def _events(events: BookEvents) -> list[BookSnapshot | TradePrint]:
    return events.merged()


def to_hftbacktest(merged: list[BookSnapshot | TradePrint]) -> np.ndarray:
    """Our snapshots and trades as hftbacktest events (depth diffs between snapshots, trades)."""
    rows: list[tuple[int, int, int, float, float, int, int, float]] = []
    prev: dict[tuple[int, float], float] = {}
    for e in merged:
        ts = round(e.timestamp * 1000) * 1_000_000
        if isinstance(e, TradePrint):
            side = BUY_EVENT if e.aggressor is Side.BUY else SELL_EVENT
            rows.append(
                (
                    TRADE_EVENT | EXCH_EVENT | LOCAL_EVENT | side,
                    ts,
                    ts,
                    float(e.price),
                    float(e.amount),
                    0,
                    0,
                    0.0,
                )
            )
            continue
        now = {(BUY_EVENT, float(lv.price)): float(lv.amount) for lv in e.bids}
        now.update({(SELL_EVENT, float(lv.price)): float(lv.amount) for lv in e.asks})
        for key in sorted(set(prev) | set(now)):
            qty = now.get(key, 0.0)
            if prev.get(key) != qty:
                rows.append((DEPTH_EVENT | EXCH_EVENT | LOCAL_EVENT | key[0], ts, ts, key[1], qty, 0, 0, 0.0))
        prev = now
    return np.array(rows, dtype=event_dtype)


@njit
def _hbt_loop(
    hbt: Any, first_ns: int, decide_ns: np.ndarray, half_spread: float, qty: float, out: np.ndarray
) -> int:
    oid = 0
    hbt.elapse(decide_ns[0] - first_ns)  # the clock starts at the first event
    for i in range(decide_ns.size):
        dt = decide_ns[i] - hbt.current_timestamp
        if dt > 0 and hbt.elapse(dt) != 0:
            return i
        hbt.clear_inactive_orders(0)
        depth = hbt.depth(0)
        mid = (depth.best_bid + depth.best_ask) / 2.0
        bid_tick = math.floor(mid * (1.0 - half_spread) / depth.tick_size + 1e-9)
        ask_tick = math.ceil(mid * (1.0 + half_spread) / depth.tick_size - 1e-9)
        have_bid, have_ask = False, False
        values = hbt.orders(0).values()
        while values.has_next():
            o = values.get()
            if o.status != 1 and o.req != 1:  # neither resting (NEW) nor in flight
                continue
            want = bid_tick if o.side == 1 else ask_tick
            if o.price_tick == want and o.req != 4:
                if o.side == 1:
                    have_bid = True
                else:
                    have_ask = True
            elif o.cancellable:
                hbt.cancel(0, o.order_id, False)
        if not have_bid:
            oid += 1
            hbt.submit_buy_order(0, oid, bid_tick * depth.tick_size, qty, GTX, LIMIT, False)
        if not have_ask:
            oid += 1
            hbt.submit_sell_order(0, oid, ask_tick * depth.tick_size, qty, GTX, LIMIT, False)
        sv = hbt.state_values(0)
        out[i, 0], out[i, 1], out[i, 2] = mid, sv.position, sv.balance
        out[i, 3], out[i, 4], out[i, 5], out[i, 6] = (
            sv.fee,
            sv.num_trades,
            sv.trading_volume,
            sv.trading_value,
        )
    return decide_ns.size


def run_hftbacktest(
    data: np.ndarray, decide_ns: np.ndarray, half_spread: float, latency_ns: int
) -> np.ndarray:
    asset = (
        BacktestAsset()
        .data([data])
        .linear_asset(1.0)
        .constant_order_latency(latency_ns, 0)
        .risk_adverse_queue_model()
        .partial_fill_exchange()
        .trading_value_fee_model(FEE, FEE)
        .tick_size(TICK)
        .lot_size(LOT)
        .last_trades_capacity(0)
    )
    hbt = HashMapMarketDepthBacktest([asset])
    out = np.full((decide_ns.size, 7), np.nan)
    _hbt_loop(hbt, int(data["local_ts"][0]), decide_ns, half_spread, QTY, out)
    hbt.close()
    return out


class _Ours:
    """The same quoter on our MatchingEngine (pure path), decisions delayed by the latency."""

    def __init__(self, half_spread: float, latency_s: float, cross: bool) -> None:
        self.engine = MatchingEngine(fill_on_book_cross=cross)
        self.s, self.latency = half_spread, latency_s
        self.live: dict[str, tuple[Side, Decimal, str]] = {}  # id -> side, price, pending|resting|canceling
        self.queue: list[tuple[float, str, str]] = []
        self.position = self.cash = self.fees = self.volume = self.value = 0.0
        self.n_fills, self.seq = 0, 0
        self.filled_orders: set[str] = set()

    def book_fills(self, fills: list[Any]) -> None:
        for f in fills:
            sign = 1.0 if f.side is Side.BUY else -1.0
            px, qty = float(f.price), float(f.amount)
            self.position += sign * qty
            self.cash -= sign * px * qty
            self.fees += px * qty * FEE
            self.volume, self.value, self.n_fills = self.volume + qty, self.value + px * qty, self.n_fills + 1
            self.filled_orders.add(f.order_id)
            if f.order_done:
                self.live.pop(f.order_id, None)

    def release(self, until: float) -> None:
        while self.queue and self.queue[0][0] <= until:
            at, action, oid = self.queue.pop(0)
            if action == "cancel":
                self.engine.cancel(oid)
                self.live.pop(oid, None)
                continue
            side, price, _ = self.live[oid]
            result = self.engine.submit(
                SimOrder(oid, side, OrderKind.LIMIT_MAKER, Decimal(str(QTY)), price, at), at
            )
            if result.rejection is not None:
                self.live.pop(oid)
            else:
                self.live[oid] = (side, price, "resting")
                self.book_fills(result.fills)

    def decide(self, now: float, mid: float) -> None:
        tick = Decimal(str(TICK))
        want = {
            Side.BUY: Decimal(math.floor(mid * (1 - self.s) / TICK + 1e-9)) * tick,
            Side.SELL: Decimal(math.ceil(mid * (1 + self.s) / TICK - 1e-9)) * tick,
        }
        have = {Side.BUY: False, Side.SELL: False}
        for oid, (side, price, state) in list(self.live.items()):
            if state != "canceling" and price == want[side]:
                have[side] = True
            elif state == "resting":
                self.live[oid] = (side, price, "canceling")
                self.queue.append((now + self.latency, "cancel", oid))
        for side, ok in have.items():
            if not ok:
                self.seq += 1
                oid = f"{side.value}-{self.seq}"
                self.live[oid] = (side, want[side], "pending")
                self.queue.append((now + self.latency, "submit", oid))


def run_ours(
    merged: list[BookSnapshot | TradePrint], half_spread: float, latency_s: float, cross: bool
) -> np.ndarray:
    sim = _Ours(half_spread, latency_s, cross)
    rows = []
    for e in merged:
        sim.release(e.timestamp)
        if isinstance(e, TradePrint):
            sim.book_fills(sim.engine.on_trade(e))
            continue
        sim.book_fills(sim.engine.on_book(e))
        mid = mid_of(e)
        if math.isfinite(mid):
            sim.decide(e.timestamp, mid)
            rows.append(
                (mid, sim.position, sim.cash, sim.fees, len(sim.filled_orders), sim.volume, sim.value)
            )
    print(
        f"  ours{' + cross' if cross else ''}: {sim.n_fills} fill events on {len(sim.filled_orders)} orders"
    )
    return np.array(rows, dtype=np.float64)


def summary(name: str, out: np.ndarray, seconds: float) -> dict[str, Any]:
    mid, pos, balance, fee, n, vol, value = (out[:, j] for j in range(7))
    equity = balance - fee + pos * mid  # both balances are before fees
    return {
        "simulator": name,
        "fills": int(n[-1]),
        "volume_base": float(vol[-1]),
        "avg_fill_price": float(value[-1] / vol[-1]) if vol[-1] else float("nan"),
        "final_position": float(pos[-1]),
        "max_abs_position": float(np.max(np.abs(pos))),
        "fees_quote": float(fee[-1]),
        "net_pnl_quote": float(equity[-1]),
        "seconds": seconds,
        "position_path": pos,
    }


def run_all(half_spread: float, latency_ms: float) -> tuple[list[dict[str, Any]], int, int]:
    """(summaries of hftbacktest, ours, ours + fill_on_book_cross; hftbacktest events; decisions)."""
    events = BookEvents(
        load_feed(data_file(f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv")).books,
        load_feed(data_file(f"binance_BTC-USDT_trades_{CAPTURE}.csv")).trades,
    )
    merged = _events(events)
    data = to_hftbacktest(merged)
    decide = np.array(
        [round(b.timestamp * 1000) * 1_000_000 for b in events.books if math.isfinite(mid_of(b))]
    )
    results = []
    for name, fn in (
        ("hftbacktest", lambda: run_hftbacktest(data, decide, half_spread, int(latency_ms * 1e6))),
        ("ours", lambda: run_ours(merged, half_spread, latency_ms / 1000, False)),
        ("ours + fill_on_book_cross", lambda: run_ours(merged, half_spread, latency_ms / 1000, True)),
    ):
        t0 = time.perf_counter()
        out = fn()
        results.append(summary(name, out, time.perf_counter() - t0))
    return results, len(data), len(decide)


def gaps(ref: dict[str, Any], other: dict[str, Any]) -> dict[str, float]:
    """Relative gaps of fills and volume, mean fill price gap in bp, mean |Δ inventory| (BTC)."""
    n = min(ref["position_path"].size, other["position_path"].size)
    path = np.abs(ref["position_path"][:n] - other["position_path"][:n])
    return {
        "fills_rel": abs(other["fills"] / ref["fills"] - 1),
        "volume_rel": abs(other["volume_base"] / ref["volume_base"] - 1),
        "price_bp": abs(other["avg_fill_price"] / ref["avg_fill_price"] - 1) * 1e4,
        "inventory_mean_abs": float(path.mean()),
        "inventory_max_abs": float(path.max()),
        "inventory_equal_share": float(np.mean(path < 1e-9)),
    }


def within_tolerance(g: dict[str, float]) -> bool:
    return g["fills_rel"] <= FILLS_TOL and g["volume_rel"] <= VOLUME_TOL and g["price_bp"] <= PRICE_TOL_BP


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--half-spread", type=float, default=0.00002, help="fraction of mid (0.00002 = 0.2 bp)"
    )
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results, n_events, n_decisions = run_all(args.half_spread, args.latency_ms)
    print(
        f"fixed-spread quoter, half-spread {args.half_spread * 1e4:.2f} bp, {QTY} BTC a side, latency "
        f"{args.latency_ms:.0f} ms, maker fee {FEE:.4%}, {n_events:,} hftbacktest events, "
        f"{n_decisions} decisions"
    )
    print(
        "| simulator | orders filled | volume BTC | avg fill price | final pos | max abs pos | fees | net PnL"
        " | wall s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['simulator']} | {r['fills']} | {r['volume_base']:.3f} | {r['avg_fill_price']:.2f} | "
            f"{r['final_position']:+.3f} | {r['max_abs_position']:.3f} | {r['fees_quote']:.3f} | "
            f"{r['net_pnl_quote']:+.3f} | {r['seconds']:.1f} |"
        )
    for r in results[1:]:
        g = gaps(results[0], r)
        print(
            f"{r['simulator']} vs hftbacktest: fills {g['fills_rel']:.1%}, volume {g['volume_rel']:.1%}, "
            f"mean fill price {g['price_bp']:.2f} bp -> within tolerance ({FILLS_TOL:.0%} / "
            f"{VOLUME_TOL:.0%} / {PRICE_TOL_BP:g} bp): {within_tolerance(g)}; inventory path mean |Δ| "
            f"{g['inventory_mean_abs']:.4f} BTC, max {g['inventory_max_abs']:.4f}, equal at "
            f"{g['inventory_equal_share']:.1%} of decisions"
        )
    if args.json:
        args.json.write_text(
            json.dumps([{k: v for k, v in r.items() if k != "position_path"} for r in results], indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
