"""The live path (newest closed bar per tick) equals the vectorised backtest frame bar by bar, real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from ai_factories import HOUR, Clock, make_config, make_controller, real_candles, tick

from hummingbot_plugin.ai.decision import FRAME_COLUMNS

NUMERIC = [c for c in FRAME_COLUMNS if c not in ("signal", "reason")]


def test_live_row_equals_vectorised_row_bar_by_bar() -> None:
    candles = real_candles()
    window = candles[candles["timestamp"] >= pd.Timestamp("2023-01-10", tz="UTC").timestamp()].head(120)
    clock = Clock(float(window["timestamp"].iloc[0]) + HOUR)
    controller = make_controller(make_config(long_threshold=0.3, allow_short=False), candles, clock)
    frame = controller.engine.frame(candles, controller.engine.rule_for_model(_rule(controller)))
    by_ts = frame.set_index("timestamp")
    signals = []
    for stamp in window["timestamp"]:
        clock.now = float(stamp) + HOUR + 5.0  # 5 s after the bar closed
        tick(controller)
        features = controller.processed_data["features"]
        assert list(features.columns) == list(FRAME_COLUMNS)
        live = features.iloc[-1]
        expected = by_ts.loc[float(stamp)]
        assert live["timestamp"] == stamp
        np.testing.assert_allclose(
            live[NUMERIC[1:]].to_numpy(float), expected[NUMERIC[1:]].to_numpy(float), rtol=1e-9, atol=1e-12
        )
        assert (int(live["signal"]), live["reason"]) == (int(expected["signal"]), expected["reason"])
        assert controller.processed_data["signal"] == int(expected["signal"])
        signals.append(int(expected["signal"]))
    assert expected["reason"] == "" and {0, 1} <= set(signals), "window must exercise both outcomes"


def test_repeated_ticks_on_one_bar_reuse_the_forecast() -> None:
    candles = real_candles()
    stamp = pd.Timestamp("2023-01-05 10:00", tz="UTC").timestamp()
    clock = Clock(stamp + HOUR + 1)
    controller = make_controller(make_config(), candles, clock)
    tick(controller)
    first = controller.processed_data["features"]
    clock.now += 600  # same bar still the newest closed one
    tick(controller)
    assert len(controller.processed_data["features"]) == len(first) == 1
    clock.now += HOUR
    tick(controller)
    assert controller.processed_data["features"]["timestamp"].tolist() == [stamp, stamp + HOUR]


def _rule(controller):  # type: ignore[no-untyped-def]
    from hummingbot_plugin.ai import config_rules

    return config_rules.signal_rule(controller.config)
