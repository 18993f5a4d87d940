"""Replay protection that survives restarts: seen message ids and prediction watermarks, persisted atomically.

Bounded: ids older than ``horizon`` (they would be refused as stale anyway) are pruned, and when more than
``capacity`` remain the oldest are evicted and the *floor* is raised to their ``issued_at`` — anything
issued at or before the floor is refused, so eviction can never re-open a replay.

A failed write never raises into the tick: the state stays in memory (still protecting this process),
:attr:`write_error` says why, and every later :meth:`flush` retries. The owner raises the alarm that
halts the guard. Temp files left by a process killed mid-write are removed when the store opens.
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
        self.write_error: str | None = None
        self._remove_stale_temp_files()
        self._state = self._load(now)

    @property
    def floor(self) -> float:
        return self._state.floor

    def __len__(self) -> int:
        return len(self._state.seen)

    def is_replay(self, msg_id: str, issued_at: float) -> bool:
        return msg_id in self._state.seen or issued_at <= self._state.floor

    def remember(self, msg_id: str, issued_at: float, now: float) -> bool:
        """Record an accepted id, prune and bound the set, persist at once; False if not persisted."""
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
        return self.flush()

    def watermark(self, topic: str) -> float:
        """Timestamp of the newest accepted prediction on ``topic`` (0 if none)."""
        return self._state.watermarks.get(topic, 0.0)

    def advance_watermark(self, topic: str, timestamp: float) -> None:
        """Raise the prediction watermark; persisted on the next :meth:`flush`."""
        if timestamp > self._state.watermarks.get(topic, 0.0):
            self._state.watermarks[topic] = timestamp
            self._dirty = True

    def flush(self) -> bool:
        """Write the state atomically (temp + rename; fsync when durable) if it changed; False on failure."""
        if not self._dirty or self._path is None:
            return True
        try:
            self._write()
        except OSError as exc:
            if self.write_error is None:
                _LOG.error("replay state %s not written (%s); kept in memory, retrying", self._path, exc)
            self.write_error = f"cannot write {self._path.name}: {exc.strerror or exc}"
            return False
        if self.write_error is not None:
            _LOG.warning("replay state %s written again", self._path)
        self.write_error = None
        self._dirty = False
        return True

    def _write(self) -> None:
        assert self._path is not None
        body = {
            "version": _FORMAT_VERSION,
            "floor": self._state.floor,
            "seen": self._state.seen,
            "watermarks": self._state.watermarks,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=self._temp_prefix(), dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, separators=(",", ":"))
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
            os.replace(tmp_name, self._path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def _temp_prefix(self) -> str:
        assert self._path is not None
        return f".{self._path.name}."

    def _remove_stale_temp_files(self) -> None:
        if self._path is None or not self._path.parent.is_dir():
            return
        for stale in self._path.parent.glob(f"{self._temp_prefix()}*"):
            try:
                stale.unlink(missing_ok=True)
            except OSError as exc:
                _LOG.warning("cannot remove stale temp file %s: %s", stale.name, exc.strerror)

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
            try:
                os.replace(self._path, kept)
            except OSError:
                kept = self._path  # read-only folder: left in place, the floor still protects
            _LOG.error(
                "replay state %s unreadable (%s); kept as %s; refusing messages issued before %.3f",
                self._path,
                type(exc).__name__,
                kept,
                now,
            )
            return _State(floor=now)
