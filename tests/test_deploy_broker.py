"""The shipped broker config, ACL and password tool, enforced by a REAL Mosquitto on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from deploy_broker import Broker, Client, start_shipped_broker

CONTROLLER = "pmm_btc_1"
OVERRIDE = f"hbot/control/{CONTROLLER}/override"
ACK = f"hbot/control/{CONTROLLER}/ack"
STATUS = f"hbot/control/{CONTROLLER}/status"
PREDICTION = "hbot/predictions/btc_usdt/ML_SIGNALS"
INSTANCE = "bot7"
Connect = Callable[..., Client]  # the `connect` fixture: (user, password=None) -> a connected Client


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    yield from start_shipped_broker(tmp_path_factory.mktemp("mosquitto"))


@pytest.fixture
def connect(broker: Broker) -> Iterator[Connect]:
    clients: list[Client] = []

    def _connect(user: str | None, password: str | None = None) -> Client:
        if user is not None and password is None:
            password = broker.passwords[user]
        client = Client(broker.port, user, password)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.close()


def test_every_acl_user_got_a_password(broker: Broker) -> None:
    assert set(broker.passwords) == {"admin", "hbot", "signals", "operator", "monitor", "bot1", "bot2"}
    assert len(set(broker.passwords.values())) == 7


@pytest.mark.parametrize(("user", "password"), [(None, None), ("hbot", "wrong-password"), ("nobody", "x")])
def test_anonymous_and_bad_credentials_are_refused(
    connect: Connect, user: str | None, password: str | None
) -> None:
    client = connect(user, password)
    assert client.connect_code is not None, "broker did not answer CONNECT"
    assert not client.accepted


def test_bot_receives_predictions_and_overrides(connect: Connect) -> None:
    bot, signals, operator = connect("hbot"), connect("signals"), connect("operator")
    assert bot.accepted and signals.accepted and operator.accepted
    assert bot.subscribe("hbot/predictions/+/ML_SIGNALS")
    assert bot.subscribe("hbot/control/+/override")
    assert signals.publish(PREDICTION)
    assert operator.publish(OVERRIDE)
    received = bot.received(until_topic=OVERRIDE)
    if PREDICTION not in received:  # two publishers: delivery order between them is not guaranteed
        received += bot.received(until_topic=PREDICTION)
    assert sorted(received) == sorted([PREDICTION, OVERRIDE])


def test_operator_sends_risk_commands_and_reads_their_acks(connect: Connect) -> None:
    bot, operator, signals = connect("hbot"), connect("operator"), connect("signals")
    assert bot.subscribe("hbot/control/risk/command") and operator.subscribe("hbot/control/risk/ack")
    assert not signals.publish("hbot/control/risk/command")
    assert not bot.publish("hbot/control/risk/command")
    assert operator.publish("hbot/control/risk/command")
    assert bot.received(until_topic="hbot/control/risk/command") == ["hbot/control/risk/command"]
    assert bot.publish("hbot/control/risk/ack")
    assert operator.received(until_topic="hbot/control/risk/ack") == ["hbot/control/risk/ack"]


def test_bot_publishes_acks_and_status_to_operator_and_monitor(connect: Connect) -> None:
    bot, operator, monitor = connect("hbot"), connect("operator"), connect("monitor")
    assert operator.subscribe(ACK) and monitor.subscribe(STATUS)
    assert bot.publish(ACK) and bot.publish(STATUS)
    assert operator.received(until_topic=ACK) == [ACK]
    assert monitor.received(until_topic=STATUS) == [STATUS]


@pytest.mark.parametrize(
    "topic",
    [f"hbot/{INSTANCE}/config", f"hbot/{INSTANCE}/start", OVERRIDE, PREDICTION, "hbot/other/anything/deep"],
)
def test_bot_cannot_publish_commands_overrides_or_predictions(connect: Connect, topic: str) -> None:
    bot, admin = connect("hbot"), connect("admin")
    assert admin.subscribe("hbot/#")
    assert not bot.publish(topic), f"broker accepted a publish by the bot on {topic}"
    assert bot.publish(ACK)  # sentinel: ordered after the refused publish
    assert admin.received(until_topic=ACK) == [ACK]


@pytest.mark.parametrize(
    ("user", "topic"),
    [
        ("operator", f"hbot/{INSTANCE}/config"),
        ("operator", f"hbot/{INSTANCE}/stop"),
        ("operator", PREDICTION),
        ("signals", OVERRIDE),
        ("signals", f"hbot/{INSTANCE}/config"),
        ("monitor", OVERRIDE),
        ("monitor", f"hbot/{INSTANCE}/import"),
    ],
)
def test_non_admins_cannot_send_rpc_or_cross_roles(connect: Connect, user: str, topic: str) -> None:
    sender, bot = connect(user), connect("hbot")
    assert bot.subscribe(f"hbot/{INSTANCE}/config") and bot.subscribe("hbot/control/+/override")
    assert bot.subscribe("hbot/predictions/+/ML_SIGNALS") and bot.subscribe(f"hbot/{INSTANCE}/stop")
    assert bot.subscribe(f"hbot/{INSTANCE}/import")
    assert not sender.publish(topic)
    assert connect("admin").publish(f"hbot/{INSTANCE}/config")  # sentinel from the admin
    assert bot.received(until_topic=f"hbot/{INSTANCE}/config") == [f"hbot/{INSTANCE}/config"]


def test_rpc_replies_reach_admin_only(connect: Connect) -> None:
    """Hummingbot answers /config (secrets included) on the requester's reply_to: only admin can read it."""
    admin, bot, operator, monitor = connect("admin"), connect("hbot"), connect("operator"), connect("monitor")
    for reader in (operator, monitor):
        reader.subscribe("rpc-42")
        reader.subscribe("#")  # Mosquitto 2 grants the SUBACK but filters every delivery by read rights
    assert operator.subscribe(ACK) and monitor.subscribe(ACK) and admin.subscribe("rpc-42")
    assert bot.publish("rpc-42") and bot.publish(ACK)
    assert "rpc-42" in admin.received(until_topic="rpc-42")
    for reader in (operator, monitor):
        assert "rpc-42" not in reader.received(until_topic=ACK)


@pytest.mark.parametrize(
    ("user", "topic", "allowed"),
    [
        ("monitor", f"hbot/{INSTANCE}/log", STATUS),
        ("operator", f"hbot/{INSTANCE}/log", ACK),
        ("monitor", f"hbot/{INSTANCE}/config", STATUS),
        ("operator", PREDICTION, ACK),
        ("operator", OVERRIDE, ACK),
        ("monitor", OVERRIDE, STATUS),
    ],
)
def test_reads_outside_the_role_are_not_delivered(
    connect: Connect, user: str, topic: str, allowed: str
) -> None:
    reader, admin = connect(user), connect("admin")
    reader.subscribe(topic)
    assert reader.subscribe(allowed)
    assert admin.publish(topic) and admin.publish(allowed)
    assert topic not in reader.received(until_topic=allowed)


@pytest.mark.parametrize(("bot", "other"), [("bot1", "bot2"), ("bot2", "bot1")])
def test_fleet_bots_only_use_their_own_namespace(
    broker: Broker, connect: Connect, bot: str, other: str
) -> None:
    """Two fleet bots on one broker: each gets its own commands and overrides, writes only its own topics."""
    assert not connect(bot, broker.passwords[other]).accepted  # own credentials only
    me, admin, operator = connect(bot), connect("admin"), connect("operator")
    assert me.accepted
    me.subscribe("#")  # Mosquitto 2 filters every delivery by the reader's rights
    assert operator.subscribe("hbot/+/control/c1/ack")
    for topic in (f"hbot/{other}/config", f"hbot/{other}/control/c1/override", f"hbot/{bot}/config"):
        assert (admin if topic.endswith("config") else operator).publish(topic)
    own = f"hbot/{bot}/control/c1/override"
    assert operator.publish(own)  # sentinel, after the other bot's command and override
    assert me.received(until_topic=own) == [f"hbot/{bot}/config", own]
    for topic in (
        f"hbot/{other}/control/c1/ack",
        f"hbot/{other}/hb",
        f"hbot/{bot}/control/c1/override",
        f"hbot/{other}/config",
        "hbot/control/c1/ack",
        PREDICTION,
    ):
        assert not me.publish(topic), f"broker accepted {bot} publishing {topic}"
    assert me.publish(f"hbot/{bot}/control/c1/ack")
    assert operator.received(until_topic=f"hbot/{bot}/control/c1/ack") == [f"hbot/{bot}/control/c1/ack"]


def test_rotating_one_password_keeps_the_others(tmp_path: Path) -> None:
    import subprocess

    from deploy_broker import MAKE_PASSWORDS, SHIPPED_ACL

    args = ["python3", str(MAKE_PASSWORDS), "--acl", str(SHIPPED_ACL), "--out", str(tmp_path)]
    subprocess.run(args, check=True, capture_output=True)
    before = {p.stem: p.read_text() for p in tmp_path.glob("*.password")}
    subprocess.run([*args, "--rotate", "hbot"], check=True, capture_output=True)
    after = {p.stem: p.read_text() for p in tmp_path.glob("*.password")}
    assert after["hbot"] != before["hbot"]
    assert {k: v for k, v in after.items() if k != "hbot"} == {k: v for k, v in before.items() if k != "hbot"}
    assert oct((tmp_path / "hbot.password").stat().st_mode & 0o777) == "0o600"
    bad = subprocess.run([*args, "--rotate", "mallory"], capture_output=True, text=True)
    assert bad.returncode != 0 and "mallory" in bad.stderr
