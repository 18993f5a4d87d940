"""Authenticated risk commands: signature, freshness, replay, schema, scope; every outcome acked + audited."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from hummingbot_plugin.audit import AuditLog, OverrideRecord, iter_records
from hummingbot_plugin.mqtt import Keyring, sign_payload
from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.risk.commands import RiskCommandProcessor, command_topics

SECRET = secrets.token_bytes(32)  # HMAC key, new for every test session
TOPIC = command_topics("hbot/control")[0]
NOW = 1_700_000_000.0


def make_command(sign: bool = True, secret: bytes = SECRET, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "msg_id": "m-1",
        "issued_at": NOW,
        "command": "kill_switch",
        "scope": "global",
        "reason": "drill",
        "operator": "alice",
    }
    body.update(overrides)
    return sign_payload(secret, "ops", TOPIC, body) if sign else body


def make_processor(tmp_path: Path) -> RiskCommandProcessor:
    replay = ReplayStore(tmp_path / "replay.json", capacity=100, horizon=3600, now=NOW)
    return RiskCommandProcessor(Keyring({"ops": SECRET}), replay, audit=AuditLog(tmp_path / "audit"))


def test_a_signed_fresh_command_is_accepted_and_audited(tmp_path: Path) -> None:
    outcome = make_processor(tmp_path).handle(TOPIC, make_command(), NOW + 1, {"ctrl"})
    assert outcome.command is not None and outcome.command.command == "kill_switch"
    assert outcome.ack.accepted and outcome.ack.payload()["msg_id"] == "m-1"
    record = next(iter_records(tmp_path / "audit"))
    assert isinstance(record, OverrideRecord) and record.accepted and record.sender == "alice"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (make_command(sign=False), "schema"),
        (make_command(secret=secrets.token_bytes(32)), "bad_signature"),
        ({**make_command(), "reason": "tampered"}, "bad_signature"),
        (make_command(issued_at=NOW - 120), "stale"),
        (make_command(issued_at=NOW + 60), "stale"),
        (make_command(command="liquidate_everything"), "schema"),
        (make_command(scope="nobody"), "wrong_target"),
        (make_command(extra_field=1), "schema"),
        ([1, 2, 3], "schema"),
        (make_command(reason="x" * 3000), "oversized"),
    ],
    ids=[
        "unsigned",
        "wrong-key",
        "tampered",
        "stale",
        "future",
        "unknown-command",
        "unknown-scope",
        "extra",
        "not-object",
        "oversized",
    ],
)
def test_bad_commands_are_rejected_with_a_reason(tmp_path: Path, payload: Any, reason: str) -> None:
    outcome = make_processor(tmp_path).handle(TOPIC, payload, NOW, {"ctrl"})
    assert outcome.command is None and not outcome.ack.accepted and outcome.ack.reason == reason
    record = next(iter_records(tmp_path / "audit"))
    assert isinstance(record, OverrideRecord) and not record.accepted and reason in record.reason


def test_a_replayed_command_is_rejected_even_after_a_restart(tmp_path: Path) -> None:
    assert make_processor(tmp_path).handle(TOPIC, make_command(), NOW, set()).ack.accepted
    again = make_processor(tmp_path).handle(TOPIC, make_command(), NOW + 2, set())
    assert not again.ack.accepted and again.ack.reason == "replayed"
