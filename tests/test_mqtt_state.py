"""Replay state (persisted, bounded, atomic), generic overrides on a Hummingbot config, blending maths."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mqtt_factories import PAIR, PRED_TOPIC, DemoDirectionalConfig, make_config

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mqtt import (
    KEYRING_ENV,
    DirectionalView,
    ExternalPrediction,
    Keyring,
    PredictionMode,
    RejectionReason,
    ReplayStore,
    ViewSource,
    build_overridden_config,
    combine_views,
    updatable_fields,
)

NOW = 1_800_000_000.0


def _make_store(path: Path, **kw: float) -> ReplayStore:
    return ReplayStore(path, capacity=int(kw.get("capacity", 4)), horizon=kw.get("horizon", 60.0), now=NOW)


def test_replay_state_survives_restart_and_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "replay.json"
    store = _make_store(path)
    for i in range(10):
        store.remember(f"m{i}", NOW - 10 + i, NOW)
    assert len(store) == 4 and store.floor == NOW - 10 + 5
    reopened = _make_store(path)
    assert reopened.is_replay("m9", NOW - 1)  # remembered id
    assert reopened.is_replay("m0", NOW - 10)  # evicted, but below the floor
    assert not reopened.is_replay("fresh", NOW)
    assert not list(tmp_path.glob(".replay.json.*"))  # no temp files left behind


def test_replay_prunes_ids_beyond_horizon(tmp_path: Path) -> None:
    store = _make_store(tmp_path / "r.json", capacity=100, horizon=30.0)
    store.remember("old", NOW - 100, NOW - 90)
    store.remember("new", NOW, NOW)
    assert len(store) == 1


def test_corrupt_replay_state_fails_closed_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "replay.json"
    path.write_text("{not json", encoding="utf-8")
    store = _make_store(path)
    assert store.is_replay("anything", NOW - 1)  # everything issued before the restart is refused
    assert not store.is_replay("anything", NOW + 1)
    assert (tmp_path / "replay.json.corrupt").read_text(encoding="utf-8") == "{not json"


def test_prediction_watermark_persisted_on_flush(tmp_path: Path) -> None:
    path = tmp_path / "replay.json"
    store = _make_store(path)
    store.advance_watermark(PRED_TOPIC, NOW - 5)
    store.flush()
    assert json.loads(path.read_text())["watermarks"][PRED_TOPIC] == NOW - 5
    assert _make_store(path).watermark(PRED_TOPIC) == NOW - 5


def test_updatable_fields_of_a_hummingbot_config() -> None:
    fields = updatable_fields(DemoDirectionalConfig)
    assert {"long_threshold", "paused", "max_position_quote", "stop_loss", "manual_kill_switch"} <= fields
    assert not {"leverage", "connector_name", "trading_pair", "model_tag", "id"} & fields


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"leverage": 5}, RejectionReason.NOT_UPDATABLE),
        ({"model_tag": "x"}, RejectionReason.NOT_UPDATABLE),
        ({"nonexistent": 1}, RejectionReason.UNKNOWN_CONFIG_FIELD),
        ({"long_threshold": 1.5}, RejectionReason.INVALID_CONFIG),
        ({"max_position_quote": -1}, RejectionReason.INVALID_CONFIG),
        ({"min_signal_pct": 0.2}, RejectionReason.INVALID_CONFIG),  # breaks min <= max (model validator)
        ({"long_threshold": 0.9, "leverage": 3}, RejectionReason.NOT_UPDATABLE),  # all or nothing
    ],
)
def test_invalid_override_changes_nothing(changes: dict[str, object], reason: RejectionReason) -> None:
    config = make_config()
    before = config.model_dump(warnings=False)
    outcome = build_overridden_config(config, changes)
    assert outcome.config is None and outcome.reason is reason
    assert config.model_dump(warnings=False) == before


def test_valid_override_builds_new_config_atomically() -> None:
    config = make_config()
    outcome = build_overridden_config(config, {"min_signal_pct": 0.1, "max_signal_pct": 0.2, "paused": True})
    assert outcome.config is not None and outcome.config is not config
    assert (outcome.config.min_signal_pct, outcome.config.max_signal_pct, outcome.config.paused) == (
        0.1,
        0.2,
        True,
    )
    assert outcome.config.max_position_quote == Decimal("500") and config.paused is False


_prob = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _view(a: float, b: float, c: float, target: float) -> DirectionalView | None:
    total = a + b + c
    if total < 1e-6:
        return None
    return DirectionalView(a / total, b / total, c / total, target)


def _prediction(view: DirectionalView, timestamp: float) -> ExternalPrediction:
    return ExternalPrediction(
        trading_pair=PAIR,
        topic=PRED_TOPIC,
        short=view.short,
        neutral=view.neutral,
        long=view.long,
        target_pct=view.target_pct,
        timestamp=timestamp,
        received_at=timestamp,
    )


@given(
    _prob,
    _prob,
    _prob,
    _prob,
    _prob,
    _prob,
    st.floats(0.0, 1.0),
    st.floats(0.001, 0.5),
    st.floats(0.001, 0.5),
)
def test_blend_is_a_probability_between_inputs(
    a: float, b: float, c: float, d: float, e: float, f: float, w: float, t1: float, t2: float
) -> None:
    local, outside = _view(a, b, c, t1), _view(d, e, f, t2)
    if local is None or outside is None:
        return
    mixed = combine_views(
        local,
        _prediction(outside, NOW),
        now=NOW,
        max_signal_age=60,
        mode=PredictionMode.BLEND,
        external_weight=w,
    )
    assert mixed is not None and mixed.source is ViewSource.BLEND
    assert abs(mixed.short + mixed.neutral + mixed.long - 1.0) < 1e-9
    for got, x, y in ((mixed.long, local.long, outside.long), (mixed.target_pct, t1, t2)):
        assert min(x, y) - 1e-9 <= got <= max(x, y) + 1e-9


def test_stale_or_disabled_external_falls_back_to_local() -> None:
    local = DirectionalView(0.2, 0.5, 0.3, 0.01)
    outside = _prediction(DirectionalView(0.7, 0.2, 0.1, 0.03), NOW - 61)
    kwargs = {"now": NOW, "max_signal_age": 60.0}
    assert combine_views(local, outside, mode=PredictionMode.REPLACE, **kwargs) is local
    fresh = _prediction(DirectionalView(0.7, 0.2, 0.1, 0.03), NOW - 1)
    assert combine_views(local, fresh, mode=PredictionMode.LOCAL_ONLY, **kwargs) is local
    replaced = combine_views(local, fresh, mode=PredictionMode.REPLACE, **kwargs)
    assert replaced is not None and replaced.source is ViewSource.EXTERNAL
    assert replaced.short == pytest.approx(0.7)
    assert combine_views(None, fresh, mode=PredictionMode.BLEND, **kwargs) == replaced
    assert combine_views(None, None, mode=PredictionMode.BLEND, **kwargs) is None


def test_keyring_sources_and_secrecy(tmp_path: Path) -> None:
    secret = secrets.token_hex(32)
    from_env = Keyring.from_env({KEYRING_ENV: f"ops:{secret}, ci:{secrets.token_hex(16)}"})
    assert from_env.key_ids() == ["ci", "ops"] and secret not in repr(from_env)
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"ops": secret}), encoding="utf-8")
    assert Keyring.from_file(keys_file).secret("ops") == bytes.fromhex(secret)
    for bad in ({KEYRING_ENV: "ops:abcd"}, {KEYRING_ENV: "ops:not-hex"}, {KEYRING_ENV: "no_colon"}):
        with pytest.raises(ConfigError):
            Keyring.from_env(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        Keyring.from_file(tmp_path / "missing.json")
