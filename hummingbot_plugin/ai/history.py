"""A bounded history of live decision rows, exposed as a DataFrame with the frame's columns.

Rows live in preallocated numpy arrays (newest last), so appending a bar and rebuilding the small
DataFrame costs a fraction of a millisecond whatever the history length.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hummingbot_plugin.ai.decision import FRAME_COLUMNS, DecisionRow, empty_frame

__all__ = ["DecisionHistory"]

_NUMERIC = tuple(c for c in FRAME_COLUMNS if c not in ("signal", "reason"))


class DecisionHistory:
    """The last ``capacity`` rows appended (one per closed bar)."""

    def __init__(self, capacity: int) -> None:
        self._values = np.zeros((capacity, len(_NUMERIC)), dtype=np.float64)
        self._signals = np.zeros(capacity, dtype=np.int64)
        self._reasons = np.full(capacity, "", dtype=object)
        self._size = 0
        self._frame = empty_frame()

    def __len__(self) -> int:
        return self._size

    @property
    def last_timestamp(self) -> float | None:
        return float(self._values[-1, 0]) if self._size else None

    def append(self, row: DecisionRow) -> None:
        self._values[:-1] = self._values[1:]
        self._signals[:-1] = self._signals[1:]
        self._reasons[:-1] = self._reasons[1:]
        self._values[-1] = [getattr(row, name) for name in _NUMERIC]
        self._signals[-1] = row.signal
        self._reasons[-1] = row.reason
        self._size = min(self._size + 1, self._signals.size)
        start = self._signals.size - self._size
        columns: dict[str, object] = {name: self._values[start:, j].copy() for j, name in enumerate(_NUMERIC)}
        columns["signal"] = self._signals[start:].copy()
        columns["reason"] = self._reasons[start:].copy()
        self._frame = pd.DataFrame(columns, copy=False)  # fresh arrays, already in FRAME_COLUMNS order

    def frame(self) -> pd.DataFrame:
        return self._frame
