"""The REAL Hummingbot client, started as a user does (``python -m hummingbot_plugin client``), driven
in a tmux terminal, offline (PMM: the recorded L2 capture; AI: the candle feed, tests/test_candle_feed.py):
``start --v2``, an order placed, ``status``, a signed override and the kill switch from ``mosquitto_pub``
(real Mosquitto), ``stop``, ``exit``. Asserts on the screen and logs.

The script configs are the shipped ones with signed MQTT risk commands switched on (the shipped files
keep them off) and their own state folder; the controllers are the shipped ones, unchanged.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from client_terminal import MqttAccess, TmuxClient, publish_signed, write_client_conf

from hummingbot_plugin.settings import PROJECT_ROOT

pytestmark = [pytest.mark.timeout(300)]

KEY_ID = "ops"
# The AI script runs on the candle feed (books synthesised from the candle files, one 1h bar per second):
# its controllers need 1000 closed 1h bars, which the L2 capture's window does not have (321 bars). Start
# 2023-03-09T20:00Z: `python -m hummingbot_plugin backtest --config conf/controllers/
# ai_livestream_btc_usdt_1h.yml --candles binance_BTC-USDT_1h.csv --start 2023-03-01 --end 2023-03-15
# --json out.json` opens its first position at 2023-03-10T00:00Z (5 trades in the period), i.e. after
# the 4th bar played from this start: an entry within seconds, with > 5000 bars of history before it.
# Speed 600 plays a 1h bar every 6 s: a controller decides on the newest closed bar only, so a tick slower
# than one bar (a loaded CI machine at 3600x) would skip the entry bar and wait days of recording.
AI_START = "2023-03-09T20:00Z"
AI_SPEED = "600"
# case -> (shipped script config, controller id, status lines of that controller, override or None,
# feed arguments, the order line the log must show). The PMM controller has no MQTT override channel.
Case = tuple[str, str, tuple[str, ...], dict[str, Any] | None, list[str], str]
CASES: dict[str, Case] = {
    "pmm": (
        "market_making_pmm.yml",
        "pmm_forecast_binance_btc",
        (r"reference=\d+ spread_mult=",),
        None,
        ["--feed", "recorded", "--speed", "5"],
        r"Created LIMIT_MAKER BUY order SIMB-binance-BTC-USDT",
    ),
    "ai": (
        "ai_livestream_1h.yml",
        "ai_livestream_btc_usdt_1h",
        (r"mqtt connected=True subscribed=True",),
        {"long_threshold": 0.5},
        ["--feed", "candles", "--start", AI_START, "--speed", AI_SPEED],
        r"Created MARKET BUY order SIMB-binance-BTC-USDT-\d+",
    ),
}


def _script_config(root: Path, shipped: str, state: Path) -> str:
    """The shipped script config + risk commands, written into the client root's conf/scripts."""
    data = yaml.safe_load((PROJECT_ROOT / "conf" / "scripts" / shipped).read_text())
    name = f"terminal_{shipped}"
    data.update(risk_commands=True, state_dir=str(state), config_file=f"conf/scripts/{name}")
    folder = root / "conf" / "scripts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(data))
    return name


def _client(tmp_path: Path, mosquitto: Any, secret: bytes, feed: list[str]) -> tuple[TmuxClient, MqttAccess]:
    root = tmp_path / "hb"
    mqtt = MqttAccess(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    write_client_conf(root, mqtt, "terminal")
    env = {
        "CONFIG_PASSWORD": secrets.token_urlsafe(12),
        "HBP_MQTT_KEYS": f"{KEY_ID}:{secret.hex()}",
        "HBP_STATE_DIR": str(tmp_path / "state"),
        "HBP_METRICS_PORT": "",  # metrics off
    }
    args = [*feed, "--root", str(root)]
    # tall enough that `status` shows both controllers of a script with their executor tables
    return TmuxClient(root=root, env=env, args=args, height=150), mqtt


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_real_client_terminal_on_recorded_feed(case: str, tmp_path: Path, mosquitto: Any) -> None:
    shipped, controller_id, status_lines, override, feed, order_line = CASES[case]
    secret = secrets.token_bytes(32)
    client, mqtt = _client(tmp_path, mosquitto, secret, feed)
    conf = _script_config(client.root, shipped, tmp_path / "state")
    stem = conf.removesuffix(".yml")
    client.start()
    try:
        client.wait_screen(r">>>", timeout=60)
        client.type(f"start --v2 {conf}")
        client.wait_log(stem, r"Strategy v2_guarded_controllers started successfully", timeout=90)
        client.wait_log(stem, order_line, timeout=120)  # pmm: quotes off the recorded book; ai: an entry
        if case == "pmm":  # both sides
            client.wait_log(stem, r"Created LIMIT_MAKER SELL order SIMS-binance-BTC-USDT", timeout=30)
        client.ask_until("status", rf"Controller: {controller_id}", *status_lines, timeout=60)
        client.wait_log(stem, r"MQTT bridge connected|MQTT Bridge connected|connected to", timeout=60)
        if override is not None:
            ack = _override(mqtt, controller_id, override, secret)
            assert ack["accepted"] is True, ack
            assert ack["controller_id"] == controller_id
            client.ask_until("status", r"overrides=1 rejected=0", timeout=30)
        before = client.log(stem).count("Canceling the limit order")
        ack = _kill_switch(mqtt, secret)
        assert ack["accepted"] is True, ack
        _wait_halted(client, tmp_path / "state" / "global.json")
        if case == "pmm":  # the halt stops every executor: the resting quotes are cancelled
            client.wait(
                "quotes cancelled after the kill switch",
                lambda: client.log(stem).count("Canceling the limit order") > before,
                30,
            )
        client.ask_until("status", rf"Controller: {controller_id}", timeout=30)
        client.type("stop")
        client.wait_log(stem, r"Strategy stopped successfully", timeout=60)  # exit during a stop hangs
        client.type("exit")
        client.wait_exit(timeout=60)
    finally:
        client.close()
    refused = client.root / "logs" / "network_refused.log"
    assert not refused.exists(), f"the client tried to reach the network: {refused.read_text()}"
    assert not re.search(r"Cannot connect to host|api\.binance\.com", client.log(stem))


def _wait_halted(client: TmuxClient, state_file: Path) -> None:
    """The global guard's persisted state says HALTED, for the kill switch, by this operator."""

    def halted() -> bool:
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        return state.get("state") == "HALTED" and state.get("reason_code") == "KILL_SWITCH"

    client.wait("the global guard HALTED by the kill switch", halted, 30)


def _override(mqtt: MqttAccess, controller_id: str, changes: dict[str, Any], secret: bytes) -> dict[str, Any]:
    body = {
        "msg_id": secrets.token_hex(6),
        "issued_at": time.time(),  # the client's clock is the wall clock (the recording maps onto it)
        "controller_id": controller_id,
        "changes": changes,
    }
    topic = f"hbot/control/{controller_id}"
    return dict(publish_signed(mqtt, f"{topic}/override", f"{topic}/ack", body, (KEY_ID, secret)))


def _kill_switch(mqtt: MqttAccess, secret: bytes) -> dict[str, Any]:
    body = {
        "msg_id": secrets.token_hex(6),
        "issued_at": time.time(),
        "command": "kill_switch",
        "scope": "global",
        "reason": "terminal test",
        "operator": "ci",
    }
    topic = "hbot/control/risk"
    return dict(publish_signed(mqtt, f"{topic}/command", f"{topic}/ack", body, (KEY_ID, secret)))


# ----- the pieces, without a terminal ------------------------------------------------------------
def _args(**over: Any) -> Any:
    import argparse

    base = dict(script=None, feed="live", speed=1.0, start=None, headless=False, password="pw-1")
    return argparse.Namespace(**{**base, "dry_run": True, **over})


def test_client_command_prepares_the_root_and_refuses_bad_starts(tmp_path: Path) -> None:
    from hummingbot.client.config.config_crypt import PASSWORD_VERIFICATION_WORD, ETHKeyFileSecretManger

    from hummingbot_plugin.cli.client import client_command
    from hummingbot_plugin.errors import ConfigError

    root = tmp_path / "hb"
    shipped = "conf/scripts/market_making_pmm.yml"
    argv, env = client_command(_args(script=shipped, feed="recorded", speed=5.0, root=root), {})
    assert argv[-2:] == ["--v2", "market_making_pmm.yml"] and env["HBP_PAPER_FEED_SPEED"] == "5.0"
    assert argv[1:3] == ["-m", "hummingbot_plugin.simulation.paper.client_boot"]  # offline services
    live_argv, _ = client_command(_args(script=shipped, root=root), {})
    assert live_argv[1:3] == ["-m", "hummingbot_plugin.hb.client_boot"]  # the adapter alone
    for entry in ("scripts", "controllers", "models", "conf/controllers", f"{shipped}"):
        assert (root / entry).resolve() == (PROJECT_ROOT / entry).resolve(), entry
    word = (root / "conf" / ".password_verification").read_text()
    manager = ETHKeyFileSecretManger("pw-1")
    assert manager.decrypt_secret_value(PASSWORD_VERIFICATION_WORD, word) == PASSWORD_VERIFICATION_WORD
    (root / "conf" / "scripts" / "mine.yml").write_text("script_file_name: v2_guarded_controllers.py\n")
    client_command(_args(script=str(root / "conf/scripts/mine.yml"), root=root), {})  # a root's own file
    refusals = {
        "wrong password": _args(root=root, password="other"),
        "no paper_trading": _args(script="conf/scripts/sim_two_probes.yml", feed="recorded", root=root),
        "speed": _args(script=shipped, feed="recorded", speed=500.0, root=root),
        "headless, no script": _args(headless=True, root=root),
        "not in conf/scripts": _args(script="conf/controllers/glft_binance_btc_usdt.yml", root=root),
    }
    for what, args in refusals.items():
        with pytest.raises(ConfigError):
            client_command(args, {})
            pytest.fail(what)


def test_recorded_feed_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from hummingbot_plugin.errors import ConfigError
    from hummingbot_plugin.simulation.paper.recorded_feed import settings_from_env

    assert settings_from_env({}) is None and settings_from_env({"HBP_PAPER_FEED": "live"}) is None
    assert settings_from_env({"HBP_PAPER_FEED": "recorded", "HBP_PAPER_FEED_SPEED": "3"}).speed == 3.0  # type: ignore[union-attr]
    for env in ({"HBP_PAPER_FEED": "tape"}, {"HBP_PAPER_FEED": "recorded", "HBP_PAPER_FEED_SPEED": "0.5"}):
        with pytest.raises(ConfigError):
            settings_from_env(env)


def test_paper_venue_on_the_recorded_capture_never_builds_a_public_connector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hummingbot_plugin.simulation.engine.paper import PaperTradingSettings
    from hummingbot_plugin.simulation.paper import mode as paper_mode
    from hummingbot_plugin.simulation.paper.recorded_candles import _Session
    from hummingbot_plugin.simulation.paper.recorded_feed import existing_clock, settings_from_env

    start = 1723161260.0  # 2024-08-08 23:54:20 UTC, inside the capture
    env = {"HBP_PAPER_FEED": "recorded", "HBP_PAPER_FEED_SPEED": "10", "HBP_PAPER_FEED_START": str(start)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(paper_mode, "public_book_source", lambda *a: pytest.fail("public feed asked for"))
    paper = PaperTradingSettings(balances={"USDT": Decimal(1000)})
    venue = paper_mode.paper_venue("binance", ["BTC-USDT"], paper)
    venue._feed.sync(5000.0)
    venue._feed.sync(5006.0)  # 6 s of client clock at 10x: 60 s of recording
    bid, ask = venue.get_price("BTC-USDT", False), venue.get_price("BTC-USDT", True)
    assert 50000 < bid < ask < 70000 and venue.book_timestamp("BTC-USDT") == 5006.0
    clock = existing_clock(settings_from_env(env))  # type: ignore[arg-type]
    assert clock is not None and clock.recorded() == start + 60 and clock.to_clock(start + 30) == 5003.0
    bars = _Session(settings_from_env(env)).closed("binance", "BTC-USDT", "1h", 1000)  # type: ignore[arg-type]
    assert len(bars) == 321  # every 1h bar of the 1m file closed before the recorded time
    assert bars["timestamp"].iloc[-1] + 3600 <= clock.recorded() + (5000.0 - start)


@pytest.mark.parametrize(
    "boot", ["hummingbot_plugin.hb.client_boot", "hummingbot_plugin.simulation.paper.client_boot"]
)
def test_a_client_boot_module_imports_no_hummingbot_client_before_the_root_is_set(boot: str) -> None:
    """hummingbot.client computes its paths from root_path() at import: a boot module that imported it
    before prepare() would make point_root refuse to start."""
    import subprocess
    import sys

    imported = "any(m.startswith('hummingbot.client') for m in sys.modules)"
    code = f"import sys, {boot}\nsys.exit(7 if {imported} else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or "hummingbot.client imported by the boot module"


def test_network_guard_refuses_remote_hosts_and_allows_loopback(tmp_path: Path) -> None:
    import subprocess
    import sys

    log = tmp_path / "refused.log"
    code = (
        "import socket, sys\n"
        "from pathlib import Path\n"
        "from hummingbot_plugin.hb.client_boot import install_network_guard\n"
        f"install_network_guard(Path({str(log)!r}))\n"
        "socket.getaddrinfo('localhost', 80)\n"
        "try:\n    socket.getaddrinfo('api.binance.com', 443)\n"
        "except ConnectionRefusedError:\n    sys.exit(7)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 7, done.stderr
    assert log.read_text() == "refused network access to api.binance.com (recorded feed: offline)\n"
