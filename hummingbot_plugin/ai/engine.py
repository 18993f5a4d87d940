"""The in-process model behind the controller: loaded and verified once, or refused with a reason.

Two ways to use it, chosen by the caller (the controller knows whether Hummingbot's backtesting engine
drives it):

* :meth:`SignalEngine.frame` — the whole vectorised decision frame, computed ONCE for a backtest;
* :meth:`SignalEngine.live_row` — the newest CLOSED bar only, for live ticks. The forecast of a bar is
  computed once and cached; later ticks on the same bar only re-apply the (cheap, updatable) rule.
  Each newly forecast bar is appended to a bounded history (:meth:`history_frame`).

A model that is missing, unsealed, fails its seal/sha256/structure checks (or the pinned seal digest),
or was trained for another pair or interval is refused: every decision is then signal 0 with
``model unavailable: ...`` as the reason. A model older than ``max_age_days`` (its data cut-off against
the trading clock) has expired: its decisions keep their values but signal 0 with ``model expired: ...``.
Swapping versions at bar boundaries is :mod:`hummingbot_plugin.ai.lifecycle`'s job.
"""

from __future__ import annotations

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
from hummingbot_plugin.ai.model_loader import ModelCheck, open_model
from hummingbot_plugin.ai.research_model import ResearchForecaster
from hummingbot_plugin.data import closed_count, interval_seconds
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.forecaster import Forecast, Forecaster, NoForecast
from hummingbot_plugin.ml.live import CandleArrays
from hummingbot_plugin.ml.spec import LIVE_WINDOW

__all__ = ["HISTORY_ROWS", "EngineSettings", "ModelInfo", "SignalEngine"]

HISTORY_ROWS = 240
_OHLCV = ("timestamp", "open", "high", "low", "close", "volume")
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """How a model is verified and used: market, staleness, seal pin, maximum age (None = never)."""

    interval: str
    trading_pair: str
    stale_after_bars: float = 2.0
    probe: bool = True
    pin: str | None = None
    max_age_days: float | None = None
    research: bool = False  # decision_mode cost_aware: a research-spec model is required


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What is known about the configured model; ``error`` is '' when it is loaded and verified.

    ``sha256`` is the seal digest (manifest + every model file); ``version`` the registry version name.
    """

    model_id: str
    sha256: str = ""
    data_cutoff: float | None = None
    error: str = ""
    version: str = ""


def _verified(
    model_dir: Path, settings: EngineSettings, version: str
) -> tuple[Forecaster | ResearchForecaster, ModelInfo]:
    """The one model loader (:func:`hummingbot_plugin.ai.model_loader.open_model`) for this market."""
    check = ModelCheck(
        settings.trading_pair, settings.interval, settings.pin, settings.probe, settings.research
    )
    model = open_model(model_dir, check)
    info = ModelInfo(model.manifest.model_id, model.sha256, model.data_cutoff, version=version)
    return model.forecaster, info


class SignalEngine:
    """Model + candle checks + decision; build with :meth:`load`."""

    def __init__(
        self, forecaster: Forecaster | ResearchForecaster | None, info: ModelInfo, settings: EngineSettings
    ) -> None:
        self.research = forecaster if isinstance(forecaster, ResearchForecaster) else None
        self.forecaster = forecaster if isinstance(forecaster, Forecaster) else None
        self.info = info
        self.settings = settings
        self.interval_s = interval_seconds(settings.interval)
        self.stale_after_bars = settings.stale_after_bars
        self._cached: tuple[float, Forecast | NoForecast] | None = None
        self._history = DecisionHistory(HISTORY_ROWS)

    @classmethod
    def open(cls, model_dir: Path, settings: EngineSettings, version: str = "") -> SignalEngine:
        """Verify and load ``model_dir``; ModelError (message + fix) when it is refused."""
        forecaster, info = _verified(model_dir, settings, version)
        return cls(forecaster, info, settings)

    @classmethod
    def refused(cls, model_id: str, reason: str, settings: EngineSettings) -> SignalEngine:
        """An engine without a model: every decision is signal 0 with ``reason``."""
        return cls(None, ModelInfo(model_id, error=reason), settings)

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
        settings = EngineSettings(interval, trading_pair, stale_after_bars, probe)
        if model_dir is None:
            return cls(None, ModelInfo("external-only"), settings)
        try:
            return cls.open(model_dir, settings)
        except ModelError as exc:
            return cls.refused(model_dir.name, f"model unavailable: {exc.message}", settings)

    def adopt_history(self, previous: SignalEngine) -> None:
        """Keep the live decision history of the engine this one replaces (a swap is not a restart)."""
        self._history = previous._history

    def expires_at(self) -> float | None:
        """Trading time after which the model has expired (None: never)."""
        age = self.settings.max_age_days
        if age is None or self.info.data_cutoff is None:
            return None
        return self.info.data_cutoff + age * _DAY

    def expiry_reason(self, now: float) -> str:
        """``model expired: ...`` once ``now`` is past :meth:`expires_at`, else ''."""
        end = self.expires_at()
        if end is None or now <= end or self.info.data_cutoff is None:
            return ""
        cutoff = pd.Timestamp(self.info.data_cutoff, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M")
        return (
            f"model expired: {self.info.model_id} was trained on data up to {cutoff} UTC, more than "
            f"model_max_age_days={self.settings.max_age_days:g} ago; no new positions"
        )

    @property
    def loaded(self) -> bool:
        """A verified model (of either spec) is in use."""
        return self.forecaster is not None or self.research is not None

    @property
    def refusal(self) -> str:
        """Why no in-process forecast can ever be made ('' when the model is loaded)."""
        if self.forecaster is not None:
            return ""
        if self.research is not None:
            return f"model {self.info.model_id} is a research model: set decision_mode: cost_aware"
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
        frame = decision_frame(predictions, self.rule_for_model(rule))
        end = self.expires_at()
        if end is not None:  # decided at each bar's close
            late = (frame["timestamp"].to_numpy(np.float64) + self.interval_s > end) & (frame["reason"] == "")
            frame.loc[late, "signal"] = 0
            frame.loc[late, "reason"] = self.expiry_reason(end + 1.0)  # the same text as live
        return frame

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
        expired = self.expiry_reason(now) if row.ok else ""
        if expired:
            row = replace(row, signal=0, reason=expired)
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
