"""Message-layer protection on raw bytes: every bad message is refused with its reason and counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mqtt_factories import (
    CONTROLLER_ID,
    OVR_TOPIC,
    PAIR,
    PRED_TOPIC,
    make_keyring,
    make_override,
    make_settings,
)

from hummingbot_plugin.mqtt import (
    ExternalPrediction,
    Inbound,
    MessageGuard,
    OverrideRequest,
    Rejection,
    RejectionLedger,
    RejectionReason,
    ReplayStore,
)

NOW = 1_800_000_000.0


def _make_guard(state_dir: Path, **settings: Any) -> MessageGuard:
    cfg = make_settings(state_dir, **settings)
    replay = ReplayStore(cfg.replay_state_file(CONTROLLER_ID), capacity=64, horizon=60.0, now=NOW)
    return MessageGuard(cfg, make_keyring(), replay, CONTROLLER_ID)


def _raw(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def _override(**kw: Any) -> dict[str, Any]:
    return make_override({"long_threshold": 0.7}, issued_at=kw.pop("issued_at", NOW - 1), **kw)


def _resigned(body: dict[str, Any]) -> dict[str, Any]:
    from mqtt_factories import KEY_ID, SECRET

    from hummingbot_plugin.mqtt import sign_payload

    return sign_payload(SECRET, KEY_ID, OVR_TOPIC, body)


BAD_OVERRIDES: list[tuple[str, bytes, RejectionReason]] = [
    ("malformed", b'{"msg_id": "a", ', RejectionReason.MALFORMED_JSON),
    ("nan_literal", b'{"msg_id": NaN}', RejectionReason.MALFORMED_JSON),
    ("duplicate_key", b'{"msg_id": "a", "msg_id": "b"}', RejectionReason.MALFORMED_JSON),
    ("not_utf8", b"\xff\xfe{}", RejectionReason.MALFORMED_JSON),
    ("array", b"[1, 2, 3]", RejectionReason.NOT_AN_OBJECT),
    ("oversized", _raw(_override(note="x" * 5000)), RejectionReason.OVERSIZED),
    ("deep", b'{"a":' * 12 + b"1" + b"}" * 12, RejectionReason.SCHEMA),
    ("stale", _raw(_override(issued_at=NOW - 120)), RejectionReason.STALE),
    ("future", _raw(_override(issued_at=NOW + 60)), RejectionReason.FUTURE),
    ("unsigned", _raw(make_override({"paused": True}, issued_at=NOW, sign=False)), RejectionReason.UNSIGNED),
    ("unknown_field", _raw(_resigned({**_override(), "extra": 1})), RejectionReason.UNKNOWN_FIELD),
    (
        "missing_field",
        _raw(_resigned({k: v for k, v in _override().items() if k != "issued_at"})),
        RejectionReason.SCHEMA,
    ),
    ("wrong_type", _raw(_resigned({**_override(), "issued_at": "soon"})), RejectionReason.SCHEMA),
    ("empty_changes", _raw(_resigned({**_override(), "changes": {}})), RejectionReason.OUT_OF_RANGE),
    ("wrong_target", _raw(_override(controller_id="other")), RejectionReason.WRONG_TARGET),
]


@pytest.mark.parametrize(("name", "raw", "reason"), BAD_OVERRIDES, ids=[b[0] for b in BAD_OVERRIDES])
def test_bad_override_refused_with_reason(
    tmp_path: Path, name: str, raw: bytes, reason: RejectionReason
) -> None:
    guard = _make_guard(tmp_path)
    ledger = RejectionLedger()
    result = guard.check_override(Inbound(OVR_TOPIC, raw), NOW, subscribed_since=0.0)
    assert isinstance(result, Rejection), name
    ledger.record(result)
    assert result.reason is reason, result.detail
    assert ledger.count(reason) == 1 and ledger.total == 1


def test_tampered_signature_refused(tmp_path: Path) -> None:
    body = _override()
    body["changes"] = {"long_threshold": 0.99}  # changed after signing
    result = _make_guard(tmp_path).check_override(Inbound(OVR_TOPIC, _raw(body)), NOW, 0.0)
    assert isinstance(result, Rejection) and result.reason is RejectionReason.BAD_SIGNATURE


def test_signature_bound_to_topic(tmp_path: Path) -> None:
    body = make_override({"paused": True}, issued_at=NOW, topic="hbot/control/other/override")
    result = _make_guard(tmp_path).check_override(Inbound(OVR_TOPIC, _raw(body)), NOW, 0.0)
    assert isinstance(result, Rejection) and result.reason is RejectionReason.BAD_SIGNATURE


def test_unknown_key_refused(tmp_path: Path) -> None:
    body = _override()
    body["key_id"] = "nobody"
    result = _make_guard(tmp_path).check_override(Inbound(OVR_TOPIC, _raw(body)), NOW, 0.0)
    assert isinstance(result, Rejection) and result.reason is RejectionReason.UNKNOWN_KEY


def test_retained_flag_and_pre_subscription_issue_refused(tmp_path: Path) -> None:
    guard = _make_guard(tmp_path)
    flagged = guard.check_override(Inbound(OVR_TOPIC, _raw(_override()), retained=True), NOW, 0.0)
    assert isinstance(flagged, Rejection) and flagged.reason is RejectionReason.RETAINED
    early = guard.check_override(Inbound(OVR_TOPIC, _raw(_override(issued_at=NOW - 5))), NOW, NOW - 2)
    assert isinstance(early, Rejection) and early.reason is RejectionReason.RETAINED


def test_good_override_then_replay_refused_even_after_restart(tmp_path: Path) -> None:
    raw = _raw(_override())
    first = _make_guard(tmp_path).check_override(Inbound(OVR_TOPIC, raw), NOW, 0.0)
    assert isinstance(first, OverrideRequest) and first.changes == {"long_threshold": 0.7}
    again = _make_guard(tmp_path).check_override(Inbound(OVR_TOPIC, raw), NOW + 1, 0.0)  # new process
    assert isinstance(again, Rejection) and again.reason is RejectionReason.REPLAYED


def test_parsed_payload_from_bridge_checked_like_bytes(tmp_path: Path) -> None:
    guard = _make_guard(tmp_path)
    ok = guard.check_override(Inbound(OVR_TOPIC, _override()), NOW, 0.0)
    assert isinstance(ok, OverrideRequest)
    inf = guard.check_override(Inbound(OVR_TOPIC, {**_override(), "issued_at": float("inf")}), NOW, 0.0)
    assert isinstance(inf, Rejection) and inf.reason is RejectionReason.NON_FINITE
    big = guard.check_override(Inbound(OVR_TOPIC, _override(note="y" * 6000)), NOW, 0.0)
    assert isinstance(big, Rejection) and big.reason is RejectionReason.OVERSIZED


BAD_PREDICTIONS: list[tuple[str, dict[str, Any], RejectionReason]] = [
    ("sum_not_one", {"probabilities": [0.5, 0.5, 0.5], "target_pct": 0.01}, RejectionReason.OUT_OF_RANGE),
    ("negative", {"probabilities": [-0.1, 0.6, 0.5], "target_pct": 0.01}, RejectionReason.OUT_OF_RANGE),
    ("two_probs", {"probabilities": [0.5, 0.5], "target_pct": 0.01}, RejectionReason.SCHEMA),
    ("string_prob", {"probabilities": ["0.2", 0.3, 0.5], "target_pct": 0.01}, RejectionReason.SCHEMA),
    ("target_too_big", {"probabilities": [0.2, 0.3, 0.5], "target_pct": 3.0}, RejectionReason.OUT_OF_RANGE),
    (
        "unknown_field",
        {"probabilities": [0.2, 0.3, 0.5], "target_pct": 0.01, "x": 1},
        RejectionReason.UNKNOWN_FIELD,
    ),
    (
        "stale",
        {"probabilities": [0.2, 0.3, 0.5], "target_pct": 0.01, "timestamp": NOW - 600},
        RejectionReason.STALE,
    ),
    (
        "future",
        {"probabilities": [0.2, 0.3, 0.5], "target_pct": 0.01, "timestamp": NOW + 600},
        RejectionReason.FUTURE,
    ),
]


@pytest.mark.parametrize(("name", "body", "reason"), BAD_PREDICTIONS, ids=[b[0] for b in BAD_PREDICTIONS])
def test_bad_prediction_refused(
    tmp_path: Path, name: str, body: dict[str, Any], reason: RejectionReason
) -> None:
    payload = {"timestamp": NOW - 1, **body}
    result = _make_guard(tmp_path).check_prediction(Inbound(PRED_TOPIC, _raw(payload)), PAIR, NOW)
    assert isinstance(result, Rejection), name
    assert result.reason is reason, result.detail


def test_prediction_upstream_format_accepted_and_replay_refused(tmp_path: Path) -> None:
    guard = _make_guard(tmp_path)
    raw = _raw({"probabilities": [0.1, 0.2, 0.7], "target_pct": 0.02, "timestamp": (NOW - 3) * 1000})
    first = guard.check_prediction(Inbound(PRED_TOPIC, raw), PAIR, NOW)
    assert isinstance(first, ExternalPrediction)
    assert first.probabilities == (0.1, 0.2, 0.7) and first.timestamp == pytest.approx(NOW - 3)
    again = guard.check_prediction(Inbound(PRED_TOPIC, raw), PAIR, NOW)
    assert isinstance(again, Rejection) and again.reason is RejectionReason.REPLAYED


def test_unsigned_prediction_refused_when_signing_required(tmp_path: Path) -> None:
    guard = _make_guard(tmp_path, require_signed_predictions=True)
    raw = _raw({"probabilities": [0.1, 0.2, 0.7], "target_pct": 0.02, "timestamp": NOW})
    result = guard.check_prediction(Inbound(PRED_TOPIC, raw), PAIR, NOW)
    assert isinstance(result, Rejection) and result.reason is RejectionReason.UNSIGNED
