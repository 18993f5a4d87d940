"""Process-wide alarm board: components that cannot reach a guard (the MQTT channel, the replay store,
the audit log) raise an alarm for a scope; the guard of that scope reads it on its next ``observe``
(same tick) and goes HALTED. An alarm stays raised until its source clears it (e.g. the write works
again); HALTED stays until a deliberate reset, and a reset while an alarm is raised halts again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from hummingbot_plugin.risk.models import DenialReason

__all__ = ["ALARMS", "ANY_SCOPE", "Alarm", "AlarmBoard"]

ANY_SCOPE = "*"
_LOG = logging.getLogger("hummingbot_plugin.risk")


@dataclass(frozen=True, slots=True)
class Alarm:
    scope: str
    source: str
    reason: DenialReason
    text: str


class AlarmBoard:
    """Thread-safe set of raised alarms keyed by (scope, source)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alarms: dict[tuple[str, str], Alarm] = {}
        self.raised_total = 0

    def raise_alarm(self, scope: str, source: str, reason: DenialReason, text: str) -> None:
        """Raise (or refresh) an alarm; logged at ERROR the first time."""
        alarm = Alarm(scope, source, reason, text)
        with self._lock:
            first = (scope, source) not in self._alarms
            self._alarms[(scope, source)] = alarm
            self.raised_total += int(first)
        if first:
            _LOG.error("ALARM [%s] %s: %s: %r", scope, source, reason.value, text)

    def clear(self, scope: str, source: str) -> None:
        with self._lock:
            cleared = self._alarms.pop((scope, source), None)
        if cleared is not None:
            _LOG.warning("alarm cleared [%s] %s", scope, source)

    def active(self, scope: str) -> list[Alarm]:
        """Alarms for ``scope`` and for every scope (``*``)."""
        with self._lock:
            return [a for (s, _src), a in self._alarms.items() if s in (scope, ANY_SCOPE)]

    def clear_all(self) -> None:
        """Forget every alarm (tests; a new process starts empty)."""
        with self._lock:
            self._alarms.clear()


ALARMS = AlarmBoard()
