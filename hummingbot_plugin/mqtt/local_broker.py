"""A real Mosquitto broker on 127.0.0.1 with a password file and an ACL (tests, benchmarks, demos).

Users: ``admin`` (read/write everything) and ``bot`` (reads override and prediction topics, writes ack and
status topics and its own Hummingbot bridge topics ``hbot/<instance>/#``); anonymous clients are refused.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from hummingbot_plugin.errors import ConfigError

__all__ = ["BrokerUser", "LocalMosquitto", "free_port", "launch_mosquitto", "stop_process"]

MAX_PACKET_BYTES = 65536
_ACL = """\
user {admin}
topic readwrite #

user {bot}
topic read {control}/+/override
topic read {predictions}/+/ML_SIGNALS
topic write {control}/+/ack
topic write {control}/+/status
topic readwrite {namespace}/{instance}/#
"""


@dataclass(frozen=True)
class BrokerUser:
    username: str
    password: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binary(name: str, fallback: str) -> str:
    found = shutil.which(name) or (fallback if Path(fallback).exists() else None)
    if found is None:
        raise ConfigError(f"{name} not found", fix="apt-get install mosquitto mosquitto-clients")
    return found


def _tail(log_file: Path) -> str:
    text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    return text[-2000:]


def launch_mosquitto(
    conf: Path, host: str, port: int, *, log_file: Path, capture_output: bool = False, timeout: float = 10.0
) -> subprocess.Popen[bytes]:
    """Run ``mosquitto -c conf`` and wait until ``host:port`` accepts connections.

    ``log_file`` is shown when the broker fails; with ``capture_output`` the broker's stdout/stderr go
    there (for configs with ``log_dest stdout``), otherwise the config's own ``log_dest file`` writes it.
    """
    command = [_binary("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)]
    if capture_output:
        with log_file.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    else:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(
                f"mosquitto exited with {process.returncode}: {_tail(log_file)}", fix="see the broker log"
            )
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) == 0:
                return process
        time.sleep(0.02)
    stop_process(process)
    raise ConfigError(f"mosquitto not ready on port {port}: {_tail(log_file)}", fix="see the broker log")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate ``process`` (kill it if it does not exit within ``timeout``); no-op when it has exited."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@dataclass
class LocalMosquitto:
    """A broker in ``workdir`` on ``port``; :meth:`stop` then :meth:`start` simulates an outage."""

    workdir: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    admin: BrokerUser = BrokerUser("admin", "admin-secret-pw")
    bot: BrokerUser = BrokerUser("bot", "bot-secret-pw")
    bot_instance: str = "testbot"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def write_config(self) -> Path:
        """Password file (mosquitto_passwd), ACL and mosquitto.conf in ``workdir``."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        passwd = self.workdir / "passwd"
        tool = _binary("mosquitto_passwd", "/usr/bin/mosquitto_passwd")
        for index, user in enumerate((self.admin, self.bot)):
            flags = ["-b", "-c"] if index == 0 else ["-b"]
            subprocess.run([tool, *flags, str(passwd), user.username, user.password], check=True)
        acl = self.workdir / "acl"
        acl.write_text(
            _ACL.format(
                admin=self.admin.username,
                bot=self.bot.username,
                control="hbot/control",
                predictions="hbot/predictions",
                namespace="hbot",
                instance=self.bot_instance,
            ),
            encoding="utf-8",
        )
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {self.host}\nallow_anonymous false\npassword_file {passwd}\n"
            f"acl_file {acl}\npersistence false\nmax_packet_size {MAX_PACKET_BYTES}\n"
            f"log_dest file {self.workdir / 'mosquitto.log'}\nuser root\n",
            encoding="utf-8",
        )
        return conf

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker and wait until it accepts connections."""
        conf = self.workdir / "mosquitto.conf"
        if not conf.exists():
            self.write_config()
        self.process = launch_mosquitto(
            conf, self.host, self.port, log_file=self.workdir / "mosquitto.log", timeout=timeout
        )

    def stop(self) -> None:
        """Terminate the broker (no-op when not running)."""
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def log_text(self) -> str:
        log = self.workdir / "mosquitto.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
