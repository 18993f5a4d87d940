"""What the controller shows (``to_format_status``) and publishes (``get_custom_info``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hummingbot_plugin.ai.decision import DecisionRow
from hummingbot_plugin.ai.engine import ModelInfo
from hummingbot_plugin.audit import SignalRecord

__all__ = ["ChannelState", "custom_info", "probability_labels", "signal_record", "status_lines"]

_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class ChannelState:
    """The MQTT side as the controller last saw it."""

    enabled: bool = False
    connected: bool = False
    subscribed: bool = False
    external_age_s: float | None = None
    overrides_accepted: int = 0
    rejected_total: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)


def _model_age_days(info: ModelInfo, now: float | None) -> float | None:
    if info.data_cutoff is None or now is None:
        return None
    return (now - info.data_cutoff) / _DAY


def _fmt(value: float, spec: str = ".4f") -> str:
    return format(value, spec) if math.isfinite(value) else "-"


def status_lines(row: DecisionRow, info: ModelInfo, channel: ChannelState, now: float | None) -> list[str]:
    """Human-readable status: model, forecast, decision and reason, MQTT/override state."""
    age = _model_age_days(info, now)
    model = f"model {info.model_id}" + (f" (data age {age:.1f} d)" if age is not None else "")
    if info.error:
        model += f" — REFUSED: {info.error}"
    lines = [model]
    if row.ok:
        lines.append(
            f"bar {_fmt(row.timestamp, '.0f')}: q10={_fmt(row.q10)} q50={_fmt(row.q50)} q90={_fmt(row.q90)} "
            f"p(short/neutral/long)={row.p_short:.3f}/{row.p_neutral:.3f}/{row.p_long:.3f} "
            f"target={row.target_pct:.4f} size={row.size_fraction:.2f} [{row.source}]"
        )
    lines.append(f"signal {row.signal:+d}" + (f" — no trade: {row.reason}" if row.reason else ""))
    if channel.enabled:
        ext = "none" if channel.external_age_s is None else f"{channel.external_age_s:.0f} s old"
        lines.append(
            f"mqtt connected={channel.connected} subscribed={channel.subscribed} external={ext} "
            f"overrides={channel.overrides_accepted} rejected={channel.rejected_total}"
            + (f" active overrides {channel.overrides}" if channel.overrides else "")
        )
    return lines


def custom_info(row: DecisionRow, info: ModelInfo, now: float | None) -> dict[str, Any]:
    """A small (< 1 KB) payload for Hummingbot's performance reports."""
    age = _model_age_days(info, now)
    return {
        "signal": row.signal,
        "p": [round(row.p_short, 4), round(row.p_neutral, 4), round(row.p_long, 4)],
        "target_pct": round(row.target_pct, 6),
        "source": row.source,
        "reason": row.reason[:120],
        "model_id": info.model_id,
        "model_age_days": None if age is None else round(age, 2),
    }


def probability_labels(row: DecisionRow) -> dict[str, float]:
    """Class probabilities keyed like the ``hbp_signal_probability`` metric's ``class`` label."""
    return {"short": row.p_short, "neutral": row.p_neutral, "long": row.p_long}


def signal_record(
    row: DecisionRow, info: ModelInfo, controller_id: str, trading_pair: str, now: float
) -> SignalRecord:
    """The audit record of one decision (model id + manifest sha256, probabilities, reason)."""
    return SignalRecord(
        ts=now,
        source=controller_id,
        model_id=info.model_id,
        model_sha256=info.sha256,
        trading_pair=trading_pair,
        signal=row.signal,
        probabilities={
            **probability_labels(row),
            "q10": row.q10,
            "q50": row.q50,
            "q90": row.q90,
            "target_pct": row.target_pct,
        },
        detail=row.reason or f"source={row.source}",
    )
