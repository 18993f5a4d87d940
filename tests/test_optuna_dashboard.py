"""``optuna-dashboard`` (pinned in requirements.lock) serves a sweep's study from its SQLite storage.

A study written through the sweep's own storage (``research.sweep.open_storage``: WAL mode, heartbeats)
holds COMPLETE, PRUNED and FAIL trials; the real ``optuna-dashboard`` command is started on loopback on a
free port and the study is read back over its JSON API, then the server is stopped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, FloatDistribution
from optuna.trial import TrialState, create_trial

from hummingbot_plugin.research.sweep import open_storage

BIN = Path(sys.executable).parent / "optuna-dashboard"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, deadline: float, server: subprocess.Popen[bytes]) -> Any:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.communicate()[1].decode()
            assert time.monotonic() < deadline, f"optuna-dashboard never answered {url}"
            time.sleep(0.2)


def _study(url: str) -> None:
    study = optuna.create_study(study_name="dash", storage=open_storage(url), direction="maximize")
    space: dict[str, BaseDistribution] = {"enter_margin": FloatDistribution(0.0, 0.01)}
    for k, (state, value) in enumerate(
        [
            (TrialState.COMPLETE, 0.5),
            (TrialState.COMPLETE, 1.25),
            (TrialState.PRUNED, None),
            (TrialState.FAIL, None),
        ]
    ):
        trial = create_trial(
            state=state,
            value=value,
            params={"enter_margin": 0.001 * (k + 1)},
            distributions=space,
            user_attrs={"result": {"daily_returns": [0.01, -0.005]}} if value is not None else {},
            intermediate_values={0: 0.1 * k},
        )
        study.add_trial(trial)


def test_dashboard_reads_a_sweep_study_over_http(tmp_path: Path) -> None:
    assert shutil.which(str(BIN)), "optuna-dashboard not installed: pip install -r requirements.lock"
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    _study(url)
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN), url, "--host", "127.0.0.1", "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 30
        summaries = _get(f"{base}/api/studies", deadline, server)["study_summaries"]
        assert [s["study_name"] for s in summaries] == ["dash"]
        detail = _get(f"{base}/api/studies/{summaries[0]['study_id']}", deadline, server)
        states = [t["state"] for t in detail["trials"]]
        assert states == ["Complete", "Complete", "Pruned", "Fail"]
        assert [t["number"] for t in detail["best_trials"]] == [1]
        assert detail["best_trials"][0]["values"] == [1.25]
        assert detail["trials"][1]["params"][0]["name"] == "enter_margin"
    finally:
        server.terminate()
        server.wait(10)
    assert server.returncode is not None
