"""Sweeps on shared storage: two real worker processes on one study, one SIGKILLed mid-trial, then resume.

Run against an SQLite file and against a real PostgreSQL server (``postgres_fixture``). The killed
worker's trial must end RUNNING or FAIL (never COMPLETE), the study must reach its trial count with each
trial counted once, and report/export must work on the result.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import optuna
import pytest
import yaml
from postgres_fixture import postgres_url  # noqa: F401  (real PostgreSQL fixture)
from sqlalchemy.engine import make_url

from hummingbot_plugin.cli import main
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.sweep import FINISHED, GRACE_S, open_storage
from hummingbot_plugin.research.sweep_config import load_sweep_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "conf" / "sweeps" / "example_small.yml"
STUDY = "kill_test"
FIRST, RESUMED = 6, 8  # finished trials asked of the two workers, then of the resuming run
State = optuna.trial.TrialState


def _relaxed(tmp_path: Path) -> Path:
    """The shipped example without constraints, near-zero entry margins and no gate (so trials trade)."""
    raw = yaml.safe_load(CONFIG.read_text())
    raw["constraints"] = {"min_trades": 0, "max_drawdown": 1.0}
    raw["space"]["enter_margin"]["high"] = 0.001
    raw["fixed"]["gate"] = raw["space"].pop("gate")["choices"][0]
    path = tmp_path / "sweep.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _worker(url: str, config: Path, trials: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "hummingbot_plugin", "sweep", "run", "--config", str(config)]
    command += ["--storage", url, "--study", STUDY, "--trials", str(trials)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _running_trial_of(url: str, pid: int, deadline: float) -> int:
    """Number of the trial ``pid`` is running (polls the shared storage)."""
    storage = open_storage(url)
    while time.monotonic() < deadline:
        if any(s.study_name == STUDY for s in optuna.get_all_study_summaries(storage, False)):
            study = optuna.load_study(study_name=STUDY, storage=storage)
            for trial in study.get_trials(deepcopy=False, states=(State.RUNNING,)):
                if str(trial.user_attrs.get("worker", "")).endswith(f":{pid}"):
                    return trial.number
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} never ran a trial")


def _kill_and_resume(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _relaxed(tmp_path)
    victim, survivor = _worker(url, config, FIRST), _worker(url, config, FIRST)
    try:
        killed = _running_trial_of(url, victim.pid, time.monotonic() + 60)
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
        _, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err.decode()
    finally:
        for proc in (victim, survivor):
            if proc.poll() is None:
                proc.kill()
    assert main(["sweep", "run", "--config", str(config), "--storage", url, "--study", STUDY,
                 "--trials", str(RESUMED)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert f"{STUDY}: " in printed and (url.startswith("sqlite") or "***@" in printed)
    assert make_url(url).password is None or str(make_url(url).password) not in printed  # never the password
    study = optuna.load_study(study_name=STUDY, storage=open_storage(url))
    assert study.get_trials(deepcopy=False)[killed].state in (State.RUNNING, State.FAIL)
    time.sleep(GRACE_S + 1)  # past the heartbeat grace period: the stale trial is failed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    trials = study.get_trials(deepcopy=False)
    assert trials[killed].state == State.FAIL
    finished = [t for t in trials if t.state in FINISHED]
    assert RESUMED <= len(finished) <= RESUMED + 1  # a worker may start the last trial in a race
    assert [t.number for t in trials] == list(range(len(trials)))  # each trial stored once
    assert len({t._trial_id for t in trials}) == len(trials)
    assert all(
        t.value is not None and t.user_attrs["result"]["daily_returns"]
        for t in trials
        if t.state == State.COMPLETE
    )
    assert all(t.state != State.RUNNING for t in trials)
    workers = {t.user_attrs["worker"] for t in finished}
    assert f":{victim.pid}" not in "".join(t.user_attrs["worker"] for t in finished if t.number == killed)
    assert len(workers) >= 2  # the survivor and the resuming run both finished trials
    _report_and_export(url, config, tmp_path, len(finished))


def _report_and_export(url: str, config: Path, tmp_path: Path, finished: int) -> None:
    out = tmp_path / "report"
    assert main(["sweep", "report", "--storage", url, "--study", STUDY, "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["trials_finished"] == finished
    assert report["best"]["entries"] > 0
    assert 0.0 <= report["best"]["deflated_sharpe"] <= 1.0
    assert all(
        (out / f"{n}.png").stat().st_size > 1000 for n in ("history", "importance", "parallel_coordinate")
    )
    exported = tmp_path / "export"
    args = ["--storage", url, "--study", STUDY, "--out", str(exported)]
    assert main(["sweep", "export", "--config", str(config), *args]) == 0
    best = yaml.safe_load((exported / "chosen.yml").read_text())
    assert best["source"]["trial"] == report["best"]["number"]
    assert best["params"]["horizon"] == best["model"]["horizon_bars"] == best["decision"]["horizon_bars"]
    assert "2022-06-30" in best["source"]["chosen_on"]
    assert sorted(best["controllers"]) == ["BTC-USDT", "ETH-USDT"]


def test_sqlite_two_workers_survive_a_kill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _kill_and_resume(f"sqlite:///{tmp_path / 'sweep.db'}", tmp_path, capsys)


def test_postgres_two_workers_survive_a_kill(
    postgres_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _kill_and_resume(postgres_url, tmp_path, capsys)


def test_config_fails_closed(tmp_path: Path) -> None:
    raw = yaml.safe_load(CONFIG.read_text())
    del raw["space"]["gate"]
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="gate must be in space or fixed"):
        load_sweep_config(broken)
    assert main(["sweep", "report", "--storage", f"sqlite:///{tmp_path / 'none.db'}", "--study", "x"]) == 2
