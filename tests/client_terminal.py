"""Drive the real Hummingbot client in a tmux terminal: type commands, read the screen and the logs.

Used by tests/test_client_terminal.py and the docs harness (tests/docs_snippets.py) for the terminal
blocks. The client is started with ``python -m hummingbot_plugin client`` exactly as a user does.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hummingbot_plugin.mqtt.signing import sign_payload
from hummingbot_plugin.settings import PROJECT_ROOT, data_dir

__all__ = [
    "MqttAccess",
    "TmuxClient",
    "publish_signed",
    "run_terminal_block",
    "terminal_lines",
    "write_client_conf",
]


SOCKET = "hbp-tests"  # a tmux server of its own: never the user's sessions or their environment


def _tmux_argv(*args: str) -> list[str]:
    tmux = shutil.which("tmux")
    assert tmux is not None, "tmux is not installed: run tools/setup.sh (it installs tmux)"
    return [tmux, "-L", SOCKET, *args]


def _tmux(*args: str) -> str:
    return subprocess.run(_tmux_argv(*args), check=True, capture_output=True, text=True, timeout=30).stdout


@dataclass
class TmuxClient:
    """One client in a detached tmux session of ``width`` x ``height`` characters."""

    root: Path
    env: dict[str, str]
    args: list[str]
    name: str = field(default_factory=lambda: f"hbp-{uuid.uuid4().hex[:8]}")
    width: int = 200
    height: int = 60
    transcript: list[str] = field(default_factory=list)

    def start(self) -> None:
        launcher = self.root.parent / f"{self.name}.sh"
        env = {"HBP_DATA_DIR": str(data_dir()), **self.env}
        exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))
        argv = [sys.executable, "-m", "hummingbot_plugin", "client", *self.args]
        command = " ".join(shlex.quote(a) for a in argv)
        err = shlex.quote(str(self.root.parent / "err"))
        launcher.write_text(f"cd {shlex.quote(str(PROJECT_ROOT))}\n{exports}exec {command} 2>{err}\n")
        _tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            f"bash {shlex.quote(str(launcher))}",
        )

    def alive(self) -> bool:
        return subprocess.run(_tmux_argv("has-session", "-t", self.name), capture_output=True).returncode == 0

    def type(self, text: str) -> None:
        """Type ``text`` and Enter (no Escape: prompt_toolkit reads Escape + key as Meta-key)."""
        self.transcript.append(f">>> {text}")
        _tmux("send-keys", "-t", self.name, "-l", text)
        _tmux("send-keys", "-t", self.name, "Enter")

    def screen(self) -> str:
        text = _tmux("capture-pane", "-p", "-J", "-t", self.name) if self.alive() else ""
        self.transcript.append(text)
        return text

    def log(self, stem: str) -> str:
        path = self.root / "logs" / f"logs_{stem}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait(self, what: str, probe: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if probe():
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{self.diagnostics()}")

    def wait_screen(self, pattern: str, timeout: float = 60.0) -> str:
        regex = re.compile(pattern)
        self.wait(f"screen /{pattern}/", lambda: bool(regex.search(self.screen())), timeout)
        return self.transcript[-1]

    def ask_until(self, command: str, *patterns: str, timeout: float = 60.0, every: float = 5.0) -> str:
        """Type ``command`` every ``every`` s until one screen shows every pattern (each within a line:
        the log pane shares the terminal's lines), e.g. ``status`` while the connectors warm up."""
        regexes = [re.compile(p) for p in patterns]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.type(command)
            step = time.monotonic() + every
            while time.monotonic() < step:
                screen = self.screen()
                if all(r.search(screen) for r in regexes):
                    return screen
                time.sleep(0.5)
        raise AssertionError(f"{command!r} never showed {patterns} in {timeout:.0f}s\n{self.diagnostics()}")

    def wait_log(self, stem: str, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        regex = re.compile(pattern)
        self.wait(f"log {stem} /{pattern}/", lambda: bool(regex.search(self.log(stem))), timeout)
        found = regex.search(self.log(stem))
        assert found is not None
        return found

    def wait_exit(self, timeout: float = 60.0) -> None:
        self.wait("the client to exit", lambda: not self.alive(), timeout)

    def diagnostics(self) -> str:
        err = self.root.parent / "err"
        logs = sorted((self.root / "logs").glob("*.log")) if (self.root / "logs").exists() else []
        tails = "".join(f"\n--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)
        stderr = err.read_text(errors="replace")[-2000:] if err.exists() else ""
        return f"--- screen\n{self.transcript[-1] if self.transcript else ''}\n--- stderr\n{stderr}{tails}"

    def close(self) -> None:
        if self.alive():
            _tmux("kill-session", "-t", self.name)


@dataclass(frozen=True)
class MqttAccess:
    host: str
    port: int
    username: str
    password: str


def write_client_conf(root: Path, mqtt: MqttAccess, instance_id: str) -> None:
    """Hummingbot's conf_client.yml: the bridge on the test broker, started with the client."""
    (root / "conf").mkdir(parents=True, exist_ok=True)
    conf = {
        "instance_id": instance_id,
        "mqtt_bridge": {
            "mqtt_host": mqtt.host,
            "mqtt_port": mqtt.port,
            "mqtt_username": mqtt.username,
            "mqtt_password": mqtt.password,
            "mqtt_autostart": True,
        },
    }
    (root / "conf" / "conf_client.yml").write_text(yaml.safe_dump(conf))


def publish_signed(
    mqtt: MqttAccess, topic: str, ack_topic: str, body: dict[str, Any], key: tuple[str, bytes]
) -> dict[str, Any]:
    """Sign ``body``, publish it with ``mosquitto_pub`` and return the ack read with ``mosquitto_sub``."""
    login = ["-h", mqtt.host, "-p", str(mqtt.port), "-u", mqtt.username, "-P", mqtt.password]
    sub = subprocess.Popen(
        ["mosquitto_sub", *login, "-t", ack_topic, "-C", "1", "-W", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # the subscription is in place before the message goes out
    signed = sign_payload(key[1], key[0], topic, body)
    subprocess.run(["mosquitto_pub", *login, "-t", topic, "-m", json.dumps(signed)], check=True, timeout=30)
    out, err = sub.communicate(timeout=60)
    assert out.strip(), f"no ack on {ack_topic}: {err}"
    return dict(json.loads(out.strip().splitlines()[-1]))


#: what the docs harness can type and how it checks each line took effect (pattern on screen or log).
_CHECKS: tuple[tuple[str, str], ...] = (
    (r"^start --v2 (?P<conf>\S+\.yml)$", "log:Strategy v2_guarded_controllers started successfully"),
    (r"^status$", r"screen:Controller: \S+|Market connectors are not ready"),
    (r"^stop$", r"log:Strategy stopped successfully"),  # typing exit during a stop hangs the client
    (r"^history$", r"screen:Start Time|No past trades|Trades|history"),
    (r"^balance$", r"screen:Exchange|balance"),
)


def terminal_lines(code: str) -> list[str]:
    """The commands of a terminal block: comments and blank lines dropped."""
    return [line.split("#", 1)[0].strip() for line in code.splitlines() if line.split("#", 1)[0].strip()]


def run_terminal_block(client: TmuxClient, code: str) -> None:
    """Type each line of a docs terminal block in a started client and check it took effect."""
    client.wait_screen(r">>>", timeout=90)
    stem = "hummingbot"
    for line in terminal_lines(code):
        found = [(m, c) for p, c in _CHECKS if (m := re.match(p, line)) is not None]
        assert found, f"the docs harness cannot check {line!r}"
        match, expect = found[0]
        stem = match.group("conf").removesuffix(".yml") if "conf" in match.groupdict() else stem
        where, pattern = expect.split(":", 1)
        if where == "log":
            client.type(line)
            client.wait_log(stem, pattern, timeout=120)
        else:
            client.ask_until(line, pattern, timeout=60, every=10)
    client.type("exit")
    client.wait_exit(timeout=60)
