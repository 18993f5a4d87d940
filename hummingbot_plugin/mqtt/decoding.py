"""First stage of the edge: byte cap before parsing, strict JSON, finite numbers, bounded nesting.

Two entry points: :func:`decode_bytes` for raw payloads (the cap is checked before anything is parsed)
and :func:`check_parsed` for payloads Hummingbot's bridge has already parsed (the cap is checked on the
compact re-encoding; the broker's ``max_packet_size`` caps the wire bytes before the bridge parses them).
"""

from __future__ import annotations

import json
import math
from typing import Any

from hummingbot_plugin.mqtt.rejections import RejectionReason

__all__ = ["MAX_NESTING", "DecodeFailure", "check_parsed", "decode_bytes", "encoded_size"]

MAX_NESTING = 8


class DecodeFailure(Exception):
    """A payload failed the first stage; carries the reason and a detail for the audit line."""

    def __init__(self, reason: RejectionReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def encoded_size(payload: Any) -> int:
    """Bytes of the compact JSON encoding of an already-parsed payload."""
    return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def decode_bytes(raw: bytes, max_bytes: int) -> dict[str, Any]:
    """Cap, parse strictly (UTF-8, no NaN/Infinity, no duplicate keys) and check a raw payload."""
    if len(raw) > max_bytes:
        raise DecodeFailure(RejectionReason.OVERSIZED, f"{len(raw)} bytes > limit {max_bytes}")
    try:
        text = raw.decode("utf-8")
        payload = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DecodeFailure(RejectionReason.MALFORMED_JSON, f"not valid JSON: {exc}") from None
    return _checked_object(payload)


def check_parsed(payload: Any, max_bytes: int) -> dict[str, Any]:
    """Apply the same checks to a payload someone else parsed (Hummingbot's bridge)."""
    try:
        size = encoded_size(payload)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DecodeFailure(RejectionReason.MALFORMED_JSON, f"not JSON-encodable: {exc}") from None
    if size > max_bytes:
        raise DecodeFailure(RejectionReason.OVERSIZED, f"{size} bytes > limit {max_bytes}")
    return _checked_object(payload)


def _checked_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise DecodeFailure(
            RejectionReason.NOT_AN_OBJECT, f"top level is {type(payload).__name__}, not object"
        )
    _check_values(payload)
    return payload


def _check_values(payload: dict[str, Any]) -> None:
    """Iterative walk: every float finite, nesting at most :data:`MAX_NESTING`."""
    stack: list[tuple[Any, int, str]] = [(payload, 0, "$")]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_NESTING:
            raise DecodeFailure(RejectionReason.SCHEMA, f"nesting deeper than {MAX_NESTING} at {path}")
        if isinstance(node, float) and not math.isfinite(node):
            raise DecodeFailure(RejectionReason.NON_FINITE, f"non-finite number at {path}")
        if isinstance(node, dict):
            stack.extend((value, depth + 1, f"{path}.{key}") for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, depth + 1, f"{path}[{i}]") for i, value in enumerate(node))
