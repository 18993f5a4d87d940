"""Replay protection that survives restarts: seen message ids and prediction watermarks, persisted atomically.

Bounded: ids older than ``horizon`` (they would be refused as stale anyway) are pruned, and when more than
``capacity`` remain the oldest are evicted and the *floor* is raised to their ``issued_at`` — anything
issued at or before the floor is refused, so eviction can never re-open a replay.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ReplayStore"]

_LOG = logging.getLogger(__name__)
_FORMAT_VERSION = 1


@dataclass
class _State:
    floor: float = 0.0
    seen: dict[str, float] = field(default_factory=dict)
    watermarks: dict[str, float] = field(default_factory=dict)


class ReplayStore:
    """Seen override ids and per-topic prediction timestamps; ``path=None`` keeps them in memory only."""

    def __init__(
        self, path: Path | None, *, capacity: int, horizon: float, now: float, fsync: bool = True
    ) -> None:
        self._path = path
        self._fsync = fsync
        self._capacity = capacity
        self._horizon = horizon
        self._dirty = False
        self._state = self._load(now)

    @property
    def floor(self) -> float:
        return self._state.floor

    def __len__(self) -> int:
        return len(self._state.seen)

    def is_replay(self, msg_id: str, issued_at: float) -> bool:
        return msg_id in self._state.seen or issued_at <= self._state.floor

    def remember(self, msg_id: str, issued_at: float, now: float) -> None:
        """Record an accepted id, prune and bound the set, and persist at once."""
        seen = self._state.seen
        seen[msg_id] = issued_at
        for old_id in [key for key, at in seen.items() if at < now - self._horizon]:
            del seen[old_id]
        if len(seen) > self._capacity:
            ordered = sorted(seen.items(), key=lambda item: item[1])
            for old_id, at in ordered[: len(seen) - self._capacity]:
                self._state.floor = max(self._state.floor, at)
                del seen[old_id]
        self._dirty = True
        self.flush()

    def watermark(self, topic: str) -> float:
        """Timestamp of the newest accepted prediction on ``topic`` (0 if none)."""
        return self._state.watermarks.get(topic, 0.0)

    def advance_watermark(self, topic: str, timestamp: float) -> None:
        """Raise the prediction watermark; persisted on the next :meth:`flush`."""
        if timestamp > self._state.watermarks.get(topic, 0.0):
            self._state.watermarks[topic] = timestamp
            self._dirty = True

    def flush(self) -> None:
        """Write the state atomically (temp file + rename; fsync first when durable) if it changed."""
        if not self._dirty or self._path is None:
            return
        body = {
            "version": _FORMAT_VERSION,
            "floor": self._state.floor,
            "seen": self._state.seen,
            "watermarks": self._state.watermarks,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, separators=(",", ":"))
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
            os.replace(tmp_name, self._path)
        except OSError:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._dirty = False

    def _load(self, now: float) -> _State:
        if self._path is None or not self._path.exists():
            return _State()
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            return _State(
                floor=float(raw["floor"]),
                seen={str(k): float(v) for k, v in dict(raw["seen"]).items()},
                watermarks={str(k): float(v) for k, v in dict(raw.get("watermarks", {})).items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            kept = self._path.with_name(f"{self._path.name}.corrupt")
            os.replace(self._path, kept)
            _LOG.error(
                "replay state %s unreadable (%s); kept as %s; refusing messages issued before %.3f",
                self._path,
                type(exc).__name__,
                kept,
                now,
            )
            return _State(floor=now)
