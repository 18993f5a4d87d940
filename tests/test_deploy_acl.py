"""The shipped Mosquitto ACL, parsed and checked against the policy (the real broker enforces it in
test_deploy_broker.py; this test names the rule that breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ACL = Path(__file__).resolve().parent.parent / "deploy" / "mosquitto" / "acl"
RPC_COMMANDS = ("start", "stop", "config", "import", "status", "history", "balance/limit", "balance/paper")
FLEET = ("bot1", "bot2")  # profile `fleet`: one broker user and namespace hbot/<bot>/ per bot
NON_ADMINS = ("hbot", "signals", "operator", "monitor", *FLEET)


@dataclass
class Rights:
    read: list[str] = field(default_factory=list)
    write: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)


def parse_acl(text: str) -> dict[str | None, Rights]:
    """Per user (None = anonymous, i.e. rules before the first `user` line) the granted topic filters."""
    users: dict[str | None, Rights] = {None: Rights()}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "user":
            current = words[1]
            users.setdefault(current, Rights())
        elif words[0] == "topic":
            access, topic = (words[1], words[2]) if len(words) == 3 else ("readwrite", words[1])
            rights = users[current]
            if access == "deny":
                rights.deny.append(topic)
            else:
                if access in ("read", "readwrite"):
                    rights.read.append(topic)
                if access in ("write", "readwrite"):
                    rights.write.append(topic)
        else:
            raise AssertionError(f"unexpected ACL line (pattern rules apply to everyone): {line!r}")
    return users


def matches(pattern: str, topic: str) -> bool:
    """MQTT filter matching (`+` one level, `#` the rest)."""
    regex = (
        "^"
        + "/".join(
            "[^/]+" if part == "+" else ".*" if part == "#" else re.escape(part)
            for part in pattern.split("/")
        )
        + "$"
    )
    return re.match(regex.replace("/.*$", "(/.*)?$"), topic) is not None


def allowed(rights: Rights, access: str, topic: str) -> bool:
    if any(matches(p, topic) for p in rights.deny):
        return False
    return any(matches(p, topic) for p in getattr(rights, access))


@pytest.fixture(scope="module")
def acl() -> dict[str | None, Rights]:
    return parse_acl(ACL.read_text())


def test_matcher_follows_mqtt_rules() -> None:
    assert matches("hbot/+/config", "hbot/x/config") and not matches("hbot/+/config", "hbot/x/y/config")
    assert matches("hbot/#", "hbot/a/b") and matches("hbot/#", "hbot") and not matches("+", "a/b")


def test_anonymous_clients_get_nothing(acl: dict[str | None, Rights]) -> None:
    assert acl[None] == Rights()
    assert set(acl) == {None, "admin", *NON_ADMINS}


@pytest.mark.parametrize("user", NON_ADMINS)
@pytest.mark.parametrize("command", RPC_COMMANDS)
def test_only_admin_may_send_hummingbot_remote_commands(
    acl: dict[str | None, Rights], user: str, command: str
) -> None:
    assert allowed(acl["admin"], "write", f"hbot/bot1/{command}")
    assert not allowed(acl[user], "write", f"hbot/bot1/{command}")


@pytest.mark.parametrize("user", NON_ADMINS)
def test_only_admin_reads_rpc_replies_and_bot_logs(acl: dict[str | None, Rights], user: str) -> None:
    assert not allowed(acl[user], "read", "rpc-3f2a")
    assert not allowed(acl[user], "read", "hbot/bot1/log")
    assert allowed(acl["admin"], "read", "rpc-3f2a")


def test_bot_reads_inputs_writes_outputs_and_nothing_else(acl: dict[str | None, Rights]) -> None:
    bot = acl["hbot"]
    assert allowed(bot, "read", "hbot/predictions/btc_usdt/ML_SIGNALS")
    assert allowed(bot, "read", "hbot/control/c1/override")
    assert allowed(bot, "read", "hbot/bot1/config")  # it must receive the admin's commands
    assert allowed(bot, "read", "hbot/control/risk/command")
    assert not allowed(bot, "write", "hbot/control/risk/command")  # cannot reset its own HALTED state
    for topic in ("hbot/control/c1/ack", "hbot/control/c1/status", "hbot/bot1/hb", "rpc-3f2a"):
        assert allowed(bot, "write", topic), topic
    for topic in (
        "hbot/control/c1/override",
        "hbot/predictions/btc_usdt/ML_SIGNALS",
        "hbot/bot1/config",
        "hbot/control/c1/anything",
        "other/topic",
    ):
        assert not allowed(bot, "write", topic), topic


def test_roles_are_separated(acl: dict[str | None, Rights]) -> None:
    assert acl["signals"].write == ["hbot/predictions/+/ML_SIGNALS"] and not acl["signals"].read
    assert acl["operator"].write == [
        "hbot/control/+/override",
        "hbot/control/risk/command",
        "hbot/+/control/+/override",
        "hbot/+/control/risk/command",
    ]
    assert not acl["monitor"].write
    assert not allowed(acl["operator"], "read", "hbot/control/c1/override")  # cannot watch others' overrides


def _own_topics(bot: str) -> tuple[list[str], list[str]]:
    """(topics bot reads, topics it writes) in its own namespace."""
    reads = [
        f"hbot/{bot}/control/c1/override",
        f"hbot/{bot}/control/risk/command",
        f"hbot/{bot}/config",
        f"hbot/{bot}/start",
        f"hbot/{bot}/external/event/x",
    ]
    writes = [
        f"hbot/{bot}/control/c1/ack",
        f"hbot/{bot}/control/c1/status",
        f"hbot/{bot}/control/risk/ack",
        f"hbot/{bot}/log",
        f"hbot/{bot}/hb",
        f"hbot/{bot}/status_updates",
    ]
    return reads, writes


@pytest.mark.parametrize(("bot", "other"), [FLEET, FLEET[::-1]])
def test_fleet_bots_use_their_own_namespace_only(acl: dict[str | None, Rights], bot: str, other: str) -> None:
    rights = acl[bot]
    reads, writes = _own_topics(bot)
    assert all(allowed(rights, "read", t) for t in reads) and all(allowed(rights, "write", t) for t in writes)
    other_reads, other_writes = _own_topics(other)
    for topic in other_reads + other_writes:
        assert not allowed(rights, "read", topic) and not allowed(rights, "write", topic), topic
    for topic in ("hbot/control/c1/override", "hbot/control/c1/ack", "hbot/control/risk/command"):
        assert not allowed(rights, "read", topic) and not allowed(rights, "write", topic), topic
    for topic in [*reads, "hbot/predictions/btc_usdt/ML_SIGNALS"]:
        assert not allowed(rights, "write", topic), topic  # inputs are never written by the bot
    assert allowed(rights, "read", "hbot/predictions/btc_usdt/ML_SIGNALS")
    shared = ("+", "hbot/predictions/+/ML_SIGNALS")  # rpc replies, the shared predictions
    assert all(t.startswith(f"hbot/{bot}/") for t in rights.read + rights.write if t not in shared)


def test_operator_and_monitor_reach_every_fleet_namespace(acl: dict[str | None, Rights]) -> None:
    for bot in FLEET:
        assert allowed(acl["operator"], "write", f"hbot/{bot}/control/c1/override")
        assert allowed(acl["operator"], "write", f"hbot/{bot}/control/risk/command")
        assert allowed(acl["operator"], "read", f"hbot/{bot}/control/c1/ack")
        assert not allowed(acl["operator"], "write", f"hbot/{bot}/config")
        assert allowed(acl["monitor"], "read", f"hbot/{bot}/control/c1/status")
        assert not allowed(acl["monitor"], "read", f"hbot/{bot}/control/c1/override")
