"""MQTT control channel benchmark on loopback: real Mosquitto + Hummingbot's real MQTT bridge.

1. Override latency publish → applied (p50/p99), signed vs unsigned, the controller polling every 5 ms.
2. Sustained prediction flood (default 5,000 msg/s for 10 s): event-loop lag, messages applied vs dropped,
   memory growth — our coalescing mailbox vs the alternative of validating every message in the bridge
   callback (what a controller does when it handles each message as it arrives).

Usage: .venv/bin/python benchmarks/bench_mqtt.py [--rate 5000] [--seconds 10] [--samples 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from hummingbot.remote_iface.mqtt import ExternalTopicFactory
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerConfigBase,
)
from pydantic import Field

from hummingbot_plugin.hb.bridge_runtime import forget_bridge, headless_app, wait_for_bridge
from hummingbot_plugin.hb.control_channel import ControlChannel
from hummingbot_plugin.mqtt import (
    ControlChannelSettings,
    Inbound,
    Keyring,
    MessageGuard,
    ReplayStore,
    override_topic,
    prediction_topic,
    sign_payload,
)
from hummingbot_plugin.mqtt.local_broker import LocalMosquitto

SECRET = bytes.fromhex("42" * 32)
PAIR = "BTC-USDT"
TICK_SECONDS = 1.0  # Hummingbot's default controller tick


class BenchConfig(DirectionalTradingControllerConfigBase):
    controller_name: str = "bench_mqtt"
    long_threshold: float = Field(default=0.6, ge=0.0, le=1.0, json_schema_extra={"is_updatable": True})


def _config(controller_id: str) -> BenchConfig:
    return BenchConfig(id=controller_id, connector_name="binance_perpetual", trading_pair=PAIR, leverage=1)


def _settings(state: Path, **kw: Any) -> ControlChannelSettings:
    return ControlChannelSettings(replay_state_dir=state, **kw)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _operator(broker: LocalMosquitto) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{uuid.uuid4().hex[:6]}")
    client.username_pw_set(broker.admin.username, broker.admin.password)
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


async def _override_latency(
    broker: LocalMosquitto, state: Path, samples: int, signed: bool, fsync: bool
) -> tuple[list[float], list[float]]:
    """(publish -> delivered to the channel's mailbox, publish -> applied) in seconds."""
    controller_id = f"lat_{int(signed)}{int(fsync)}"
    channel = ControlChannel(
        _config(controller_id),
        _settings(state, require_signed_overrides=signed, replay_fsync=fsync),
        clock=time.time,
        keyring=Keyring({"bench": SECRET}),
    )
    channel.poll()
    await asyncio.sleep(0.3)
    topic = override_topic("hbot/control", controller_id)
    client = _operator(broker)
    delivered: list[float] = []
    latencies: list[float] = []
    try:
        for i in range(samples):
            seen = channel.counters().received
            body = {
                "msg_id": f"m{i}",
                "issued_at": time.time(),
                "controller_id": controller_id,
                "changes": {"long_threshold": round(0.5 + (i % 400) / 1000, 4)},
            }
            payload = sign_payload(SECRET, "bench", topic, body) if signed else body
            start = time.perf_counter()
            client.publish(topic, json.dumps(payload), qos=1)
            for _ in range(2000):  # bounded: ~2 s
                if len(delivered) == len(latencies) and channel.counters().received > seen:
                    delivered.append(time.perf_counter() - start)
                if channel.poll().new_config is not None:
                    latencies.append(time.perf_counter() - start)
                    break
                await asyncio.sleep(0.001)
    finally:
        client.loop_stop()
        client.disconnect()
        channel.stop()
    return delivered, latencies


def _flood_publisher(broker: LocalMosquitto, rate: int, seconds: float, sent: list[int]) -> threading.Thread:
    topic = prediction_topic("hbot/predictions", PAIR)

    def run() -> None:
        client = _operator(broker)
        per_slice, slice_s = max(1, rate // 100), 0.01
        start = time.perf_counter()
        count = 0
        for step in range(int(seconds / slice_s)):
            for _ in range(per_slice):
                body = {"probabilities": [0.2, 0.3, 0.5], "target_pct": 0.01, "timestamp": time.time()}
                client.publish(topic, json.dumps(body), qos=0)
                count += 1
            delay = start + (step + 1) * slice_s - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        time.sleep(0.5)
        client.loop_stop()
        client.disconnect()
        sent.append(count)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def _lag_monitor(stop: asyncio.Event, lags: list[float], interval: float = 0.01) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append(time.perf_counter() - start - interval)


class _NaiveConsumer:
    """The alternative: validate every message inside the bridge callback, keep the latest."""

    def __init__(self, state: Path) -> None:
        settings = _settings(state)
        replay = ReplayStore(None, capacity=1000, horizon=60.0, now=time.time())
        self._guard = MessageGuard(settings, Keyring({}), replay, "naive")
        self.received = 0
        self.latest: Any = None
        self._listener = ExternalTopicFactory.create_async(
            topic=prediction_topic("hbot/predictions", PAIR), callback=self._on_message, use_bot_prefix=False
        )

    def _on_message(self, payload: Any, topic: str) -> None:
        self.received += 1
        result = self._guard.check_prediction(Inbound(topic, payload), PAIR, time.time())
        if not hasattr(result, "reason"):
            self.latest = result

    def stop(self) -> None:
        ExternalTopicFactory.remove_listener(self._listener)


async def _flood(
    broker: LocalMosquitto, state: Path, rate: int, seconds: float, naive: bool
) -> dict[str, Any]:
    channel = (
        None
        if naive
        else ControlChannel(
            _config("flood"), _settings(state), clock=time.time, keyring=Keyring({"bench": SECRET})
        )
    )
    naive_consumer = _NaiveConsumer(state) if naive else None
    if channel is not None:
        channel.poll()
    await asyncio.sleep(0.3)
    rss_before, lags, stop, sent = _rss_mb(), [], asyncio.Event(), []
    monitor = asyncio.ensure_future(_lag_monitor(stop, lags))
    publisher = _flood_publisher(broker, rate, seconds, sent)
    ticks_with_prediction = 0
    for _ in range(int(seconds / TICK_SECONDS) + 2):  # bounded: the flood plus a drain margin
        await asyncio.sleep(TICK_SECONDS)
        if channel is not None:
            ticks_with_prediction += channel.poll().prediction is not None
        elif naive_consumer is not None:
            ticks_with_prediction += naive_consumer.latest is not None
    publisher.join(5)
    stop.set()
    await monitor
    result: dict[str, Any] = {
        "sent": sent[0] if sent else 0,
        "lags": lags,
        "ticks": ticks_with_prediction,
        "rss_growth_mb": _rss_mb() - rss_before,
    }
    if channel is not None:
        counters = channel.counters()
        result.update(
            received=counters.received,
            applied=counters.predictions_accepted,
            dropped=counters.rejected.get("mailbox_overflow", 0),
        )
        channel.stop()
    elif naive_consumer is not None:
        result.update(received=naive_consumer.received, applied=naive_consumer.received, dropped=0)
        naive_consumer.stop()
    return result


def _print_flood(name: str, r: dict[str, Any]) -> None:
    lags_ms = [x * 1000 for x in r["lags"]]
    print(
        f"  {name}: sent {r['sent']}, received {r['received']}, applied {r['applied']}, "
        f"dropped {r['dropped']}, ticks with a fresh prediction {r['ticks']}"
    )
    print(
        f"    event-loop lag p50 {_pct(lags_ms, 0.5):.2f} ms, p99 {_pct(lags_ms, 0.99):.2f} ms, "
        f"max {max(lags_ms, default=float('nan')):.2f} ms (target p99 < 50 ms); "
        f"RSS growth {r['rss_growth_mb']:.1f} MB"
    )


async def _main(args: argparse.Namespace, broker: LocalMosquitto, state: Path) -> None:
    app = headless_app(
        host=broker.host,
        port=broker.port,
        username=broker.bot.username,
        password=broker.bot.password,
        instance_id="testbot",
    )
    app.mqtt_start()
    await wait_for_bridge(10.0)
    print(f"== override latency publish -> applied ({args.samples} samples, controller polls every 1 ms)")
    for signed, fsync in ((True, True), (True, False), (False, True)):
        got, done = await _override_latency(broker, state, args.samples, signed, fsync)
        deliver, lat = [x * 1000 for x in got], [x * 1000 for x in done]
        label = f"{'signed  ' if signed else 'unsigned'} replay-state {'fsync   ' if fsync else 'no fsync'}"
        print(
            f"  {label}: applied {len(lat)}/{args.samples}, p50 {_pct(lat, 0.5):.2f} ms, "
            f"p99 {_pct(lat, 0.99):.2f} ms, mean {statistics.fmean(lat) if lat else float('nan'):.2f} ms "
            f"(of which broker+bridge delivery p50 {_pct(deliver, 0.5):.2f} ms)"
        )
    print("  (in production add up to one controller tick: the channel is polled once per tick)")
    print(
        f"== prediction flood {args.rate} msg/s for {args.seconds:.0f} s, "
        f"controller tick {TICK_SECONDS:.0f} s"
    )
    for naive in (False, True):
        result = await _flood(broker, state, args.rate, args.seconds, naive)
        _print_flood(
            "validate every message in the callback (alternative)" if naive else "coalescing mailbox (ours)",
            result,
        )
    app.mqtt_stop()
    await asyncio.sleep(0.2)
    forget_bridge()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=5000, help="flood messages per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="flood duration")
    parser.add_argument("--samples", type=int, default=200, help="override latency samples")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_mqtt_") as tmp:
        broker = LocalMosquitto(workdir=Path(tmp) / "broker")
        broker.start()
        try:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(_main(args, broker, Path(tmp) / "state"))
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
