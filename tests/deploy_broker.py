"""A real Mosquitto started from the SHIPPED deploy/mosquitto/mosquitto.conf and ACL, and a small client.

Only the listener (loopback, free port), the file paths and the process user are adapted; every other
line of the shipped configuration is used as is, so a change that weakens it fails the broker tests.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from hummingbot_plugin.mqtt.local_broker import free_port, launch_mosquitto, stop_process

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT_ROOT / "deploy"
SHIPPED_CONF = DEPLOY / "mosquitto" / "mosquitto.conf"
SHIPPED_ACL = DEPLOY / "mosquitto" / "acl"
MAKE_PASSWORDS = DEPLOY / "mosquitto" / "make_passwords.py"
TIMEOUT = 5.0

# container path in the shipped file -> replaced by a temp path
_PATH_KEYS = ("password_file", "acl_file", "include_dir", "persistence_location")


def adapt_conf(text: str, port: int, paths: dict[str, Path]) -> str:
    """The shipped config with its listener moved to 127.0.0.1:<port> and its file paths replaced."""
    listener = re.compile(r"^listener\s+1883\s*$", re.MULTILINE)
    if len(listener.findall(text)) != 1:
        raise AssertionError("shipped mosquitto.conf must have exactly one `listener 1883` line")
    text = listener.sub(f"listener {port} 127.0.0.1", text)
    for key in _PATH_KEYS:
        pattern = re.compile(rf"^{key}\s+\S+\s*$", re.MULTILINE)
        if len(pattern.findall(text)) != 1:
            raise AssertionError(f"shipped mosquitto.conf must set {key} exactly once")
        value = str(paths[key]) + ("/" if key == "persistence_location" else "")
        text = pattern.sub(f"{key} {value}", text)
    # The test runs as an unprivileged or root user; keep Mosquitto as that user (no privilege drop).
    return text + f"\nuser {os.environ.get('USER') or 'root'}\n"


@dataclass(frozen=True)
class Broker:
    port: int
    passwords: dict[str, str]
    log_file: Path


def start_shipped_broker(workdir: Path) -> Iterator[Broker]:
    """Generate passwords with the shipped tool, start Mosquitto on loopback, yield, stop it."""
    secrets_dir = workdir / "secrets"
    subprocess.run(
        ["python3", str(MAKE_PASSWORDS), "--acl", str(SHIPPED_ACL), "--out", str(secrets_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    passwords = {p.stem: p.read_text().strip() for p in secrets_dir.glob("*.password")}
    (workdir / "conf.d").mkdir()
    (workdir / "data").mkdir()
    port = free_port()
    conf = adapt_conf(
        SHIPPED_CONF.read_text(),
        port,
        {
            "password_file": secrets_dir / "broker" / "mosquitto_passwd",
            "acl_file": SHIPPED_ACL,
            "include_dir": workdir / "conf.d",
            "persistence_location": workdir / "data",
        },
    )
    conf_file = workdir / "mosquitto.conf"
    conf_file.write_text(conf)
    log_file = workdir / "mosquitto.log"
    process = launch_mosquitto(conf_file, "127.0.0.1", port, log_file=log_file, capture_output=True)
    try:
        yield Broker(port=port, passwords=passwords, log_file=log_file)
    finally:
        stop_process(process)


class Client:
    """A synchronous MQTT v5 client: connect result, SUBACK / PUBACK reason codes, received messages."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._connected = threading.Event()
        self._acks: dict[int, threading.Event] = {}
        self._codes: dict[int, list[ReasonCode]] = {}
        self.connect_code: ReasonCode | None = None
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if username is not None:
            self._client.username_pw_set(username, password)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_publish = self._on_publish
        self._client.on_message = lambda _c, _u, msg: self.messages.put((msg.topic, msg.payload))
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()
        self._connected.wait(TIMEOUT)

    @property
    def accepted(self) -> bool:
        return self.connect_code is not None and not self.connect_code.is_failure

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, code: ReasonCode, _props: Any) -> None:
        self.connect_code = code
        self._connected.set()

    def _register(self, mid: int) -> threading.Event:
        return self._acks.setdefault(mid, threading.Event())

    def _on_subscribe(self, _c: Any, _u: Any, mid: int, codes: list[ReasonCode], _props: Any) -> None:
        self._codes[mid] = codes
        self._register(mid).set()

    def _on_publish(self, _c: Any, _u: Any, mid: int, code: ReasonCode, _props: Any) -> None:
        self._codes[mid] = [code]
        self._register(mid).set()

    def subscribe(self, topic: str) -> bool:
        """True when the broker granted the subscription."""
        _rc, mid = self._client.subscribe(topic, qos=1)
        assert self._register(mid).wait(TIMEOUT), f"no SUBACK for {topic}"
        return not self._codes[mid][0].is_failure

    def publish(self, topic: str, payload: bytes = b"{}") -> bool:
        """QoS 1 publish; True when the broker's PUBACK says it was accepted (MQTT v5 reason code)."""
        info = self._client.publish(topic, payload, qos=1)
        assert self._register(info.mid).wait(TIMEOUT), f"no PUBACK for {topic}"
        return not self._codes[info.mid][0].is_failure

    def received(self, until_topic: str) -> list[str]:
        """Topics received up to and including ``until_topic`` (a sentinel published last)."""
        topics: list[str] = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                topic, _payload = self.messages.get(timeout=0.1)
            except queue.Empty:
                continue
            topics.append(topic)
            if topic == until_topic:
                return topics
        raise AssertionError(f"sentinel {until_topic} not received; got {topics}")

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
