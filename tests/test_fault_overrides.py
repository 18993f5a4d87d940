"""Overrides only tighten unless an operator says so; the whole MQTT matrix through the real broker.

Real AI controller config (its Field bounds), real Mosquitto, Hummingbot's real MQTT bridge.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_channel_helpers import ACK_TOPIC
from mqtt_factories import OVR_TOPIC, Operator, make_override, wait_until
from test_fault_mqtt import ai_config, make_channel, operator_override

from hummingbot_plugin.audit import AuditLog, OverrideRecord, iter_records
from hummingbot_plugin.mqtt import build_overridden_config


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"total_amount_quote": 1e30}, "invalid_config"),
        ({"total_amount_quote": -1000}, "invalid_config"),
        ({"total_amount_quote": 0}, "invalid_config"),
        ({"total_amount_quote": "1e400"}, "wrong_type"),
        ({"long_threshold": "0.7"}, "wrong_type"),
        ({"long_threshold": True}, "wrong_type"),
        ({"manual_kill_switch": "false"}, "wrong_type"),
        ({"risk": {"max_open_executors": "2"}}, "wrong_type"),
        ({"risk": {"max_open_executors": 2.5}}, "wrong_type"),
        ({"risk": {"no_such_limit": 1}}, "wrong_type"),
        ({"risk": {"max_leverage": 100}}, "loosening"),
        ({"risk": {"max_drawdown_pct": 1}}, "loosening"),
        ({"risk": {"max_drawdown_quote": None}}, "loosening"),
        ({"risk": {"close_positions_on_halt": False}}, "loosening"),
        ({"total_amount_quote": 1_000_000}, "loosening"),
        ({"risk": {"capital_quote": 5000}}, "loosening"),
    ],
)
def test_refused_without_an_operator(changes: dict[str, Any], reason: str) -> None:
    outcome = build_overridden_config(ai_config(), changes, allow_loosen=False)
    assert outcome.config is None and outcome.reason is not None and outcome.reason.value == reason


def test_partial_risk_override_merges_and_lists_every_change() -> None:
    outcome = build_overridden_config(ai_config(), {"risk": {"max_open_executors": 2}}, allow_loosen=False)
    assert outcome.config is not None
    risk = outcome.config.risk
    assert (risk.max_open_executors, risk.max_drawdown_quote, risk.daily_loss_limit_quote) == (2, 100, 50)
    assert risk.max_drawdown_pct == Decimal("0.05")
    assert outcome.changed == {"risk.max_open_executors": [10, 2]} and outcome.loosened == ()


def test_tightening_is_free_and_loosening_is_flagged() -> None:
    tight = build_overridden_config(
        ai_config(), {"total_amount_quote": 500, "risk": {"max_drawdown_pct": 0.02}}, allow_loosen=False
    )
    assert tight.config is not None and tight.changed == {
        "risk.max_drawdown_pct": ["0.05", "0.02"],
        "total_amount_quote": ["1000", "500"],
    }
    loose = build_overridden_config(ai_config(), {"total_amount_quote": 2000}, allow_loosen=True)
    assert loose.config is not None and loose.loosened == ("total_amount_quote",)


@pytest.fixture
def operator(mosquitto: MosquittoBroker) -> Iterator[Operator]:
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    op.subscribe(ACK_TOPIC)
    yield op
    op.close()


Case = tuple[str, Callable[[], dict[str, Any] | bytes], bool]
_ONCE: dict[str, dict[str, Any]] = {}


def applied_once() -> dict[str, Any]:
    """The same signed message twice (issued after the subscription, so built on first use)."""
    if "message" not in _ONCE:
        _ONCE["message"] = make_override({"long_threshold": 0.55}, msg_id="applied-once")
    return _ONCE["message"]


CASES: list[Case] = [
    ("valid data override", applied_once, True),
    ("replayed", applied_once, False),
    ("malformed", lambda: b"{this is not json", False),
    ("oversized", lambda: make_override({"long_threshold": 0.5}, note="z" * 6000), False),
    ("stale", lambda: make_override({"long_threshold": 0.5}, issued_at=time.time() - 300), False),
    ("future", lambda: make_override({"long_threshold": 0.5}, issued_at=time.time() + 300), False),
    ("unsigned", lambda: make_override({"long_threshold": 0.5}, sign=False), False),
    (
        "bad signature",
        lambda: {**make_override({"long_threshold": 0.5}), "changes": {"long_threshold": 0.1}},
        False,
    ),
    ("out-of-range capital 1e30", lambda: make_override({"total_amount_quote": 1e30}), False),
    ("out-of-range capital -1000", lambda: make_override({"total_amount_quote": -1000}), False),
    ("out-of-range capital 0", lambda: make_override({"total_amount_quote": 0}), False),
    ("out-of-range leverage 200", lambda: make_override({"risk": {"max_leverage": 200}}), False),
    ("unknown envelope field", lambda: make_override({"long_threshold": 0.5}, extra_field=1), False),
    ("unknown config field", lambda: make_override({"no_such_knob": 1}), False),
    ("wrong-type capital '1e400'", lambda: make_override({"total_amount_quote": "1e400"}), False),
    ("wrong-type threshold '0.7'", lambda: make_override({"long_threshold": "0.7"}), False),
    ("wrong-type threshold true", lambda: make_override({"long_threshold": True}), False),
    ("wrong-type kill switch 'false'", lambda: make_override({"manual_kill_switch": "false"}), False),
    ("non-updatable leverage", lambda: make_override({"leverage": 20}), False),
    ("non-updatable connector", lambda: make_override({"connector_name": "kucoin"}), False),
    ("msg_id with a newline", lambda: make_override({"long_threshold": 0.5}, msg_id="a\nb"), False),
    ("loosen capital 1e6", lambda: make_override({"total_amount_quote": 1_000_000}), False),
    ("loosen leverage 100", lambda: make_override({"risk": {"max_leverage": 100}}), False),
    ("loosen drawdown 100 %", lambda: make_override({"risk": {"max_drawdown_pct": 1}}), False),
    (
        "loosen: true, not an operator key",
        lambda: make_override({"total_amount_quote": 2000}, loosen=True),
        False,
    ),
    ("operator key without loosen: true", lambda: operator_override({"total_amount_quote": 2000}), False),
    ("tighten: partial risk", lambda: make_override({"risk": {"max_open_executors": 2}}), True),
    ("tighten: capital 1000 -> 500", lambda: make_override({"total_amount_quote": 500}), True),
    (
        "operator loosens capital 500 -> 800",
        lambda: operator_override({"total_amount_quote": 800}, loosen=True),
        True,
    ),
    ("kill switch on", lambda: make_override({"manual_kill_switch": True}), True),
    ("kill switch off, ops key", lambda: make_override({"manual_kill_switch": False}), False),
]


def test_mqtt_matrix_through_the_real_broker_applies_nothing_it_should_not(
    hb_bridge: BridgeHarness,
    operator: Operator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clean_alarms: None,
) -> None:
    _ONCE.clear()
    operator.publish(OVR_TOPIC, make_override({"manual_kill_switch": True}), retain=True)  # retained
    hb_bridge.start()
    audit = AuditLog(tmp_path / "audit")
    channel = make_channel(tmp_path, audit=audit)
    assert wait_until(lambda: operator.messages(ACK_TOPIC), lambda s: (channel.poll(), hb_bridge.pump(s)))
    assert operator.messages(ACK_TOPIC)[0]["reason"] == "retained"
    applied: list[tuple[str, bool]] = []
    for name, build, _expected in CASES:
        before = len(operator.messages(ACK_TOPIC))
        operator.publish(OVR_TOPIC, build())
        updates = []

        def tick(seconds: float, sink: list[Any] = updates) -> None:
            sink.append(channel.poll())
            hb_bridge.pump(seconds)

        if name == "malformed":  # Hummingbot's bridge drops it before the channel: no ack
            for _ in range(10):
                tick(0.02)
        else:
            assert wait_until(lambda b=before: len(operator.messages(ACK_TOPIC)) > b, tick), name
        applied.append((name, any(u.new_config is not None for u in updates)))
    wrong = [
        (name, got) for (name, got), (_n, _b, expected) in zip(applied, CASES, strict=True) if got != expected
    ]
    reasons = Counter(a["reason"] for a in operator.messages(ACK_TOPIC))
    with capsys.disabled():
        print(
            f"\nMQTT matrix: {len(CASES)} cases, applied {sum(g for _n, g in applied)} "
            f"(expected {sum(e for _n, _b, e in CASES)}), wrongly applied "
            f"{sum(g and not e for (_n, g), (_m, _b, e) in zip(applied, CASES, strict=True))}; "
            f"acks by reason: {dict(sorted(reasons.items()))}"
        )
    assert wrong == []
    assert reasons["retained"] == 1 and reasons["loosening"] == 6 and reasons["wrong_type"] == 4
    config = channel._config
    assert config.total_amount_quote == Decimal(800) and config.risk.max_open_executors == 2
    assert config.risk.max_drawdown_quote == Decimal(100) and config.manual_kill_switch is True
    loosened = [
        r
        for r in iter_records(tmp_path / "audit")
        if isinstance(r, OverrideRecord) and "LOOSENED" in r.command
    ]
    assert len(loosened) == 1 and loosened[0].sender == "root" and "500 -> 800" in loosened[0].command
