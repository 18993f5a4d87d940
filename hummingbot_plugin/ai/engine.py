"""The in-process model behind the controller: loaded and verified once, or refused with a reason.

Two ways to use it, chosen by the caller (the controller knows whether Hummingbot's backtesting engine
drives it):

* :meth:`SignalEngine.frame` — the whole vectorised decision frame, computed ONCE for a backtest;
* :meth:`SignalEngine.live_row` — the newest CLOSED bar only, for live ticks. The forecast of a bar is
  computed once and cached; later ticks on the same bar only re-apply the (cheap, updatable) rule.
  Each newly forecast bar is appended to a bounded history (:meth:`history_frame`).

A model that is missing, fails its sha256/structure checks, or was trained for another pair or interval
is refused: every decision is then signal 0 with ``model unavailable: ...`` as the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hummingbot_plugin.ai.candle_health import staleness_reason
from hummingbot_plugin.ai.decision import (
    FRAME_COLUMNS,
    REASON_NO_MODEL,
    DecisionRow,
    SignalRule,
    decision_frame,
    decision_row,
    empty_frame,
    refused_row,
)
from hummingbot_plugin.ai.history import DecisionHistory
from hummingbot_plugin.data import closed_count, interval_seconds
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.forecaster import Forecast, Forecaster, NoForecast
from hummingbot_plugin.ml.live import CandleArrays
from hummingbot_plugin.ml.spec import LIVE_WINDOW

__all__ = ["HISTORY_ROWS", "ModelInfo", "SignalEngine"]

HISTORY_ROWS = 240
_OHLCV = ("timestamp", "open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What is known about the configured model; ``error`` is '' when it is loaded and verified."""

    model_id: str
    sha256: str = ""
    data_cutoff: float | None = None
    error: str = ""


def _verified(model_dir: Path, interval: str, trading_pair: str, probe: bool) -> tuple[Forecaster, ModelInfo]:
    forecaster = Forecaster.load(model_dir, probe=probe)
    manifest = forecaster.manifest
    if manifest.interval != interval or manifest.trading_pair != trading_pair:
        raise ModelError(
            f"model {manifest.model_id} was trained on {manifest.trading_pair} {manifest.interval} bars, "
            f"the controller trades {trading_pair} {interval}",
            fix="point model_dir at a model of the same pair and interval",
        )
    digest = hashlib.sha256((model_dir / "manifest.json").read_bytes()).hexdigest()
    cutoff = pd.Timestamp(manifest.data_cutoff).timestamp()
    return forecaster, ModelInfo(manifest.model_id, digest, cutoff)


class SignalEngine:
    """Model + candle checks + decision; build with :meth:`load`."""

    def __init__(
        self, forecaster: Forecaster | None, info: ModelInfo, interval: str, stale_after_bars: float
    ) -> None:
        self.forecaster = forecaster
        self.info = info
        self.interval_s = interval_seconds(interval)
        self.stale_after_bars = stale_after_bars
        self._cached: tuple[float, Forecast | NoForecast] | None = None
        self._history = DecisionHistory(HISTORY_ROWS)

    @classmethod
    def load(
        cls,
        model_dir: Path | None,
        *,
        interval: str,
        trading_pair: str,
        stale_after_bars: float = 2.0,
        probe: bool = True,
    ) -> SignalEngine:
        """Verify and load ``model_dir`` (None = external predictions only); never raises ModelError."""
        if model_dir is None:
            return cls(None, ModelInfo("external-only"), interval, stale_after_bars)
        try:
            forecaster, info = _verified(model_dir, interval, trading_pair, probe)
        except ModelError as exc:
            info = ModelInfo(model_dir.name, error=f"model unavailable: {exc.message}")
            return cls(None, info, interval, stale_after_bars)
        return cls(forecaster, info, interval, stale_after_bars)

    @property
    def refusal(self) -> str:
        """Why no in-process forecast can ever be made ('' when the model is loaded)."""
        if self.forecaster is not None:
            return ""
        return self.info.error or REASON_NO_MODEL

    def rule_for_model(self, rule: SignalRule) -> SignalRule:
        """``rule`` with ``oos_from`` = the model's data cutoff (bars before it are in-sample)."""
        return replace(rule, oos_from=self.info.data_cutoff)

    # -- backtests ---------------------------------------------------------------------------
    def frame(self, candles: pd.DataFrame, rule: SignalRule) -> pd.DataFrame:
        """The vectorised decision frame over every bar of ``candles`` (one row per bar)."""
        if self.forecaster is None:
            stamps = candles["timestamp"].to_numpy(np.float64)
            rows = [refused_row(float(t), self.refusal).as_dict() for t in stamps]
            return pd.DataFrame(rows, columns=list(FRAME_COLUMNS)) if rows else empty_frame()
        predictions = self.forecaster.predict_frame(candles.loc[:, list(_OHLCV)])
        return decision_frame(predictions, self.rule_for_model(rule))

    # -- live ----------------------------------------------------------------------------------
    def live_row(self, candles: pd.DataFrame, now: float, rule: SignalRule) -> DecisionRow:
        """The decision for the newest bar closed at ``now`` (fails closed with a reason)."""
        stamps = candles["timestamp"].to_numpy(np.float64) if len(candles) else np.empty(0)
        closed = closed_count(stamps, now, self.interval_s)
        newest_closed = float(stamps[closed - 1]) if closed else None
        stale = staleness_reason(
            float(stamps[-1]) if stamps.size else None, now, self.interval_s, self.stale_after_bars
        )
        if stale or newest_closed is None:
            return refused_row(newest_closed, stale or "no closed candle yet")
        if self.forecaster is None:
            return refused_row(newest_closed, self.refusal)
        forecast = self._forecast(candles, closed, newest_closed)
        row = decision_row(forecast, self.rule_for_model(rule))
        if self._history.last_timestamp != newest_closed:
            self._history.append(row)
        return row

    def _forecast(self, candles: pd.DataFrame, closed: int, newest: float) -> Forecast | NoForecast:
        if self._cached is not None and self._cached[0] == newest:
            return self._cached[1]
        first = max(0, closed - LIVE_WINDOW)
        window = CandleArrays(*(candles[c].to_numpy(np.float64)[first:closed] for c in _OHLCV))
        assert self.forecaster is not None
        try:
            forecast: Forecast | NoForecast = self.forecaster.predict_latest(window)
        except ArithmeticError as exc:  # e.g. a flat window: RSI's 0/0 raises in the live feature path
            forecast = NoForecast(newest, f"non-finite feature computation ({type(exc).__name__}: {exc})")
        self._cached = (newest, forecast)
        return forecast

    def history_frame(self) -> pd.DataFrame:
        """The live decisions of the last ``HISTORY_ROWS`` closed bars (same columns as :meth:`frame`)."""
        return self._history.frame()
