"""Why an external message was refused, and a ledger that counts and logs each refusal once."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Rejection", "RejectionLedger", "RejectionReason", "escaped"]


def escaped(text: object) -> str:
    """``text`` with every control, quote, backslash and non-ASCII character escaped (one log line)."""
    return json.dumps(str(text), ensure_ascii=True)[1:-1]


class RejectionReason(StrEnum):
    """Every way a message on a control or prediction topic can be refused."""

    OVERSIZED = "oversized"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    NON_FINITE = "non_finite"
    SCHEMA = "schema"
    UNKNOWN_FIELD = "unknown_field"
    OUT_OF_RANGE = "out_of_range"
    RETAINED = "retained"
    UNSIGNED = "unsigned"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    STALE = "stale"
    FUTURE = "future"
    REPLAYED = "replayed"
    WRONG_TARGET = "wrong_target"
    UNKNOWN_CONFIG_FIELD = "unknown_config_field"
    NOT_UPDATABLE = "not_updatable"
    INVALID_CONFIG = "invalid_config"
    MAILBOX_OVERFLOW = "mailbox_overflow"
    AUDIT_UNAVAILABLE = "audit_unavailable"
    WRONG_TYPE = "wrong_type"
    LOOSENING = "loosening"
    STATE_UNWRITABLE = "state_unwritable"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused message: the reason, a human detail naming the field, and where it came from."""

    reason: RejectionReason
    detail: str
    topic: str = ""
    msg_id: str | None = None

    def describe(self) -> str:
        """One log line; everything that came from the message is escaped."""
        ident = f' msg_id="{escaped(self.msg_id)}"' if self.msg_id else ""
        return (
            f'rejected MQTT message topic="{escaped(self.topic)}"{ident} '
            f'reason={self.reason.value} detail="{escaped(self.detail)}"'
        )


class RejectionLedger:
    """Counts rejections by reason; logs one line per rejection (WARNING the first time a reason is seen).

    Later rejections with an already-seen reason go to DEBUG so a flood of bad messages cannot flood the log.
    Never raises.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or logging.getLogger(__name__)
        self._counts: Counter[RejectionReason] = Counter()

    def record(self, rejection: Rejection) -> None:
        first = self._counts[rejection.reason] == 0
        self._counts[rejection.reason] += 1
        self._logger.log(logging.WARNING if first else logging.DEBUG, rejection.describe())

    def add_drops(self, reason: RejectionReason, count: int, topic: str) -> None:
        """Count ``count`` messages dropped without being read (e.g. mailbox overflow)."""
        if count <= 0:
            return
        first = self._counts[reason] == 0
        self._counts[reason] += count
        if first:
            self._logger.warning(
                'dropped %d MQTT message(s) topic="%s" reason=%s', count, escaped(topic), reason.value
            )

    def count(self, reason: RejectionReason) -> int:
        return self._counts[reason]

    def snapshot(self) -> dict[RejectionReason, int]:
        """A copy of the counts (reasons never seen are absent)."""
        return dict(self._counts)

    @property
    def total(self) -> int:
        return sum(self._counts.values())
