"""Pure decision maths of the AI controller (no Hummingbot): signal, barriers, sizing, views, freshness."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hummingbot_plugin.ai import (
    BarrierRule,
    SignalRule,
    SizingMode,
    SizingRule,
    barriers_for,
    decision_frame,
    decision_row,
    position_quote,
)
from hummingbot_plugin.ai.candle_health import staleness_reason
from hummingbot_plugin.ai.decision import REASON_NO_MODEL, refused_row
from hummingbot_plugin.ai.views import ExternalPolicy, effective_row
from hummingbot_plugin.data import closed_count
from hummingbot_plugin.ml.forecaster import PREDICTION_COLUMNS, Forecast, NoForecast
from hummingbot_plugin.mqtt import ExternalPrediction, PredictionMode

RULE = BarrierRule(2.0, 3.0, 0.006, 0.03, 0.006, 0.05)
probability = st.floats(0.0, 1.0)


def _forecast(**overrides: Any) -> Forecast:
    values: dict[str, Any] = dict(
        timestamp=1_700_000_000.0,
        horizon_bars=1,
        q10=-0.01,
        q50=0.002,
        q90=0.012,
        p_short=0.2,
        p_neutral=0.3,
        p_long=0.5,
        target_pct=0.004,
        tier_confidence=5.0,
        tier="C",
        vol_scaled=0.5,
        signal_rel=1.0,
        kelly=0.1,
        method="calibrated_cdf",
    )
    values.update(overrides)
    return Forecast(**values)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_barriers_always_inside_bounds(target: float) -> None:
    barriers = barriers_for(target, RULE)
    assert Decimal("0.006") <= barriers.stop_loss <= Decimal("0.03")
    assert Decimal("0.006") <= barriers.take_profit <= Decimal("0.05")


@given(st.floats(0.003, 0.01))
def test_barriers_are_multiples_of_target_inside_the_band(target: float) -> None:
    barriers = barriers_for(target, RULE)
    assert barriers.stop_loss == Decimal(str(min(max(2 * target, 0.006), 0.03)))
    assert float(barriers.take_profit) == pytest.approx(min(max(3 * target, 0.006), 0.05))


def test_barrier_rule_rejects_inverted_bounds() -> None:
    with pytest.raises(Exception, match="min <= max"):
        BarrierRule(2.0, 3.0, 0.05, 0.01, 0.006, 0.05)


@given(st.floats(-1.0, 2.0), st.integers(1, 5), st.one_of(st.none(), st.decimals(1, 2000, places=2)))
def test_position_quote_never_exceeds_budget_or_cap(
    fraction: float, per_side: int, cap: Decimal | None
) -> None:
    rule = SizingRule(Decimal(1000), per_side, cap, Decimal(10))
    quote = position_quote(rule, fraction)
    if quote is not None:
        assert Decimal(10) <= quote <= rule.budget() <= Decimal(1000) / per_side
        assert cap is None or quote <= cap
    else:
        assert fraction <= 0 or rule.budget() * Decimal(str(min(fraction, 1.0))) < 10


@given(probability, probability, st.floats(0.01, 1.0), st.booleans())
def test_signal_rule(p_short: float, p_long: float, threshold: float, allow_short: bool) -> None:
    rule = SignalRule(threshold, threshold, allow_short)
    total = p_short + p_long
    if total > 1:
        p_short, p_long = p_short / total, p_long / total
    row = decision_row(_forecast(p_short=p_short, p_long=p_long, p_neutral=1 - p_short - p_long), rule)
    if row.signal == 1:
        assert p_long >= threshold and p_long > p_short
    elif row.signal == -1:
        assert allow_short and p_short >= threshold and p_short > p_long
    else:
        assert not (p_long >= threshold and p_long > p_short)


@pytest.mark.parametrize(
    ("forecast", "rule", "reason"),
    [
        (NoForecast(1.0, "gap: missing bar(s)"), SignalRule(0.1, 0.1), "gap: missing bar(s)"),
        (_forecast(q50=math.nan), SignalRule(0.1, 0.1), "non-finite forecast value"),
        (_forecast(), SignalRule(0.1, 0.1, oos_from=1_800_000_000.0), "in-sample"),
    ],
)
def test_refused_rows_are_neutral_placeholders(forecast: Any, rule: SignalRule, reason: str) -> None:
    row = decision_row(forecast, rule)
    assert row.signal == 0 and reason in row.reason
    assert (row.p_neutral, row.p_long, row.p_short, row.target_pct, row.size_fraction) == (1.0, 0, 0, 0, 0)


def test_frame_row_equals_single_row_decision() -> None:
    forecasts = [
        _forecast(timestamp=1e9 + i, p_long=0.3 + 0.1 * i, p_short=0.1, p_neutral=0.6 - 0.1 * i)
        for i in range(4)
    ]
    table = pd.DataFrame([{c: getattr(f, c, "") for c in PREDICTION_COLUMNS} for f in forecasts])
    table.loc[1, ["q50"]] = np.nan
    table.loc[1, "reason"] = "warm-up"
    rule = SignalRule(0.45, 0.45, sizing=SizingMode.KELLY)
    frame = decision_frame(table, rule)
    rows = [
        decision_row(f, rule) if i != 1 else decision_row(NoForecast(1e9 + 1, "warm-up"), rule)
        for i, f in enumerate(forecasts)
    ]
    assert frame["signal"].tolist() == [r.signal for r in rows] == [0, 0, 1, 1]
    assert frame["size_fraction"].tolist() == [r.size_fraction for r in rows]
    assert frame["size_fraction"].iloc[2] == pytest.approx(0.4)  # kelly 0.1 / cap 0.25
    assert not frame.isna().any().any()


def _prediction(
    now: float, probs: tuple[float, float, float] = (0.1, 0.1, 0.8), target: float = 0.3, age: float = 0.0
) -> ExternalPrediction:
    return ExternalPrediction(
        trading_pair="BTC-USDT",
        topic="t",
        short=probs[0],
        neutral=probs[1],
        long=probs[2],
        target_pct=target,
        timestamp=now - age,
        received_at=now,
    )


def _policy(mode: PredictionMode = PredictionMode.REPLACE, external_only: bool = False) -> ExternalPolicy:
    return ExternalPolicy(mode, 60.0, 0.5, external_only)


LOCAL = decision_row(_forecast(p_long=0.3, p_short=0.3, p_neutral=0.4), SignalRule(0.45, 0.45))


@pytest.mark.parametrize(
    ("local", "age", "policy", "signal", "source", "reason"),
    [
        (LOCAL, 0, _policy(), 1, "external", ""),
        (LOCAL, 0, _policy(PredictionMode.BLEND), 1, "blend", ""),  # 0.5*0.8 + 0.5*0.3 = 0.55
        (LOCAL, 0, _policy(PredictionMode.LOCAL_ONLY), 0, "local", ""),
        (LOCAL, 120, _policy(), 0, "local", ""),  # expired: the local model decides
        (refused_row(1.0, "stale candles: x"), 0, _policy(), 0, "local", "stale candles"),
        (refused_row(1.0, REASON_NO_MODEL), 0, _policy(external_only=True), 1, "external", ""),
        (refused_row(1.0, REASON_NO_MODEL), 120, _policy(external_only=True), 0, "local", "expired"),
        (refused_row(1.0, "stale candles: x"), 0, _policy(external_only=True), 0, "local", "stale"),
    ],
)
def test_external_views(
    local: Any, age: float, policy: ExternalPolicy, signal: int, source: str, reason: str
) -> None:
    now = 2_000_000_000.0
    seen = _prediction(now, age=age)
    fresh = seen if age <= 60 else None
    row = effective_row(local, fresh, seen, now=now, policy=policy, rule=SignalRule(0.45, 0.45))
    assert (row.signal, row.source) == (signal, source) and reason in row.reason
    if row.source == "external":
        assert row.target_pct == 0.05  # a message's 0.3 is clipped to the forecaster's maximum


@pytest.mark.parametrize(
    ("newest", "now", "stale"),
    [
        (0.0, 3600.0, False),
        (0.0, 7200.0, False),
        (0.0, 7201.0, True),
        (None, 1.0, True),
        (10_000.0, 1.0, True),
    ],
)
def test_staleness_by_trading_clock(newest: float | None, now: float, stale: bool) -> None:
    assert bool(staleness_reason(newest, now, 3600, 2.0)) is stale


def test_closed_count_excludes_the_forming_bar() -> None:
    stamps = np.array([0.0, 3600.0, 7200.0])
    assert closed_count(stamps, 7200.0, 3600) == 2 and closed_count(stamps, 10_800.0, 3600) == 3
