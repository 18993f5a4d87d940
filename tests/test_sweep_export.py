"""A sweep's trial is scored on the one ledger, and its winner exports to a controller that backtests.

End to end on the shipped example (real candles, real LightGBM, real Hummingbot backtesting engine):
run a small study, ``sweep export`` → sealed model trained on the training window only + controller YAML
→ ``validate`` → ``backtest`` on a period after ``train_end`` (exit 0, it trades); a backtest inside the
training window is refused (every bar in-sample).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml

from hummingbot_plugin.cli import main
from hummingbot_plugin.ml.artifacts import read_manifest
from hummingbot_plugin.ml.seal import verify_seal
from hummingbot_plugin.research.stats import sharpe
from hummingbot_plugin.research.sweep import optimize
from hummingbot_plugin.research.sweep_config import load_sweep_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "conf" / "sweeps" / "example_small.yml"
TRADING = {"horizon": 4, "num_leaves": 7, "enter_margin": 0.0, "exit_gap": 0.0, "min_hold_bars": 2,
           "sizing": "fixed", "vol_target": 0.5, "gate": "none"}  # fmt: skip


def _config(tmp_path: Path, name: str, **changes: Any) -> Path:
    """The shipped example, relaxed so trials trade, with ``changes`` applied at the top level."""
    raw = yaml.safe_load(CONFIG.read_text())
    raw["constraints"] = {"min_trades": 0, "max_drawdown": 1.0}
    raw["space"]["enter_margin"]["high"] = 0.001
    raw.update(changes)
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _one_trial(config: Path) -> optuna.trial.FrozenTrial:
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(study_name="one", storage=storage, direction="maximize")
    study.enqueue_trial(TRADING)
    optimize(load_sweep_config(config), storage, "one", 1, 7)
    return optuna.load_study(study_name="one", storage=storage).trials[0]


def test_trials_are_scored_on_ledger_fills_with_the_sweep_fee(tmp_path: Path) -> None:
    free = _one_trial(_config(tmp_path, "free", fee=0.0))
    taxed = _one_trial(_config(tmp_path, "fee", fee=3e-4))
    assert free.params == taxed.params == TRADING
    a, b = free.user_attrs["result"], taxed.user_attrs["result"]
    assert a["fills"] > 10 and b["fills"] > 10 and b["scored_on"].startswith("ledger")
    assert a["fees_quote"] == 0.0 and b["fees_quote"] == pytest.approx(3e-4 * b["volume_quote"])
    # training folds only: 2022-04-01 .. 2022-06-30 (91 days + the mark at the last bar's close), 2 pairs
    assert len(b["daily_returns"]) == 2 * 92
    assert taxed.value == pytest.approx(sharpe(np.asarray(b["daily_returns"]), 365.0))


def _backtest(config: str, start: str, end: str, out: Path) -> int:
    candles = "binance_BTC-USDT_1h.csv"
    return main(["backtest", "--config", config, "--candles", candles, "--start", start, "--end", end,
                 "--json", str(out)])  # fmt: skip


def test_export_validates_and_backtests_after_the_training_window(tmp_path: Path) -> None:
    space = {  # a narrow space of configurations that trade, so the exported winner trades too
        "horizon": {"type": "categorical", "choices": [24]},
        "enter_margin": {"type": "float", "low": 0.0, "high": 0.0005},
        "exit_gap": {"type": "float", "low": 0.0, "high": 0.001},
        "min_hold_bars": {"type": "int", "low": 1, "high": 4},
    }
    fixed = {"mode": "cost_aware", "num_leaves": 7, "sizing": "fixed", "gate": "none"}
    config = _config(tmp_path, "sweep", space=space, fixed=fixed)
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    run = ["sweep", "run", "--config", str(config), "--storage", url, "--study", "ex", "--trials", "3"]
    assert main([*run, "--seed", "3"]) == 0
    out = tmp_path / "export"
    assert main(["sweep", "export", "--config", str(config), "--storage", url, "--study", "ex",
                 "--out", str(out)]) == 0  # fmt: skip
    chosen = yaml.safe_load((out / "chosen.yml").read_text())
    btc = chosen["controllers"]["BTC-USDT"]
    controller = yaml.safe_load(Path(btc).read_text())
    assert controller["controller_name"] == "ai_livestream" and controller["decision_mode"] == "cost_aware"
    assert controller["cost_aware"]["min_hold_bars"] == chosen["params"]["min_hold_bars"]
    model = Path(controller["model_dir"])
    verify_seal(model)
    manifest = read_manifest(model, accept_research=True)
    assert manifest.horizon_bars == chosen["params"]["horizon"]
    assert pd.Timestamp(manifest.train_end) <= pd.Timestamp("2022-07-01", tz="UTC")
    assert pd.Timestamp(manifest.train_start) >= pd.Timestamp("2021-01-01", tz="UTC")
    assert main(["validate", btc]) == 0
    assert _backtest(btc, "2022-07-01", "2022-08-31", tmp_path / "after.json") == 0
    after = json.loads((tmp_path / "after.json").read_text())
    assert after["n_fills"] > 0 and after["config"]["model_dir"] == str(model)
    assert _backtest(btc, "2022-05-01", "2022-06-30", tmp_path / "inside.json") == 2  # in-sample: refused
