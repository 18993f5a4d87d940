"""Kill switch and reset over a real Mosquitto (password + ACL) and Hummingbot's real MQTT bridge, acked."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_factories import Operator, wait_until
from test_risk_commands import SECRET, make_command

from hummingbot_plugin.audit import AuditLog, OverrideRecord, RiskTransitionRecord, iter_records, verify_chain
from hummingbot_plugin.hb.guarded_runtime import GlobalRiskGate, RiskCommandBridge
from hummingbot_plugin.risk import RiskLimits, RiskState
from hummingbot_plugin.risk.commands import command_topics

NOW = 1_700_000_000.0


def test_signed_kill_switch_halts_reset_reactivates_and_every_command_is_acked(
    hb_bridge: BridgeHarness, mosquitto: MosquittoBroker, tmp_path: Path
) -> None:
    # The production ACL (deploy/mosquitto/acl) lets the bot read risk commands; add that line and reload.
    with open(mosquitto.workdir / "acl", "a") as acl:
        acl.write("topic read hbot/control/risk/command\n")
    mosquitto.process.send_signal(signal.SIGHUP)
    keyring = tmp_path / "keys.json"
    keyring.write_text(json.dumps({"ops": SECRET.hex()}))
    keyring.chmod(0o600)
    command_topic, ack_topic = command_topics("hbot/control")
    operator = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    operator.subscribe(ack_topic)
    audit = AuditLog(tmp_path / "audit")
    gate = GlobalRiskGate(RiskLimits(), tmp_path / "state", audit)
    hb_bridge.start()
    bridge = RiskCommandBridge("hbot/control", str(keyring), tmp_path / "replay.json", NOW, audit)
    try:
        bridge.poll(gate, {}, NOW)
        hb_bridge.pump(0.3)  # SUBSCRIBE reaches the broker

        def pump_and_poll(seconds: float) -> None:
            bridge.poll(gate, {}, NOW + 1)
            hb_bridge.pump(seconds)

        operator.publish(command_topic, make_command(msg_id="k1"))
        assert wait_until(lambda: len(operator.messages(ack_topic)) == 1, pump_and_poll)
        assert gate.guard.state is RiskState.HALTED
        assert operator.messages(ack_topic)[0] == {
            "msg_id": "k1",
            "accepted": True,
            "reason": "accepted",
            "detail": "kill_switch global",
            "at": NOW + 1,
        }
        operator.publish(command_topic, make_command(msg_id="r0", command="reset", sign=False))
        operator.publish(command_topic, make_command(msg_id="k1"))  # replay
        assert wait_until(lambda: len(operator.messages(ack_topic)) == 3, pump_and_poll)
        # signed commands travel in their own lane, ahead of unsigned messages of the same tick
        assert sorted(a["reason"] for a in operator.messages(ack_topic)[1:]) == ["replayed", "schema"]
        assert gate.guard.state is RiskState.HALTED  # unsigned reset refused
        operator.publish(command_topic, make_command(msg_id="r1", command="reset"))
        assert wait_until(lambda: len(operator.messages(ack_topic)) == 4, pump_and_poll)
        assert gate.guard.state is RiskState.ACTIVE
    finally:
        bridge.stop()
        operator.close()
    records = list(iter_records(tmp_path / "audit"))
    assert [r.accepted for r in records if isinstance(r, OverrideRecord)] == [True, False, False, True]
    assert [(r.to_state, r.reason_code) for r in records if isinstance(r, RiskTransitionRecord)] == [
        ("HALTED", "KILL_SWITCH"),
        ("ACTIVE", "MANUAL_RESET"),
    ]
    assert verify_chain(tmp_path / "audit").ok
