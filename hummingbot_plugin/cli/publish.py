"""``publish`` command: send signed config overrides and predictions to a bot over MQTT (paho-mqtt).

Examples::

    python -m hummingbot_plugin publish override --controller-id ctrl_1 --set long_threshold=0.7 \\
        --set paused=true --key-id ops --key-file keys.json --username admin --wait-ack 5
    python -m hummingbot_plugin publish prediction --pair BTC-USDT --probabilities 0.1 0.2 0.7 \\
        --target-pct 0.01
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from hummingbot_plugin.errors import ConfigError, MessageError

__all__ = ["PASSWORD_ENV", "build_override", "build_prediction", "register", "run"]

PASSWORD_ENV = "HBP_MQTT_PASSWORD"


def register(subparsers: Any) -> None:
    """Add ``publish override`` and ``publish prediction``."""
    parser = subparsers.add_parser(
        "publish",
        help="send a signed config override or a prediction to a bot over MQTT",
        description="Publish to the bot's MQTT control channel. Overrides are signed with HMAC-SHA256 when "
        "--key-id/--key-file are given (bots require it by default).",
        epilog=__doc__.split("Examples::", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = parser.add_subparsers(dest="publish_kind", metavar="<kind>", required=True)
    override = kinds.add_parser(
        "override",
        help="change updatable fields of one controller's config",
        description="Exit status: 0 published (and accepted, with --wait-ack), 1 refused or no ack, 2 error.",
    )
    override.add_argument("--controller-id", required=True, help="the controller config's id")
    override.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help="field and JSON value (e.g. long_threshold=0.7, paused=true); repeatable",
    )
    override.add_argument(
        "--topic-prefix", default="hbot/control", help="control prefix (default hbot/control)"
    )
    override.add_argument("--msg-id", help="message id (default: random)")
    override.add_argument(
        "--wait-ack",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for the bot's ack and print it (exit 1 if refused or none)",
    )
    prediction = kinds.add_parser("prediction", help="publish an AI-livestream prediction for one pair")
    prediction.add_argument("--pair", required=True, help="trading pair, e.g. BTC-USDT")
    prediction.add_argument(
        "--probabilities", type=float, nargs=3, required=True, metavar=("SHORT", "NEUTRAL", "LONG")
    )
    prediction.add_argument("--target-pct", type=float, required=True, help="expected move, e.g. 0.01")
    prediction.add_argument("--timestamp", type=float, help="epoch seconds (default: now)")
    prediction.add_argument("--topic-prefix", default="hbot/predictions", help="default hbot/predictions")
    for sub in (override, prediction):
        _add_connection_options(sub)
        sub.set_defaults(func=run)


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("broker and signing")
    group.add_argument("--host", default="127.0.0.1", help="broker host (default 127.0.0.1)")
    group.add_argument("--port", type=int, default=1883, help="broker port (default 1883)")
    group.add_argument("--username", help="broker user")
    group.add_argument("--password", help=f"broker password (prefer ${PASSWORD_ENV})")
    group.add_argument("--key-id", help="signing key id (must be in the bot's keyring)")
    group.add_argument("--key-file", help='JSON keyring {"key_id": "hex secret"}; default $HBP_MQTT_KEYS')
    group.add_argument("--topic", help="publish to this exact topic instead of the derived one")


def _parse_change(item: str) -> tuple[str, Any]:
    field, sep, text = item.partition("=")
    if not sep or not field:
        raise ConfigError(f"--set {item!r} is not FIELD=VALUE", fix="e.g. --set long_threshold=0.7")
    try:
        return field, json.loads(text)
    except ValueError:
        return field, text


def build_override(controller_id: str, changes: list[str], msg_id: str | None, now: float) -> dict[str, Any]:
    """The unsigned override body for ``--set`` items."""
    return {
        "msg_id": msg_id or uuid.uuid4().hex,
        "issued_at": now,
        "controller_id": controller_id,
        "changes": dict(_parse_change(item) for item in changes),
    }


def build_prediction(probabilities: list[float], target_pct: float, timestamp: float) -> dict[str, Any]:
    """An upstream-format prediction body."""
    return {"probabilities": list(probabilities), "target_pct": target_pct, "timestamp": timestamp}


def _signed(args: argparse.Namespace, topic: str, body: dict[str, Any]) -> dict[str, Any]:
    from hummingbot_plugin.mqtt.signing import load_keyring, sign_payload

    if args.key_id is None:
        return body
    secret = load_keyring(args.key_file).secret(args.key_id)
    if secret is None:
        raise ConfigError(f"signing key {args.key_id!r} not found", fix="check --key-id and --key-file")
    return sign_payload(secret, args.key_id, topic, body)


def run(args: argparse.Namespace, clock: Callable[[], float] = time.time) -> int:
    """Build, sign and publish the message; optionally wait for the ack.

    ``clock`` is the operator's wall clock: it stamps ``issued_at`` / ``timestamp`` (not trading logic).
    """
    from hummingbot_plugin.mqtt.settings import ack_topic, override_topic, prediction_topic

    now = clock()
    if args.publish_kind == "override":
        topic = args.topic or override_topic(args.topic_prefix, args.controller_id)
        body = build_override(args.controller_id, args.changes, args.msg_id, now)
        reply = ack_topic(args.topic_prefix, args.controller_id) if args.wait_ack > 0 else None
    else:
        topic = args.topic or prediction_topic(args.topic_prefix, args.pair)
        stamp = args.timestamp if args.timestamp is not None else now
        body = build_prediction(args.probabilities, args.target_pct, stamp)
        reply = None
    payload = _signed(args, topic, body)
    ack = _send(args, topic, payload, reply, body.get("msg_id"))
    print(f"published to {topic}: {json.dumps({k: v for k, v in payload.items() if k != 'signature'})}")
    if reply is None:
        return 0
    if ack is None:
        print(f"no ack on {reply} within {args.wait_ack}s")
        return 1
    print(f"ack: {json.dumps(ack)}")
    return 0 if ack.get("accepted") else 1


def _send(
    args: argparse.Namespace, topic: str, payload: dict[str, Any], reply: str | None, msg_id: str | None
) -> dict[str, Any] | None:
    import paho.mqtt.client as mqtt

    acks: list[dict[str, Any]] = []
    got_ack = threading.Event()

    def on_message(_client: Any, _userdata: Any, message: Any) -> None:
        try:
            body = json.loads(message.payload)
        except ValueError:
            return
        if isinstance(body, dict) and body.get("msg_id") == msg_id:
            acks.append(body)
            got_ack.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"hbp-publish-{uuid.uuid4().hex[:8]}")
    password = args.password or os.environ.get(PASSWORD_ENV)
    if args.username:
        client.username_pw_set(args.username, password)
    client.on_message = on_message
    try:
        client.connect(args.host, args.port)
    except OSError as exc:
        raise MessageError(
            f"cannot reach broker {args.host}:{args.port}: {exc}", fix="check --host/--port"
        ) from None
    client.loop_start()
    try:
        if reply is not None:
            client.subscribe(reply, qos=1)[0]
        info = client.publish(topic, json.dumps(payload), qos=1)
        info.wait_for_publish(10)
        if not info.is_published():
            raise MessageError(
                f"publish to {topic} not confirmed", fix="check credentials and the broker ACL"
            )
        if reply is not None:
            got_ack.wait(args.wait_ack)
    finally:
        client.loop_stop()
        client.disconnect()
    return acks[0] if acks else None
