"""Purged walk-forward cross-validation with an embargo (time-ordered, never trains on the future).

The rows after the first ``min_train_fraction`` of the samples are cut into ``n_folds`` contiguous
validation blocks. Fold ``k`` trains on every sample whose label window ends strictly before its block
starts, minus an embargo: a training row ``i`` (bar position) is kept only if
``i + horizon_bars + embargo_bars < first validation position``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError

__all__ = ["Fold", "walk_forward_folds"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Fold:
    """Bar positions used to train and to validate one fold."""

    number: int
    train: IntArray
    valid: IntArray


def walk_forward_folds(
    positions: IntArray,
    *,
    n_folds: int,
    horizon_bars: int,
    embargo_bars: int,
    min_train_fraction: float = 0.5,
    min_rows: int = 200,
) -> list[Fold]:
    """Folds over the sorted bar ``positions`` of the usable samples (DataError if too little data)."""
    if embargo_bars < horizon_bars:
        raise DataError(
            f"embargo_bars ({embargo_bars}) must be >= horizon_bars ({horizon_bars})",
            fix="raise the embargo to at least the horizon",
        )
    ordered = np.sort(np.asarray(positions, dtype=np.int64))
    start = int(ordered.size * min_train_fraction)
    blocks = np.array_split(ordered[start:], n_folds)
    folds: list[Fold] = []
    for number, block in enumerate(blocks, start=1):
        if block.size < min_rows:
            raise _too_little(ordered.size, n_folds, min_rows)
        cutoff = int(block[0]) - horizon_bars - embargo_bars
        train = ordered[ordered < cutoff]
        if train.size < min_rows:
            raise _too_little(ordered.size, n_folds, min_rows)
        folds.append(Fold(number=number, train=train, valid=block))
    return folds


def _too_little(rows: int, n_folds: int, min_rows: int) -> DataError:
    return DataError(
        f"too little data for {n_folds} walk-forward folds: {rows} usable rows "
        f"(each fold needs >= {min_rows})",
        fix="pass a longer candle history (1,000 bars of warm-up plus training rows) or fewer folds",
    )
