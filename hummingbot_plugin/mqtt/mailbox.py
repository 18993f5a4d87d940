"""A bounded, thread-safe mailbox: per topic only the newest ``capacity`` messages are kept, drops counted.

``put`` is O(1) and never blocks the caller beyond a short lock, so a flood on the event loop costs
microseconds per message; the consumer drains once per tick and sees only the latest.

Commands outrank data: a message the ``priority`` predicate accepts (a correctly signed kill switch,
pause or reset) goes to a separate command lane that data messages never evict, and is drained first.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Inbound", "LatestMailbox", "MailboxDrain"]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received message as the transport handed it over (raw bytes or an already-parsed payload)."""

    topic: str
    payload: Any
    retained: bool | None = None
    connection: int = 0


@dataclass(frozen=True, slots=True)
class MailboxDrain:
    messages: list[Inbound]
    dropped: dict[str, int]


class LatestMailbox:
    """Per-topic bounded queues (oldest dropped first); unknown topics are refused and counted."""

    def __init__(
        self,
        capacities: dict[str, int],
        priority: Callable[[Inbound], bool] | None = None,
        command_capacity: int = 64,
    ) -> None:
        if any(c < 1 for c in capacities.values()) or command_capacity < 1:
            raise ValueError("mailbox capacities must be >= 1")
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Inbound]] = {t: deque(maxlen=c) for t, c in capacities.items()}
        self._commands: deque[Inbound] = deque(maxlen=command_capacity)
        self._priority = priority
        self._dropped: dict[str, int] = dict.fromkeys(capacities, 0)
        self._received = 0
        self.commands_received = 0

    def put(self, message: Inbound) -> None:
        command = message.topic in self._queues and self._priority is not None and self._priority(message)
        with self._lock:
            self._received += 1
            queue = self._commands if command else self._queues.get(message.topic)
            if queue is None:
                return
            self.commands_received += int(command)
            if len(queue) == queue.maxlen:
                self._dropped[message.topic] += 1
            queue.append(message)

    def drain(self) -> MailboxDrain:
        """Take the command lane, then everything queued (oldest first per topic), and the drop counts."""
        with self._lock:
            messages: list[Inbound] = list(self._commands)
            self._commands.clear()
            for queue in self._queues.values():
                messages.extend(queue)
                queue.clear()
            dropped = {t: n for t, n in self._dropped.items() if n}
            self._dropped = dict.fromkeys(self._dropped, 0)
        return MailboxDrain(messages, dropped)

    @property
    def received(self) -> int:
        """Messages handed to :meth:`put` since creation."""
        return self._received

    def pending(self) -> int:
        with self._lock:
            return len(self._commands) + sum(len(q) for q in self._queues.values())
