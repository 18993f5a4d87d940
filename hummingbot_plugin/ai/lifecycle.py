"""The model lifecycle of a running controller: hot swap at bar boundaries, refusal, fallback, expiry.

``model_dir`` may be one model directory (fixed model) or a registry of versions
(:mod:`hummingbot_plugin.ml.registry`). Only at a bar boundary of the trading clock does the lifecycle
look for a newer sealed version; it verifies it completely (seal, pin, manifest, pair/interval/feature
spec, LightGBM) BEFORE replacing anything. A version that fails is refused once (an event, a status
line) and the current model keeps trading, so a position is never left without a model. An expired
model makes the engine decide signal 0 (no opening; open executors keep their barriers) and is reported
once. Every change is a :class:`ModelEvent` for the controller to audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hummingbot_plugin.ai.engine import EngineSettings, ModelInfo, SignalEngine
from hummingbot_plugin.audit import ModelRecord
from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.registry import Candidate, is_registry, versions_at

__all__ = ["ModelEvent", "ModelLifecycle", "engine_settings", "model_record"]

EventKind = Literal["loaded", "swapped", "refused", "expired"]


@dataclass(frozen=True, slots=True)
class ModelEvent:
    """One lifecycle event: ``info`` is the model concerned (a refused candidate: its version/reason)."""

    ts: float
    event: EventKind
    info: ModelInfo
    previous: ModelInfo | None = None
    reason: str = ""


def model_record(event: ModelEvent, source: str, trading_pair: str) -> ModelRecord:
    """The audit record of a lifecycle event."""
    previous = event.previous
    return ModelRecord(
        ts=event.ts,
        source=source,
        event=event.event,
        trading_pair=trading_pair,
        model_id=event.info.model_id,
        version=event.info.version,
        model_sha256=event.info.sha256,
        previous_model_id=previous.model_id if previous else "",
        previous_sha256=previous.sha256 if previous else "",
        reason=event.reason or event.info.error,
    )


def engine_settings(config: Any) -> EngineSettings:
    """The engine settings of an ai_livestream-like config (duck-typed)."""
    return EngineSettings(
        interval=str(config.interval),
        trading_pair=str(config.trading_pair),
        stale_after_bars=float(config.stale_after_intervals),
        pin=getattr(config, "model_sha256", None),
        max_age_days=getattr(config, "model_max_age_days", None),
        research=str(getattr(config, "decision_mode", "client")) == "cost_aware",
    )


class ModelLifecycle:
    """Owns the controller's :class:`SignalEngine`; call :meth:`tick` with the trading clock."""

    def __init__(self, source: Path | None, settings: EngineSettings, now: float) -> None:
        self.source = source
        self.settings = settings
        self.registry = source is not None and is_registry(source)
        self.interval_s = interval_seconds(settings.interval)
        self.refused: dict[str, str] = {}  # candidate key -> reason (each refused once)
        self.note = ""  # the latest refusal, for the status
        self._events: list[ModelEvent] = []
        self._bar = int(now // self.interval_s)
        self._key: str | None = None
        self._expired_seen = False
        self.engine = self._first_engine(now)

    def _first_engine(self, now: float) -> SignalEngine:
        if self.source is None:
            return SignalEngine.load(
                None, interval=self.settings.interval, trading_pair=self.settings.trading_pair
            )
        if not self.registry:
            return self._open_or_refuse(self.source, now)
        why = "model unavailable: no sealed version valid yet"
        self.engine = SignalEngine.refused(self.source.name, why, self.settings)
        self._check_versions(now)
        return self.engine

    def _open_or_refuse(self, path: Path, now: float) -> SignalEngine:
        try:
            engine = SignalEngine.open(path, self.settings)
        except ModelError as exc:
            reason = f"model unavailable: {exc.message}"
            self._emit(now, "refused", ModelInfo(path.name, error=reason), reason=reason)
            return SignalEngine.refused(path.name, reason, self.settings)
        self._emit(now, "loaded", engine.info)
        return engine

    # -- per tick ----------------------------------------------------------------------------
    def tick(self, now: float) -> list[ModelEvent]:
        """Events since the last call; looks for a new version only when a new bar has begun."""
        bar = int(now // self.interval_s)
        if bar != self._bar:
            self._bar = bar
            if self.registry:
                self._check_versions(now)
        if self.engine.expiry_reason(now) and not self._expired_seen:
            self._expired_seen = True
            self._emit(now, "expired", self.engine.info, reason=self.engine.expiry_reason(now))
        events, self._events = self._events, []
        return events

    def _check_versions(self, now: float) -> None:
        assert self.source is not None
        for candidate in versions_at(self.source, now):
            if candidate.key == self._key:
                return  # the running version is still the preferred one
            if candidate.key in self.refused:
                continue
            if self._try(candidate, now):
                return

    def _try(self, candidate: Candidate, now: float) -> bool:
        try:
            engine = SignalEngine.open(candidate.path, self.settings, candidate.version)
        except ModelError as exc:
            reason = f"version {candidate.version} refused, kept {self._current_label()}: {exc.message}"
            self.refused[candidate.key] = reason
            self.note = reason
            info = ModelInfo(candidate.version, version=candidate.version, error=exc.message)
            self._emit(now, "refused", info, self.engine.info, reason)
            return False
        previous = self.engine
        engine.adopt_history(previous)
        self.engine, self._key, self._expired_seen = engine, candidate.key, False
        kind: EventKind = "swapped" if previous.loaded else "loaded"
        self._emit(now, kind, engine.info, previous.info if kind == "swapped" else None)
        return True

    def _current_label(self) -> str:
        info = self.engine.info
        if info.error:
            return "no model"
        return info.model_id + (f" ({info.version})" if info.version else "")

    def _emit(
        self,
        now: float,
        kind: EventKind,
        info: ModelInfo,
        previous: ModelInfo | None = None,
        reason: str = "",
    ) -> None:
        self._events.append(ModelEvent(now, kind, info, previous, reason))

    def status_lines(self) -> list[str]:
        """Extra status lines: the registry version in use and the latest refusal."""
        lines = []
        if self.registry:
            lines.append(f"model version {self.engine.info.version or '-'} from registry {self.source}")
        if self.note:
            lines.append(f"newer model refused: {self.note}")
        return lines
