"""Pytest fixture: a real PostgreSQL server (Debian's ``postgresql``) on loopback, for one test module.

``initdb`` builds a cluster in a fresh temporary folder, ``pg_ctl`` starts it on a free 127.0.0.1 port
(Unix socket in the same folder), password auth with a per-session generated password; the finaliser
stops it (``-m immediate``) and deletes the folder. PostgreSQL refuses to run as root: as root the
commands run as the ``postgres`` system user (created by the Debian package) via ``runuser``, and the
folder is owned by that user. ``running_postgres`` is the same server as a context manager (benchmarks);
``python tests/postgres_fixture.py`` runs one until Ctrl-C / SIGTERM and prints its URL.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

__all__ = ["postgres_url", "running_postgres"]

USER = "hbp"
SYSTEM_USER = "postgres"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail(f"{name} not found: run `make setup` (installs Debian's postgresql)")
    return found[-1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], log: Path) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        server_log = log.read_text() if log.is_file() else ""
        pytest.fail(f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}{server_log}")


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a fresh server on 127.0.0.1, yield its SQLAlchemy URL, stop it and delete its folder."""
    root = Path(tempfile.mkdtemp(prefix="hbp-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    password, port = secrets.token_hex(16), _free_port()
    data, log, pwfile = root / "data", root / "server.log", root / "pw"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        os.chown(pwfile, pwd.getpwnam(SYSTEM_USER).pw_uid, -1)
    try:
        init = [_bin("initdb"), "-D", str(data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={pwfile}"]
        _run([*init, "-E", "UTF8", "--no-instructions"], log)
        options = f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c full_page_writes=off"
        _run([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "30", "start"], log)
        yield f"postgresql+psycopg2://{USER}:{password}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh PostgreSQL database on 127.0.0.1 (server stopped afterwards)."""
    with running_postgres() as url:
        yield url


if __name__ == "__main__":  # a throw-away server for benchmarks: prints its URL, stops on Ctrl-C / SIGTERM
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with running_postgres() as server_url:
        print(server_url, flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()
