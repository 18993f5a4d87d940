"""A replay removes its temp folders (SQLite recorder, audit, risk state) on every exit path.

Folders are named ``hbp-replay-<kind>-<pid>-*`` (in /dev/shm when it exists, else the temp dir), so a test
sees exactly the folders of one process, even with other replays running on the machine.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest

from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

pytestmark = pytest.mark.slow

SCRIPT = PROJECT_ROOT / "conf" / "scripts" / "sim_baseline_replay.yml"
DATA = "binance_BTC-USDT_1h.csv"


def _leftovers(pid: int) -> list[Path]:
    roots = {Path(tempfile.gettempdir()), Path("/dev/shm")}
    return sorted(p for root in roots if root.is_dir() for p in root.glob(f"hbp-replay-*-{pid}-*"))


class _BrokenTerminal(io.StringIO):
    """A status stream that raises ``error`` at its ``after``-th write (the terminal went away, Ctrl-C)."""

    def __init__(self, error: BaseException, after: int) -> None:
        super().__init__()
        self.error, self.after, self.writes = error, after, 0
        self.seen_mid_run: list[Path] = []

    def isatty(self) -> bool:
        return True  # a terminal: the replay rewrites its status line twice a second

    def write(self, text: str) -> int:
        self.writes += 1
        if self.writes >= self.after:
            self.seen_mid_run = _leftovers(os.getpid())
            raise self.error
        return super().write(text)


@pytest.mark.parametrize(
    "error",
    [BrokenPipeError(32, "Broken pipe"), KeyboardInterrupt()],
    ids=["exception", "keyboard-interrupt"],
)
def test_a_failure_mid_run_leaves_no_temp_folder(error: BaseException, tmp_path: Path) -> None:
    terminal = _BrokenTerminal(error, after=3)
    request = ReplayRequest(
        script_config=SCRIPT,
        data=(Path(DATA),),
        start="2023-01-01",
        end="2023-02-28",
        balances={"USDT": Decimal("1010")},
        status_stream=terminal,
        audit_path=tmp_path / "audit.jsonl",
    )
    state_dir_before = os.environ.get("HBP_STATE_DIR")
    with pytest.raises(type(error)):
        run_replay(request)
    kinds = {p.name.split("-")[2] for p in terminal.seen_mid_run}
    assert kinds == {"state", "db", "audit"}, "the replay had its temp folders when it failed"
    assert _leftovers(os.getpid()) == []
    assert os.environ.get("HBP_STATE_DIR") == state_dir_before


def _start_replay(out: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "hummingbot_plugin",
        "replay",
        "--script-config",
        str(SCRIPT),
        "--data",
        DATA,
    ]
    argv += [
        "--start",
        "2023-01-01",
        "--end",
        "2023-09-30",
        "--balance",
        "USDT=1010",
        "--quiet",
        "--json",
        str(out),
    ]
    return subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_until_running(process: subprocess.Popen[bytes], timeout: float = 180.0) -> list[Path]:
    """The child's temp folders once the simulation loop runs (state, db and audit folders exist)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the replay ended before it could be interrupted"
        folders = _leftovers(process.pid)
        if {p.name.split("-")[2] for p in folders} == {"state", "db", "audit"}:
            return folders
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the replay never reached its simulation loop")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_mid_run_leaves_no_temp_folder(signum: signal.Signals, tmp_path: Path) -> None:
    out = tmp_path / "replay.json"
    process = _start_replay(out)
    try:
        seen = _wait_until_running(process)
        time.sleep(1.0)  # well inside the simulation (the whole period takes far longer)
        assert process.poll() is None
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0 and not out.exists(), stderr.decode()[-2000:]
    assert seen and _leftovers(process.pid) == [], stderr.decode()[-2000:]
