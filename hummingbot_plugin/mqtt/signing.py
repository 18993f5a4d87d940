"""HMAC-SHA256 signatures over a canonical encoding, with a keyring loaded from a file or the environment.

Canonical encoding: ``topic`` + ``"\\n"`` + JSON of the payload without ``signature``, keys sorted,
compact separators, ASCII only, no NaN. Binding the topic stops a signed message being replayed on
another controller's topic. Secrets are never logged or shown in ``repr``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["KEYRING_ENV", "Keyring", "canonical_bytes", "load_keyring", "sign_payload", "signature_for"]

KEYRING_ENV = "HBP_MQTT_KEYS"
_LOG = logging.getLogger(__name__)
_MIN_SECRET_BYTES = 16


def canonical_bytes(topic: str, payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that are signed: topic, newline, sorted compact JSON without ``signature``."""
    body = {key: value for key, value in payload.items() if key != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return topic.encode("utf-8") + b"\n" + text.encode("ascii")


def signature_for(secret: bytes, topic: str, payload: Mapping[str, Any]) -> str:
    """Hex HMAC-SHA256 of :func:`canonical_bytes`."""
    return hmac.new(secret, canonical_bytes(topic, payload), hashlib.sha256).hexdigest()


def sign_payload(secret: bytes, key_id: str, topic: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``payload`` with ``key_id`` and ``signature`` set."""
    signed = {key: value for key, value in payload.items() if key != "signature"}
    signed["key_id"] = key_id
    signed["signature"] = signature_for(secret, topic, signed)
    return signed


class Keyring:
    """Shared secrets by key id: :meth:`from_file` (JSON ``{"key_id": "hex"}``) or :meth:`from_env`."""

    def __init__(self, secrets: Mapping[str, bytes]) -> None:
        for key_id, secret in secrets.items():
            if len(secret) < _MIN_SECRET_BYTES:
                raise ConfigError(
                    f"MQTT signing key {key_id!r} is shorter than {_MIN_SECRET_BYTES} bytes",
                    fix="generate one with: python -c 'import secrets; print(secrets.token_hex(32))'",
                )
        self._secrets = dict(secrets)

    def __repr__(self) -> str:
        return f"Keyring(key_ids={sorted(self._secrets)})"

    def __len__(self) -> int:
        return len(self._secrets)

    def key_ids(self) -> list[str]:
        return sorted(self._secrets)

    def secret(self, key_id: str) -> bytes | None:
        return self._secrets.get(key_id)

    def verify(self, topic: str, payload: Mapping[str, Any], key_id: str, signature: str) -> bool:
        """Constant-time check of ``signature``; False for an unknown key id."""
        secret = self._secrets.get(key_id)
        if secret is None:
            return False
        return hmac.compare_digest(signature_for(secret, topic, payload), signature)

    @classmethod
    def from_file(cls, path: str | Path) -> Keyring:
        """Read ``{"key_id": "<hex secret>", ...}`` from a JSON file."""
        file = Path(path).expanduser()
        if file.exists() and file.stat().st_mode & 0o077:
            _LOG.warning("MQTT keyring %s is readable by group/others: chmod 600 it", file)
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read MQTT keyring {file}: {type(exc).__name__}",
                fix='write a JSON object {"<key_id>": "<hex secret>"} readable by the bot',
            ) from None
        if not isinstance(raw, dict):
            raise ConfigError(f"MQTT keyring {file} is not a JSON object", fix='use {"<key_id>": "<hex>"}')
        return cls({str(key_id): _hex_secret(str(key_id), value) for key_id, value in raw.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Keyring:
        """Read ``HBP_MQTT_KEYS="kid1:hex1,kid2:hex2"``; empty keyring when unset."""
        text = (environ if environ is not None else os.environ).get(KEYRING_ENV, "").strip()
        secrets: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key_id, sep, value = item.partition(":")
            if not sep:
                raise ConfigError(f"{KEYRING_ENV} entry without ':'", fix="use kid:hexsecret,kid2:hexsecret")
            secrets[key_id] = _hex_secret(key_id, value)
        return cls(secrets)


def _hex_secret(key_id: str, value: Any) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise ConfigError(
            f"MQTT signing key {key_id!r} is not hex", fix="store secrets as hex strings"
        ) from None


def load_keyring(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Keyring:
    """The keyring from ``path`` when given, else from ``$HBP_MQTT_KEYS`` (possibly empty)."""
    return Keyring.from_file(path) if path is not None else Keyring.from_env(environ)
