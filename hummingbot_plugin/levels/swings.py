"""Swing highs and lows from closed bars only.

Bar ``i`` is a swing high of order ``k`` when its high is strictly above the ``k`` highs before it and
at least the ``k`` highs after it (ties go to the earliest bar); a swing low mirrors it on the lows. A
swing of order ``k`` is therefore known only once bar ``i + k`` has closed: ``confirmed = i + k``.
Everything about bars ``<= t`` is decided by bars ``<= t`` (a prefix of the history gives the same
swings, up to its end).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError

__all__ = ["Swing", "find_swings", "legs", "swing_states"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Swing:
    """A confirmed turning point: ``kind`` +1 = swing high, −1 = swing low."""

    index: int
    confirmed: int
    price: float
    kind: int


def _extrema(values: FloatArray, k: int, sign: int) -> NDArray[np.int64]:
    """Positions ``i`` (k <= i < n - k) that beat their k left neighbours strictly, k right ones weakly."""
    x = sign * np.asarray(values, dtype=np.float64)
    n = x.size
    if n < 2 * k + 1:
        return np.empty(0, dtype=np.int64)
    window = sliding_window_view(x, 2 * k + 1)  # window j is centred on bar j + k
    centre = window[:, k]
    left = window[:, :k].max(axis=1)
    right = window[:, k + 1 :].max(axis=1)
    ok = (centre > left) & (centre >= right) & np.isfinite(centre)
    return (np.flatnonzero(ok) + k).astype(np.int64)


def _confirmed_order(high: FloatArray, low: FloatArray, k: int) -> list[Swing]:
    if k < 1:
        raise ConfigError(f"swing order k must be >= 1, got {k}", fix="use e.g. k = 5")
    raw = [Swing(int(i), int(i) + k, float(high[i]), 1) for i in _extrema(high, k, 1)]
    raw += [Swing(int(i), int(i) + k, float(low[i]), -1) for i in _extrema(low, k, -1)]
    raw.sort(key=lambda s: (s.confirmed, -s.kind))
    return raw


def _add(out: list[Swing], swing: Swing) -> bool:
    """Append ``swing`` keeping the list alternating; True when the list changed."""
    if out and out[-1].kind == swing.kind:
        if swing.kind * (swing.price - out[-1].price) > 0:
            out[-1] = swing
            return True
        return False
    out.append(swing)
    return True


def swing_states(high: FloatArray, low: FloatArray, k: int, keep: int) -> Iterator[tuple[int, list[Swing]]]:
    """``(bar, last keep swings)`` after every bar whose close changed the alternating swing list."""
    out: list[Swing] = []
    raw = _confirmed_order(high, low, k)
    changed = False
    for j, swing in enumerate(raw):
        changed = _add(out, swing) or changed
        del out[:-keep]
        if changed and (j + 1 == len(raw) or raw[j + 1].confirmed != swing.confirmed):
            yield swing.confirmed, list(out)
            changed = False


def find_swings(high: FloatArray, low: FloatArray, k: int) -> list[Swing]:
    """Alternating swings (high, low, high, ...) ordered by confirmation.

    Two swings of the same kind in a row keep the more extreme one (a higher high replaces the
    previous high; the replacement is itself a confirmed swing, so the sequence stays causal).
    """
    out: list[Swing] = []
    for swing in _confirmed_order(high, low, k):
        _add(out, swing)
    return out


def legs(swings: list[Swing], count: int) -> list[tuple[Swing, Swing]]:
    """The last ``count`` legs (consecutive swing pairs, oldest first)."""
    pairs = list(itertools.pairwise(swings))
    return pairs[-count:] if count > 0 else []
