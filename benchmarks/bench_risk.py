"""Risk layer overhead, measured against the alternative in the same run.

(a) ``RiskGuard.review`` per request (pure, in-memory store) vs no gate at all, and with the persisted
    JSON store (fsync on every approval) vs the in-memory store.
(b) ``RiskGate.filter_actions`` on real Hummingbot objects (10 running executors, 1 create per tick)
    vs passing the action list through untouched.
(c) Audit trail: appends per second with fsync (the default, durable) vs without; ``verify`` speed.

Run: ``.venv/bin/python benchmarks/bench_risk.py`` (about 20 seconds). Figures are wall-clock medians
and p99 over the stated number of calls on this (shared) machine.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from risk_factories import NOW, make_limits, make_pair, make_request, make_snapshot  # noqa: E402

from hummingbot_plugin.audit import AuditLog, DecisionRecord, verify_chain  # noqa: E402
from hummingbot_plugin.risk import JsonStateStore, MemoryStateStore, RiskGuard  # noqa: E402


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"median {statistics.median(ordered) * 1e6:8.1f} us   p99 {p99 * 1e6:8.1f} us"


def bench_guard(calls: int = 3000) -> None:
    snapshot = make_snapshot((make_pair(),))
    for label, store in (
        ("in-memory store", MemoryStateStore()),
        ("JSON store, fsync", JsonStateStore(Path(tempfile.mkdtemp()) / "g.json")),
    ):
        guard = RiskGuard(make_limits(max_executors_per_window=10**9), store, scope="bench")
        samples = []
        for i in range(calls):
            request = make_request(executor_id=f"e{i}", amount_base=Decimal("0.0001"))
            start = time.perf_counter()
            guard.review(request, make_snapshot((make_pair(book_updated_at=NOW + i),)), NOW + i)
            samples.append(time.perf_counter() - start)
            if i % 50 == 0:
                guard.observe(snapshot, NOW + i)  # approved requests become visible: inflight shrinks
        print(f"(a) RiskGuard.review, {label:18s} {_stats(samples)}   ({calls} calls)")
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        _ = [make_request(executor_id=f"e{i}")]  # the alternative: the request goes straight through
        samples.append(time.perf_counter() - start)
    print(f"(a) no gate (build request only)      {_stats(samples)}")


def bench_gate(ticks: int = 300) -> None:
    from risk_hb_factories import Clock, make_controller, make_create, make_executor_info

    for label, durable in (("JSON store, fsync  ", True), ("in-memory store    ", False)):
        clock = Clock()
        with tempfile.TemporaryDirectory() as tmp:
            controller = make_controller(Path(tmp), clock, max_executors_per_window=10**6)
            controller.risk_gate.audit = None  # measure the gate alone; audit cost is (c)
            controller.risk_gate.guard._audit = None
            if not durable:
                controller.risk_gate.guard._store = MemoryStateStore()
            controller.executors_info = [make_executor_info(f"x{i}") for i in range(10)]
            exchange = controller.market_data_provider.connectors["binance"]
            gated, raw = [], []
            for i in range(ticks):
                clock.now += 1
                exchange.apply_price("BTC-USDT", Decimal("100") + Decimal(i % 7) / 100, clock.now)
                actions = [make_create(amount=Decimal("0.001"))]
                start = time.perf_counter()
                controller.risk_gate.filter_actions(controller, actions)
                gated.append(time.perf_counter() - start)
                start = time.perf_counter()
                _ = list(actions)
                raw.append(time.perf_counter() - start)
        print(
            f"(b) RiskGate.filter_actions, {label} {_stats(gated)}   ({ticks} ticks, 10 executors, 1 create)"
        )
    print(f"(b) pass-through list                 {_stats(raw)}")


def bench_audit(records: int = 2000) -> None:
    for fsync in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            log = AuditLog(Path(tmp), fsync=fsync, max_bytes=256 * 1024)
            start = time.perf_counter()
            for i in range(records):
                log.append(
                    DecisionRecord(ts=NOW + i, source="bench", allowed=i % 3 != 0, reason_code="RATE_LIMIT")
                )
            elapsed = time.perf_counter() - start
            files = len(list(Path(tmp).glob("audit-*.jsonl")))
            verify_start = time.perf_counter()
            result = verify_chain(Path(tmp))
            verify_elapsed = time.perf_counter() - verify_start
        print(
            f"(c) audit append, fsync={fsync!s:5s}      {records / elapsed:9.0f} records/s   "
            f"verify {result.records / verify_elapsed:9.0f} records/s "
            f"over {files} rotated files, ok={result.ok}"
        )


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    bench_guard()
    bench_gate()
    bench_audit()
