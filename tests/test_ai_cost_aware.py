"""decision_mode cost_aware: the walk-forward decision layer in the AI controller.

Real shipped research models (models/*_wf_oos2023), real Binance candles, Hummingbot's backtesting engine
and replay runtime. The research side of every comparison is computed independently, through the
walk-forward's own modules (research.data / selection.candidate_from / decision.decide / gate_of).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.ai.cost_aware import (
    CostAwareLive,
    CostAwareSettings,
    EntryRule,
    Gate,
    Validity,
    cost_aware_frame,
)
from hummingbot_plugin.ai.engine import EngineSettings, SignalEngine
from hummingbot_plugin.ai.research_model import RESEARCH_WINDOW, ResearchForecaster
from hummingbot_plugin.cli import main
from hummingbot_plugin.data import load_candles
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import load_model_texts, read_manifest
from hummingbot_plugin.research.data import build_research_data
from hummingbot_plugin.research.decision import Sizing, decide
from hummingbot_plugin.research.features import FeatureInputs
from hummingbot_plugin.research.selection import SearchSpace, candidate_from, gate_of
from hummingbot_plugin.research.ship import candle_only
from hummingbot_plugin.settings import PROJECT_ROOT

CONF = PROJECT_ROOT / "conf" / "controllers"
MODELS = PROJECT_ROOT / "models"
HOUR = 3600.0
BTC_2023 = {  # the 2023-01-01 block's choice (tools/train_wf_models.sh)
    "horizon": 4,
    "num_leaves": 7,
    "mode": "client",
    "long_threshold": 0.4621723781340756,
    "min_hold_bars": 144,
    "sizing": "vol_target",
    "vol_target": 0.9861468414568585,
    "gate": "none",
}


def _research_entries(model_dir: Path, params: dict[str, Any], start: str, end: str) -> list[float]:
    """Bar opens where the walk-forward's held position goes 0 -> long over [start, end]."""
    history = load_candles("binance_BTC-USDT_1h.csv", end=end)
    data = candle_only(build_research_data(history, FeatureInputs(), 3600))
    manifest = read_manifest(model_dir, accept_research=True)
    boosters = [lgb.Booster(model_str=t) for t in load_model_texts(model_dir, manifest).values()]
    begin = pd.Timestamp(start, tz="UTC").timestamp()
    rows = np.flatnonzero(data.timestamps >= begin - HOUR)  # the decision at the close before start
    ok = data.usable[rows]
    q = np.full((rows.size, 3), np.nan)
    q[ok] = np.sort(np.column_stack([b.predict(data.features[rows[ok]]) for b in boosters]), axis=1)
    candidate = candidate_from(params, SearchSpace())
    decided, _ = decide(q[:, 0], q[:, 1], q[:, 2], candidate.decision, gate_of(data, candidate.gate, rows))
    held = np.concatenate([[0.0], decided[:-1]])  # held during bar t, traded at its open
    stamps = data.timestamps[rows]
    opened = (held > 0) & (np.concatenate([[0.0], held[:-1]]) == 0)
    return [float(t) for t in stamps[opened] if t >= begin]


def _match_within_one_bar(engine: list[float], research: list[float]) -> None:
    assert len(engine) == len(research), (engine, research)
    for a, b in zip(sorted(engine), sorted(research), strict=True):
        assert abs(a - b) <= HOUR, (a, b)


def test_research_spec_accepted_only_explicitly(tmp_path: Path) -> None:
    model = MODELS / "btc_usdt_1h_wf_oos2023"
    with pytest.raises(ModelError, match="feature spec version"):
        read_manifest(model)  # the spec-1 loaders keep refusing it
    assert read_manifest(model, accept_research=True).feature_spec_version == "research-1"
    edited = tmp_path / "m"
    shutil.copytree(model, edited)
    body = json.loads((edited / "manifest.json").read_text())
    body["features"] = body["features"][:-1]
    (edited / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(ModelError, match="research spec"):
        read_manifest(edited, accept_research=True)


def test_decision_mode_and_model_spec_must_agree() -> None:
    research = EngineSettings("1h", "BTC-USDT", probe=False, research=True)
    client = EngineSettings("1h", "BTC-USDT", probe=False)
    assert SignalEngine.open(MODELS / "btc_usdt_1h_wf_oos2023", research).research is not None
    with pytest.raises(ModelError, match="decision_mode: cost_aware"):
        SignalEngine.open(MODELS / "btc_usdt_1h_wf_oos2023", client)
    with pytest.raises(ModelError, match="decision_mode: client"):
        SignalEngine.open(MODELS / "btc_usdt_1h_oos2023", research)


def test_live_window_equals_full_history_rows() -> None:
    model = ResearchForecaster.load(MODELS / "btc_usdt_1h_wf_oos2023", probe=False)
    candles = load_candles("binance_BTC-USDT_1h.csv", start="2022-06-01", end="2023-02-15")
    full = model.frame(candles)
    for position in (len(candles) - 1, len(candles) - 200, len(candles) - 777):
        live = model.latest(candles.iloc[: position + 1])
        assert live["reason"] == full["reason"].iloc[position] == ""
        for name in ("q10", "q50", "q90", "sma_gap_1200"):
            assert live[name] == pytest.approx(full[name].iloc[position], rel=1e-9, abs=1e-12)
    short = model.latest(candles.iloc[: RESEARCH_WINDOW - 1])
    assert short["reason"].startswith("warm-up") and np.isnan(float(short["q50"]))


_quantile = st.floats(-0.05, 0.05, allow_nan=False)


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(5, 80))
    mids = np.array(draw(st.lists(_quantile, min_size=n, max_size=n)))
    widths = np.array(draw(st.lists(st.floats(0.0, 0.05), min_size=n, max_size=n)))
    holes = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) & draw(st.booleans())
    gap = np.array(draw(st.lists(st.floats(-0.1, 0.1), min_size=n, max_size=n)))
    frame = pd.DataFrame({"timestamp": 1.7e9 + HOUR * np.arange(n)})
    frame["q10"], frame["q50"], frame["q90"] = mids - widths, mids, mids + widths
    frame.loc[holes, ["q10", "q50", "q90"]] = np.nan
    frame["sma_gap_1200"] = gap
    frame["reason"] = np.where(holes, "gap: missing bar(s)", "")
    return frame


@st.composite
def _settings(draw: st.DrawFn) -> CostAwareSettings:
    enter = draw(st.floats(0.0, 0.03))
    return CostAwareSettings(
        entry_rule=draw(st.sampled_from(list(EntryRule))),
        enter_margin=enter,
        exit_margin=enter - draw(st.floats(0.0, 0.05)),
        long_threshold=draw(st.floats(0.3, 0.7)),
        min_hold_bars=draw(st.integers(0, 30)),
        sizing=draw(st.sampled_from(list(Sizing))),
        gate=draw(st.sampled_from(list(Gate))),
    )


@settings(max_examples=150, deadline=None)
@given(frame=_frames(), chosen=_settings(), horizon=st.sampled_from([1, 4, 24, 72]), cut=st.integers(0, 10))
def test_live_steps_equal_the_vectorised_frame(
    frame: pd.DataFrame, chosen: CostAwareSettings, horizon: int, cut: int
) -> None:
    expires = float(frame["timestamp"].iloc[len(frame) // 2]) if cut % 2 else None
    validity = Validity(cutoff=float(frame["timestamp"].iloc[min(cut, len(frame) - 1)]), expires_at=expires)
    vectorised = cost_aware_frame(frame, chosen, horizon, validity=validity)
    live = CostAwareLive()
    steps = [live.apply(row, chosen, horizon, validity)["target"] for _, row in frame.iterrows()]
    assert np.array_equal(np.array(steps), vectorised["target"].to_numpy())
    assert np.all((vectorised["target"] >= 0) & (vectorised["target"] <= 1))
    if expires is not None:  # never an entry once expired
        late = vectorised["timestamp"].to_numpy() + HOUR > expires
        target = vectorised["target"].to_numpy()
        assert not np.any(late[1:] & (target[1:] > target[:-1]))


def _test_config(tmp_path: Path, name: str) -> Path:
    """The shipped oos2023 BTC config; test-only: a drawdown limit the gate does not reach (parity)."""
    config = yaml.safe_load((CONF / name).read_text())
    config["risk"] = {"max_drawdown_pct": "0.9"}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_backtest_entries_equal_research_positions(tmp_path: Path) -> None:
    config = _test_config(tmp_path, "ai_costaware_btc_usdt_1h_oos2023.yml")
    out = tmp_path / "bt.json"
    argv = f"backtest --config {config} --candles binance_BTC-USDT_1h.csv --start 2023-01-01 --end 2023-06-30"
    assert main([*argv.split(), "--fee", "0.001", "--capital", "1000", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    last_bar = pd.Timestamp("2023-06-30T23:00", tz="UTC").timestamp()  # its decision trades after the end
    engine = [float(e["entry_ts"]) for e in document["executors"] if (e["entry_ts"] or last_bar) < last_bar]
    research = _research_entries(MODELS / "btc_usdt_1h_wf_oos2023", BTC_2023, "2023-01-01", "2023-06-30")
    assert len(research) >= 3
    _match_within_one_bar(engine, research)


@pytest.mark.slow
def test_replay_entries_equal_research_positions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hummingbot_plugin.settings import data_file
    from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

    monkeypatch.setenv("HBP_STATE_DIR", str(tmp_path / "state"))
    config = _test_config(tmp_path, "ai_costaware_btc_usdt_1h_oos2023.yml")
    script = tmp_path / "replay.yml"
    body = {"script_file_name": "v2_plugin_controllers.py", "controllers_config": [str(config)]}
    script.write_text(yaml.safe_dump(body))
    result = run_replay(
        ReplayRequest(
            script_config=script,
            data=(data_file("binance_BTC-USDT_1h.csv"),),
            start="2023-01-01",
            end="2023-01-20",
            balances={"USDT": Decimal(1000)},
        )
    )
    buys = [float(f["timestamp"]) for f in result.payload["fills"] if f["side"] == "buy"]
    research = _research_entries(MODELS / "btc_usdt_1h_wf_oos2023", BTC_2023, "2023-01-01", "2023-01-20")
    assert research
    _match_within_one_bar(buys, research)
    assert not [o for o in result.payload["orders"] if o["status"] == "failed"]
