"""Feed health: the pure state machine, the upstream-repeat log filter, and a guarded script in the real
replay runner whose venue feed stops (a two-hour hole cut out of real 5m candles) and resumes."""

from __future__ import annotations

import csv
import importlib
import logging
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from hummingbot_plugin.hb.feed_monitor import RepeatFilter, guard_lines, venue_host
from hummingbot_plugin.prometheus import PluginMetrics
from hummingbot_plugin.risk.feed_health import FeedHealth, FeedSource, FeedState, SourceKind
from hummingbot_plugin.risk.paper_guard import simulation_run
from hummingbot_plugin.settings import PROJECT_ROOT

BINANCE = FeedSource("binance", SourceKind.VENUE, "api.binance.com")
BROKER = FeedSource("mqtt", SourceKind.BROKER, "127.0.0.1:1883")


def _run(health: FeedHealth, source: FeedSource, readings: list[tuple[float, bool]]) -> list[str]:
    notices = [health.observe(source, fresh, now, "BTC-USDT: no book yet") for now, fresh in readings]
    return [n.event for n in notices if n is not None]


def test_one_line_down_rate_limited_reminders_one_line_recovered() -> None:
    health = FeedHealth(grace_seconds=15, repeat_seconds=300)
    readings = [(float(t), True) for t in range(0, 10)] + [(float(t), False) for t in range(10, 8000)]
    events = _run(health, BINANCE, [*readings, (8000.0, True), (8001.0, True)])
    # down after the 15 s grace (t=25); reminders at 325, 925, 2125, 4525 (gaps 300, 600, 1200, 2400),
    # the next one an hour later (8125, after the recovery); one recovery line
    assert events == ["down", *["still_down"] * 4, "recovered"]
    assert health.statuses(8002.0)[0].state is FeedState.UP and health.statuses(8002.0)[0].outages == 1


def test_down_line_names_venue_host_and_what_the_bot_does() -> None:
    health = FeedHealth(grace_seconds=15)
    assert health.observe(BINANCE, False, 100.0) is None  # within the grace period: silent
    notice = health.observe(BINANCE, False, 115.0, "BTC-USDT: no book yet")
    assert notice is not None and notice.is_warning
    assert notice.message.startswith("FEED DOWN: binance public market data (api.binance.com)")
    assert "since start" in notice.message and "BTC-USDT: no book yet" in notice.message
    assert "quotes pulled and no new positions on binance" in notice.message
    assert health.blocks_new_positions("binance") and not health.blocks_new_positions("kucoin")
    assert "binance (api.binance.com): DOWN for 30s" in health.status_lines(130.0)[0]
    recovered = health.observe(BINANCE, True, 160.0)
    assert recovered is not None and not recovered.is_warning and "after 60s" in recovered.message
    assert not health.blocks_new_positions("binance")


def test_starting_up_is_silent_and_short_blips_are_not_outages() -> None:
    health = FeedHealth(grace_seconds=15)
    events = _run(health, BINANCE, [(0.0, False), (5.0, False), (10.0, True), (20.0, False), (30.0, True)])
    assert events == [] and health.statuses(31.0)[0].outages == 0


def test_broker_blocks_positions_only_when_it_carries_the_kill_switch() -> None:
    relaxed, strict = FeedHealth(grace_seconds=0), FeedHealth(grace_seconds=0, blocks_on_broker=True)
    for health in (relaxed, strict):
        notice = health.observe(BROKER, False, 0.0)
        assert notice is not None and notice.message.startswith("FEED DOWN: MQTT broker 127.0.0.1:1883")
    assert not relaxed.blocks_new_positions("binance")
    assert "controllers trade on their own models" in relaxed.status_lines(1.0)[0]
    assert strict.blocks_new_positions("binance")


def test_feed_metrics_are_exported() -> None:
    metrics = PluginMetrics()
    metrics.observe_feed("binance", "venue", False, 42.0, 2)
    text = metrics.render().decode()
    assert 'hbp_feed_up{kind="venue",source="binance"} 0.0' in text
    assert 'hbp_feed_down_seconds{kind="venue",source="binance"} 42.0' in text
    assert 'hbp_feed_outages{kind="venue",source="binance"} 2.0' in text


def test_venue_host_comes_from_hummingbots_connector_constants() -> None:
    assert venue_host("binance") == "api.binance.com"
    assert venue_host("kucoin") == "api.kucoin.com"
    assert venue_host("no_such_venue") == "no_such_venue public API"


def test_repeat_filter_lets_an_upstream_warning_through_once_per_window() -> None:
    flt = RepeatFilter(window=60.0)

    def record(text: str, at: float, name: str = "hummingbot.strategy.strategy_v2_base") -> logging.LogRecord:
        rec = logging.LogRecord(name, logging.WARNING, __file__, 1, text, (), None)
        rec.created = at
        return rec

    passed = [flt.filter(record("binance is not ready. Please wait...", float(t))) for t in range(0, 130)]
    assert passed.count(True) == 3  # t=0, 60, 120
    late = record("binance is not ready. Please wait...", 180.0)
    assert flt.filter(late) and "9 similar lines held back" in late.getMessage()  # 121..129
    assert flt.filter(late)  # a second handler asking about the same record gets the same answer
    assert all(flt.filter(record("FEED DOWN: binance ...", float(t))) for t in range(5))  # ours: never held
    assert all(flt.filter(record("Cannot connect to host x:443", float(t), "other")) for t in range(5))


def test_status_names_each_guard_its_state_and_why(tmp_path: Path) -> None:
    from hummingbot_plugin.risk import JsonStateStore, RiskGuard, RiskLimits

    active = RiskGuard(RiskLimits(), JsonStateStore(tmp_path / "global.json"), scope="global")
    halted = RiskGuard(RiskLimits(), JsonStateStore(tmp_path / "ai_btc.json"), scope="ai_btc")
    halted.halt("kill_switch: true in the script config", 1_700_000_000.0)
    assert guard_lines([active, halted]) == [
        "Risk guards:",
        "  global: ACTIVE",
        "  ai_btc: HALTED (KILL_SWITCH since 2023-11-14 22:13:20 UTC: "
        "kill_switch: true in the script config)",
    ]


# ----- a guarded script whose venue feed stops and resumes (real replay runtime) --------------------
PROBE = textwrap.dedent(
    """
    from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
        DirectionalTradingControllerBase, DirectionalTradingControllerConfigBase)
    from pydantic import Field
    from hummingbot_plugin.hb.risk_gate import RiskGatedController
    from hummingbot_plugin.risk.limits import RiskLimits

    class FeedProbeConfig(DirectionalTradingControllerConfigBase):
        controller_name: str = "feed_probe"
        leverage: int = 1
        risk: RiskLimits = Field(default_factory=RiskLimits, json_schema_extra={"is_updatable": True})

    class FeedProbe(RiskGatedController, DirectionalTradingControllerBase):
        async def update_processed_data(self):
            self.processed_data = {"signal": 1}
    """
)
GAP = (1_676_800_800, 1_676_808_000)  # 2023-02-19 10:00 -> 12:00 UTC, cut out of the 5m candles


@pytest.fixture()
def feed_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    folder = tmp_path / "probe_pkg"
    folder.mkdir()
    (folder / "feed_probe.py").write_text(PROBE)
    package = importlib.import_module("controllers.directional_trading")
    package.__path__.append(str(folder))
    yield
    package.__path__.remove(str(folder))


def _candles_with_a_hole(shared_data_dir: Path, out: Path) -> Path:
    with (shared_data_dir / "binance_BTC-USDT_5m.csv").open() as src, out.open("w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for row in reader:
            ts = int(float(row[0]))
            if GAP[0] - 7200 <= ts < GAP[1] + 7200 and not GAP[0] <= ts < GAP[1]:  # 08:00 -> 14:00
                writer.writerow(row)
    return out


def _script(tmp_path: Path) -> Path:
    controller = {
        "id": "probe",
        "controller_type": "directional_trading",
        "controller_name": "feed_probe",
        "connector_name": "binance",
        "trading_pair": "BTC-USDT",
        "total_amount_quote": 1000,
        "max_executors_per_side": 10,
        "cooldown_time": 300,
        "stop_loss": 0.5,
        "take_profit": 0.5,
        "time_limit": 600,
        "position_mode": "ONEWAY",
        "risk": {"max_open_executors": 50},
    }
    (tmp_path / "probe.yml").write_text(yaml.safe_dump(controller))
    script = {
        "script_file_name": "v2_guarded_controllers.py",
        "controllers_config": [str(tmp_path / "probe.yml")],
        "state_dir": str(tmp_path / "state"),
    }
    (tmp_path / "guarded.yml").write_text(yaml.safe_dump(script))
    return tmp_path / "guarded.yml"


@pytest.mark.usefixtures("feed_probe")
def test_guarded_script_says_once_when_the_feed_stops_trades_nothing_and_recovers(
    tmp_path: Path, shared_data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

    request = ReplayRequest(
        script_config=_script(tmp_path),
        data=(_candles_with_a_hole(shared_data_dir, tmp_path / "binance_BTC-USDT_5m.csv"),),
        balances={"USDT": Decimal(10_000)},
    )
    with caplog.at_level(logging.INFO), simulation_run():
        result = run_replay(request)
    lines = [r.getMessage() for r in caplog.records]
    down = [line for line in lines if line.startswith("FEED DOWN: binance")]
    recovered = [line for line in lines if line.startswith("FEED RECOVERED: binance")]
    assert len(down) == 1 and len(recovered) == 1, lines[-20:]
    assert "(replayed data)" in down[0] and "no new positions on binance" in down[0]
    assert len([line for line in lines if line.startswith("FEED STILL DOWN: binance")]) <= 4  # 2 h outage
    orders: list[dict[str, Any]] = result.payload["orders"]
    buys = [float(o["created_at"]) for o in orders if o["side"] == "buy"]  # the probe's entries
    assert any(t < GAP[0] for t in buys) and any(t > GAP[1] for t in buys)  # it trades around the hole
    assert not [t for t in buys if GAP[0] + 30 < t < GAP[1]]  # no new position while the feed is down


def test_durations_count_from_the_first_bad_reading_even_at_clock_zero() -> None:
    health = FeedHealth(grace_seconds=15, repeat_seconds=300)
    health.observe(BINANCE, False, 0.0)
    health.observe(BINANCE, False, 15.0)
    reminder = health.observe(BINANCE, False, 315.0)
    assert reminder is not None and "for 315s" in reminder.message
    recovered = health.observe(BINANCE, True, 400.0)
    assert recovered is not None and "after 400s" in recovered.message


def test_repeat_filter_reaches_handlers_of_non_propagating_loggers() -> None:
    """Hummingbot's log config puts its handlers on hummingbot.strategy & co. with propagate: false."""
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("hummingbot.strategy.feed_health_test")
    logger.propagate, logger.handlers = False, [handler]
    flt = RepeatFilter(window=60.0)
    flt.install()
    try:
        for _ in range(5):
            logger.warning("binance is not ready. Please wait...")
        logger.warning("FEED DOWN: binance ...")
    finally:
        flt.remove()
    logger.warning("binance is not ready. Please wait...")  # removed: passes again
    assert seen == ["binance is not ready. Please wait...", "FEED DOWN: binance ...", *seen[-1:]]
    assert len(seen) == 3 and not handler.filters


def test_repeat_filter_install_again_covers_handlers_made_by_a_logging_reconfiguration() -> None:
    """Headless Hummingbot calls init_logging again after the script started: new handlers."""
    seen: list[str] = []
    logger = logging.getLogger("hummingbot.connector.feed_health_test")
    logger.propagate = False
    flt = RepeatFilter(window=60.0)
    flt.install()
    fresh = logging.Handler()
    fresh.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logger.handlers = [fresh]  # what dictConfig does
    try:
        flt.install()
        flt.install()  # idempotent
        for _ in range(4):
            logger.warning("Cannot connect to host api.binance.com:443")
    finally:
        flt.remove()
    assert seen == ["Cannot connect to host api.binance.com:443"] and fresh.filters == []
