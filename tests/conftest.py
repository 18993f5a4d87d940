"""Shared fixtures: the data directory, a guard that forbids non-loopback network access."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_fs import clean_alarms, full_tmpfs, readonly_dir  # noqa: F401  (real read-only / full filesystems)
from mosquitto_fixture import hb_bridge, mosquitto  # noqa: F401  (real broker + HB bridge fixtures)

from hummingbot_plugin.settings import data_dir


class NetworkAccessError(AssertionError):
    """A test tried to reach a non-loopback address."""


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def event_loop_present() -> None:
    """A current event loop for every test: a test that ran ``asyncio.run`` leaves none behind, and
    Hummingbot's objects read ``asyncio.get_event_loop()`` when they are built."""
    policy = asyncio.get_event_loop_policy()
    try:
        policy.get_event_loop()
    except RuntimeError:
        policy.set_event_loop(policy.new_event_loop())


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every test runs with outbound connections limited to loopback; attempts are recorded."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            attempts.append(address)
            raise NetworkAccessError(f"network access attempted in a test: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            attempts.append(address)
            raise NetworkAccessError(f"network access attempted in a test: {address!r}")
        return real_connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not _is_loopback((host,)):
            attempts.append(host)
            raise NetworkAccessError(f"DNS lookup attempted in a test: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts


@pytest.fixture(autouse=True)
def isolated_risk_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets its own risk-state folder: a gate built lazily by one test (``<project>/state`` by
    default) must never hand a HALTED state or a high-water mark to a later test."""
    state = tmp_path / "risk_state"
    monkeypatch.setenv("HBP_STATE_DIR", str(state))
    return state


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The real market-data folder (``$HBP_DATA_DIR``); the suite needs it."""
    path = data_dir()
    if not (path / "binance_BTC-USDT_1h.csv").is_file():
        pytest.fail(f"market data not found in {path}: set HBP_DATA_DIR to the shared data folder")
    return path
