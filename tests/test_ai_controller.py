"""The AI controller with real models and data: fail-closed cases, side filter, executor configs, status."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ai_factories import HOUR, Clock, copy_model, make_config, make_controller, real_candles, tick
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from risk_hb_factories import make_executor_info

from hummingbot_plugin.audit import AuditLog, SignalRecord, iter_records
from hummingbot_plugin.hb.risk_gate import RiskGate

NOW_BAR = pd.Timestamp("2023-01-02 03:00", tz="UTC").timestamp()  # a bar with a valid forecast


def _tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[200] = ord("7") if data[200] != ord("7") else ord("8")
    path.write_bytes(bytes(data))


def _flat(candles: pd.DataFrame) -> pd.DataFrame:
    out = candles.copy()
    out.loc[:, ["open", "high", "low", "close"]] = 20_000.0
    return out


def _with_nan_volume(candles: pd.DataFrame) -> pd.DataFrame:
    out = candles.copy()
    out.loc[out["timestamp"] == NOW_BAR - 10 * HOUR, "volume"] = np.nan
    return out


def _with_gap(candles: pd.DataFrame) -> pd.DataFrame:
    return candles[candles["timestamp"] != NOW_BAR - 5 * HOUR].reset_index(drop=True)


def _ok_candles(candles: pd.DataFrame) -> pd.DataFrame:
    return candles


def _longer_history(candles: pd.DataFrame) -> pd.DataFrame:
    return real_candles(start="2022-08-01")


CASES: list[tuple[str, Any, dict[str, Any], float, str]] = [
    (
        "missing model dir",
        _ok_candles,
        {"model_dir": "/nonexistent/model"},
        0,
        "model unavailable: no manifest",
    ),
    ("stale candles", _ok_candles, {}, 3 * HOUR, "stale candles"),
    ("gap", _with_gap, {}, 0, "gap: missing bar"),
    ("NaN candle", _with_nan_volume, {}, 0, "non-finite candle"),
    ("non-finite feature", _flat, {}, 0, "non-finite feature"),
    ("model for another pair", _ok_candles, {"model_dir": "eth_usdt_1h_oos2023"}, 0, "trained on ETH-USDT"),
    ("in-sample bar", _longer_history, {}, -30 * 24 * HOUR, "in-sample"),
]


@pytest.mark.parametrize(("name", "edit", "overrides", "delay", "reason"), CASES, ids=[c[0] for c in CASES])
def test_fail_closed_gives_signal_zero_with_reason(
    name: str, edit: Any, overrides: dict[str, Any], delay: float, reason: str
) -> None:
    candles = edit(real_candles())
    if delay > 0:  # the feed stops delivering: the last bar is NOW_BAR, the clock runs on
        candles = candles[candles["timestamp"] <= NOW_BAR]
    clock = Clock(NOW_BAR + HOUR + 1 + delay)
    controller = make_controller(make_config(long_threshold=0.01, **overrides), candles, clock)
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert reason in controller.processed_data["reason"]
    assert any(reason in line for line in controller.to_format_status())
    assert controller.determine_executor_actions() == []


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    _tamper(model / "quantile_50.txt")
    controller = make_controller(make_config(model_dir=str(model)), real_candles(), Clock(NOW_BAR + HOUR + 1))
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert "sha256" in controller.processed_data["reason"]
    assert "REFUSED" in controller.to_format_status()[0]


def test_valid_bar_with_low_threshold_signals_long_and_control_case_passes() -> None:
    controller = make_controller(make_config(long_threshold=0.01), real_candles(), Clock(NOW_BAR + HOUR + 1))
    tick(controller)
    assert controller.processed_data["reason"] == ""
    assert controller.processed_data["signal"] == 1


def test_nothing_raises_before_the_first_tick() -> None:
    controller = make_controller(make_config(), real_candles(), Clock(NOW_BAR))
    assert controller.processed_data["signal"] == 0
    assert controller.processed_data["features"].empty
    assert controller.determine_executor_actions() == []
    assert "waiting for the first tick" in " ".join(controller.to_format_status())
    info = controller.get_custom_info()
    assert info["signal"] == 0 and info["model_id"] == "btc_usdt_1h_oos2023"


def _side_info(executor_id: str, side: TradeType, active: bool = True, ts: float = 0.0) -> Any:
    return make_executor_info(executor_id, timestamp=ts, is_active=active, custom_info={"side": side})


SIDE_CASES = [
    ("active long blocks long", [TradeType.BUY], 1, False),
    ("active long does not block short", [TradeType.BUY], -1, True),
    ("active short blocks short", [TradeType.SELL], -1, False),
    ("active short does not block long", [TradeType.SELL], 1, True),
    ("nothing active", [], 1, True),
]


@pytest.mark.parametrize(("name", "sides", "signal", "allowed"), SIDE_CASES, ids=[c[0] for c in SIDE_CASES])
def test_can_create_executor_filters_by_the_signal_side(
    name: str, sides: list[TradeType], signal: int, allowed: bool
) -> None:
    controller = make_controller(
        make_config(connector_name="binance_perpetual", allow_short=True), real_candles(), Clock(NOW_BAR)
    )
    controller.executors_info = [_side_info(f"e{i}", side) for i, side in enumerate(sides)]
    assert controller.can_create_executor(signal) is allowed


def test_cooldown_counts_recent_executors_of_the_same_side_only() -> None:
    controller = make_controller(make_config(cooldown_time=3600), real_candles(), Clock(NOW_BAR))
    controller.executors_info = [_side_info("done", TradeType.BUY, active=False, ts=NOW_BAR - 60)]
    assert controller.can_create_executor(1) is False
    assert controller.can_create_executor(-1) is True


@pytest.mark.parametrize(
    ("target", "sl", "tp"), [(0.004, "0.008", "0.012"), (0.0001, "0.006", "0.006"), (0.5, "0.03", "0.05")]
)
def test_executor_config_scales_barriers_with_bounds(target: float, sl: str, tp: str) -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    controller = make_controller(make_config(long_threshold=0.01), real_candles(), clock, with_exchange=True)
    tick(controller)
    controller.processed_data["target_pct"] = target
    actions = controller.determine_executor_actions()
    assert len(actions) == 1 and isinstance(actions[0], CreateExecutorAction)
    config = actions[0].executor_config
    barrier = config.triple_barrier_config
    assert (barrier.stop_loss, barrier.take_profit) == (Decimal(sl), Decimal(tp))
    assert config.side == TradeType.BUY and config.leverage == 1
    assert config.amount * config.entry_price == pytest.approx(Decimal(1000), rel=Decimal("1e-9"))


def test_kelly_sizing_and_cap_bound_the_amount() -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    config = make_config(long_threshold=0.01, sizing_mode="kelly", max_position_quote=Decimal(200))
    controller = make_controller(config, real_candles(), clock, with_exchange=True)
    tick(controller)
    controller.processed_data["size_fraction"] = 0.5
    config_out = controller.determine_executor_actions()[0].executor_config
    assert config_out.amount * config_out.entry_price == pytest.approx(Decimal(100), rel=Decimal("1e-9"))
    controller.processed_data["size_fraction"] = 0.01  # 2 quote < min_order_quote 10
    assert controller.determine_executor_actions() == []


def test_opposite_signal_stops_positions_but_no_signal_keeps_them() -> None:
    controller = make_controller(
        make_config(connector_name="binance_perpetual", allow_short=True), real_candles(), Clock(NOW_BAR)
    )
    controller.executors_info = [_side_info("long-1", TradeType.BUY)]
    controller.processed_data.update(signal=-1)
    stops = controller.stop_actions_proposal()
    assert [s.executor_id for s in stops if isinstance(s, StopExecutorAction)] == ["long-1"]
    controller.processed_data.update(signal=0)
    assert controller.stop_actions_proposal() == []


def test_signal_changes_are_audited_with_model_hash(tmp_path: Path) -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    controller = make_controller(make_config(model_dir="/nonexistent"), real_candles(), clock)
    audit = AuditLog(tmp_path / "audit")
    controller.risk_gate = RiskGate.for_controller(controller, state_dir=tmp_path / "state", audit=audit)
    tick(controller)
    tick(controller)  # unchanged decision: no second record
    records = [r for r in iter_records(tmp_path / "audit") if isinstance(r, SignalRecord)]
    assert len(records) == 1 and records[0].signal == 0 and "model unavailable" in records[0].detail


def test_config_requires_venue_pair_model_and_rejects_fixed_barriers() -> None:
    from ai_factories import AiLivestreamConfig

    with pytest.raises(ValueError, match="connector_name"):
        AiLivestreamConfig(trading_pair="BTC-USDT", model_dir="x")
    with pytest.raises(ValueError, match="model_dir"):
        AiLivestreamConfig(connector_name="binance", trading_pair="BTC-USDT")
    with pytest.raises(ValueError, match="derived from target_pct"):
        make_config(stop_loss=Decimal("0.02"))
    with pytest.raises(ValueError, match="short"):
        make_config(allow_short=True)  # spot connector
    with pytest.raises(ValueError, match="prediction_mode"):
        make_config(model_dir=None)
    assert make_config().leverage == 1


def test_hummingbot_finds_exactly_our_config_and_controller_classes() -> None:
    import ai_factories

    from hummingbot_plugin.hb.config_discovery import controller_config_class

    module = ai_factories.ai_module
    assert controller_config_class(module) is ai_factories.AiLivestreamConfig
    assert make_config().get_controller_class() is ai_factories.AiLivestreamController


def test_signal_and_quantiles_reach_the_metrics_of_the_gate(tmp_path: Path) -> None:
    from hummingbot_plugin.prometheus import PluginMetrics

    clock = Clock(NOW_BAR + HOUR + 1)
    controller = make_controller(make_config(long_threshold=0.01), real_candles(), clock)
    metrics = PluginMetrics()
    controller.risk_gate = RiskGate.for_controller(controller, state_dir=tmp_path / "state", metrics=metrics)
    tick(controller)
    text = metrics.render().decode()
    assert 'hbp_signal{controller_id="ai-test"} 1.0' in text
    q50 = controller.processed_data["q50"]
    assert f'hbp_forecast_quantile{{controller_id="ai-test",quantile="0.5"}} {q50!r}' in text
