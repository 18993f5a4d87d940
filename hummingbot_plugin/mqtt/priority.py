"""Which inbound messages are commands (kill switch, pause, reset) that must outrank data.

Classified when the message arrives, before the bounded data queues: only a correctly signed message
whose ``changes`` touch command fields alone (or a signed risk command) enters the command lane, so a
flood of unsigned or data messages can neither evict nor imitate one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from hummingbot_plugin.mqtt.mailbox import Inbound
from hummingbot_plugin.mqtt.signing import Keyring

__all__ = ["COMMAND_FIELDS", "is_command_change", "signed_command_classifier"]

#: Config fields whose override is a command (Hummingbot's ``manual_kill_switch``, the plugin's ``paused``).
COMMAND_FIELDS = frozenset({"manual_kill_switch", "paused"})


def is_command_change(changes: Mapping[str, Any]) -> bool:
    """True when ``changes`` is non-empty and touches command fields only."""
    return bool(changes) and set(changes) <= COMMAND_FIELDS


def _payload_dict(payload: Any, max_bytes: int) -> dict[str, Any] | None:
    if isinstance(payload, (bytes, bytearray)):
        if len(payload) > max_bytes:
            return None
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            return None
    return payload if isinstance(payload, dict) else None


def signed_command_classifier(
    keyring: Keyring, max_bytes: int, *, override: bool = True
) -> Callable[[Inbound], bool]:
    """A mailbox ``priority`` predicate: signed command overrides (or, ``override=False``, risk commands)."""

    def classify(message: Inbound) -> bool:
        body = _payload_dict(message.payload, max_bytes)
        if body is None or message.retained:
            return False
        if override:
            changes = body.get("changes")
            if not isinstance(changes, dict) or not is_command_change(changes):
                return False
        key_id, signature = body.get("key_id"), body.get("signature")
        if not isinstance(key_id, str) or not isinstance(signature, str):
            return False
        try:
            return keyring.verify(message.topic, body, key_id, signature)
        except (TypeError, ValueError):
            return False

    return classify
