"""The PMM controller's decisions, free of Hummingbot: processed data, quote plan, level actions.

The controller (``controllers/market_making/pmm_forecast.py``) passes its validated config, a
:class:`~hummingbot_plugin.mm.params.PMMParams` (replays pass a ``PMMParams`` itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import pandas as pd

from hummingbot_plugin.data import closed_count, interval_seconds
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm import quoting
from hummingbot_plugin.mm.levels import LevelTimers, LevelView, level_ids, levels_to_create, levels_to_refresh
from hummingbot_plugin.mm.params import PMMParams
from hummingbot_plugin.mm.risk import (
    QuoteRiskDecision,
    RiskState,
    inventory_limit_check,
    side_permission,
    worst,
)

__all__ = [
    "ForecastFn",
    "LevelTimerSettings",
    "PMMSettings",
    "QuotePlan",
    "candles_needed",
    "level_actions",
    "level_amounts_quote",
    "load_forecast_fn",
    "plan_quotes",
    "processed_data",
    "quoting_params",
    "status_lines",
]

ForecastFn = Callable[[pd.DataFrame], pd.DataFrame]


PMMSettings = PMMParams  # the controller config inherits PMMParams; replays pass PMMParams itself


class LevelTimerSettings(Protocol):
    """What the level lifecycle reads (the PMM and GLFT configs both provide it)."""

    @property
    def executor_refresh_time(self) -> int: ...
    @property
    def max_order_age(self) -> int: ...
    @property
    def order_refresh_tolerance_pct(self) -> Decimal: ...
    @property
    def filled_order_delay(self) -> int: ...


@dataclass(frozen=True)
class QuotePlan:
    """Desired price and base amount of every level allowed now, plus the risk decision behind it."""

    prices: dict[str, float]
    amounts: dict[str, float]
    all_levels: tuple[str, ...]
    risk: QuoteRiskDecision
    inventory_dev: float
    pulled: frozenset[str] = field(default_factory=frozenset)


def quoting_params(cfg: PMMParams) -> quoting.QuotingParams:
    """The pure quoting parameters of a config."""
    return quoting.QuotingParams(
        base_spread=float(min(cfg.buy_spreads[0], cfg.sell_spreads[0])),
        maker_fee=float(cfg.maker_fee),
        min_profit_margin=float(cfg.min_profit_margin),
        volatility_window=cfg.volatility_window,
        volatility_factor=cfg.volatility_factor,
        interval_width_factor=cfg.interval_width_factor,
        forecast_skew_weight=cfg.forecast_skew_weight,
        max_forecast_skew=cfg.max_forecast_skew,
        min_spread_multiplier=cfg.min_spread_multiplier,
        max_spread_multiplier=cfg.max_spread_multiplier,
    )


def feature_frame(candles: pd.DataFrame, cfg: PMMParams, forecast_fn: ForecastFn | None) -> pd.DataFrame:
    """Per-bar features labelled like Hummingbot's candles: by bar OPEN time, computed from that bar's close.

    Hummingbot's backtesting engine prices a bar at its close, so at equal resolution row ``t`` sees only
    bar ``t``; at a finer resolution the plugin's offline engine shifts features to their availability
    time (``hummingbot_plugin.simulation.backtest.engine``).
    """
    forecast = forecast_fn(candles) if forecast_fn is not None and not candles.empty else None
    return quoting.per_bar_features(candles, quoting_params(cfg), forecast)


def processed_data(
    candles: pd.DataFrame | None,
    cfg: PMMParams,
    mid: float,
    forecast_fn: ForecastFn | None,
    previous: dict[str, Any] | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Controller ``processed_data`` from the bars CLOSED at ``now`` (the trading clock) and the current mid.

    A live candles feed also holds the bar still being formed; it never moves the quotes. ``now=None``
    (Hummingbot's backtesting engine, which serves every row as a finished bar) uses every row. Features
    are recomputed only when the newest closed bar changed (``previous`` holds the last result).
    """
    usable = _closed_bars(candles, cfg, now)
    if usable is None or len(usable) <= cfg.volatility_window:
        return {
            "reference_price": float("nan"),
            "spread_multiplier": float("nan"),
            "features": pd.DataFrame(),
            "closed_bars": 0 if usable is None else len(usable),
        }
    key = (len(usable), float(usable["timestamp"].iloc[-1]), float(usable["close"].iloc[-1]))
    cached = (previous or {}).get("features")
    if isinstance(cached, pd.DataFrame) and (previous or {}).get("features_key") == key:
        features = cached
    else:
        features = feature_frame(usable, cfg, forecast_fn)
    last = features.iloc[-1]
    return {
        "reference_price": mid * (1.0 + float(last["forecast_skew"])),
        "spread_multiplier": float(last["spread_multiplier"]),
        "forecast_skew": float(last["forecast_skew"]),
        "volatility": float(last["volatility"]),
        "features": features,
        "features_key": key,
        "closed_bars": len(usable),
        "bar_timestamp": float(last["timestamp"]),
    }


def _closed_bars(candles: pd.DataFrame | None, cfg: PMMParams, now: float | None) -> pd.DataFrame | None:
    """The leading rows of ``candles`` closed at ``now`` (every row when ``now`` is None)."""
    if candles is None:
        return None
    frame = candles.reset_index(drop=True)
    if now is None or frame.empty:
        return frame
    stamps = frame["timestamp"].to_numpy(dtype=np.float64)
    return frame.iloc[: closed_count(stamps, float(now), interval_seconds(cfg.candles_interval))]


def level_amounts_quote(cfg: PMMParams) -> dict[str, float]:
    """Quote amount per level: the budget split by the buy/sell percentages (normalised together)."""
    # None (not given) means equal weights, as in Hummingbot's market-making base config.
    buys = [float(p) for p in (cfg.buy_amounts_pct or [Decimal(1)] * len(cfg.buy_spreads))]
    sells = [float(p) for p in (cfg.sell_amounts_pct or [Decimal(1)] * len(cfg.sell_spreads))]
    total = sum(buys) + sum(sells)
    if total <= 0:
        raise ConfigError(
            "level amount percentages sum to zero", fix="give buy/sell_amounts_pct positive values"
        )
    budget = float(cfg.total_amount_quote)
    out = {f"buy_{i}": budget * p / total for i, p in enumerate(buys)}
    out.update({f"sell_{i}": budget * p / total for i, p in enumerate(sells)})
    return out


def _side_prices(cfg: PMMParams, mid: float, ref: float, mult: float, dev: float, side: str) -> list[float]:
    spreads = tuple(cfg.buy_spreads if side == "buy" else cfg.sell_spreads)
    skew = cfg.inventory_skew_strength if cfg.inventory_skew_enabled else 0.0
    prices = quoting.quote_ladder(mid, ref, mult, spreads, quoting_params(cfg).floor, dev, skew, side)[0]
    ceiling = float(cfg.price_ceiling) if cfg.price_ceiling is not None else None
    floor = float(cfg.price_floor) if cfg.price_floor is not None else None
    allowed = quoting.price_band_mask(prices, side, ceiling, floor)
    return [float(p) if ok else float("nan") for p, ok in zip(prices, allowed, strict=True)]


def plan_quotes(
    cfg: PMMParams, data: dict[str, Any], mid: float, inventory_value: float, external: QuoteRiskDecision
) -> QuotePlan:
    """Quote prices and amounts for the levels allowed by data, price band, inventory and risk."""
    all_levels = tuple(level_ids(len(cfg.buy_spreads), len(cfg.sell_spreads)))
    mult = float(data.get("spread_multiplier", np.nan))
    # The forecast skew applies to the current mid (the bar the skew came from may be a bar old).
    skew = data.get("forecast_skew")
    ref = mid * (1.0 + float(skew)) if skew is not None else float(data.get("reference_price", np.nan))
    dev = float(
        quoting.inventory_deviation(
            inventory_value,
            float(cfg.total_amount_quote),
            cfg.inventory_target_base_pct,
            cfg.inventory_range_pct,
        )
    )
    override = (
        QuoteRiskDecision(RiskState(cfg.quote_risk_override), ("config override",))
        if cfg.quote_risk_override != RiskState.ACTIVE
        else QuoteRiskDecision()
    )
    risk = worst(external, override, inventory_limit_check(dev))
    if not (np.isfinite(ref) and np.isfinite(mult) and np.isfinite(mid) and mid > 0):
        risk = worst(risk, QuoteRiskDecision(RiskState.HALTED, ("no usable market data / features",)))
        return QuotePlan({}, {}, all_levels, risk, dev, frozenset(all_levels))
    permission = side_permission(risk.state, dev)
    amounts_quote = level_amounts_quote(cfg)
    prices: dict[str, float] = {}
    for side, ok in (("buy", permission.buy), ("sell", permission.sell)):
        for i, price in enumerate(_side_prices(cfg, mid, ref, mult, dev, side)):
            if ok and np.isfinite(price) and price > 0:
                prices[f"{side}_{i}"] = price
    amounts = {lid: amounts_quote[lid] / p for lid, p in prices.items()}
    return QuotePlan(prices, amounts, all_levels, risk, dev, frozenset(set(all_levels) - set(prices)))


def level_timers(cfg: LevelTimerSettings) -> LevelTimers:
    return LevelTimers(
        refresh_time=float(cfg.executor_refresh_time),
        max_order_age=float(cfg.max_order_age),
        refresh_tolerance_pct=float(cfg.order_refresh_tolerance_pct),
        filled_order_delay=float(cfg.filled_order_delay),
    )


def level_actions(
    plan: QuotePlan, views: Sequence[LevelView], now: float, cfg: LevelTimerSettings
) -> tuple[list[str], list[str]]:
    """(level ids to create, executor ids to stop) — per level, pulled levels stopped."""
    timers = level_timers(cfg)
    wanted = [lid for lid in plan.all_levels if lid in plan.prices]
    creates = levels_to_create(wanted, views, now, timers)
    stops = levels_to_refresh(views, plan.prices, now, timers, plan.pulled)
    return creates, stops


def candles_needed(cfg: PMMParams, model_dir: str | None) -> int:
    """Candles the controller asks for: the volatility window, or the forecaster's window with a model."""
    needed = cfg.volatility_window + 60
    if model_dir:
        from hummingbot_plugin.mm.forecast import LIVE_WINDOW

        needed = max(needed, LIVE_WINDOW + 10)
    return needed


def load_forecast_fn(model_dir: str | None, trading_pair: str | None = None) -> ForecastFn | None:
    """The quantile forecaster for ``model_dir`` (None: quote on volatility only); ModelError when refused."""
    if not model_dir:
        return None
    from hummingbot_plugin.ai.model_loader import resolve_model_dir
    from hummingbot_plugin.mm.forecast import quantile_forecast_fn

    return quantile_forecast_fn(resolve_model_dir(model_dir), trading_pair=trading_pair)


def status_lines(data: dict[str, Any]) -> list[str]:
    """Short status for ``to_format_status``."""
    return [
        f"reference={data.get('reference_price', float('nan')):.6g} "
        f"spread_mult={data.get('spread_multiplier', float('nan')):.3g} "
        f"skew={data.get('forecast_skew', 0.0):+.5f} vol={data.get('volatility', float('nan')):.3g}",
        f"risk={data.get('risk_state', 'ACTIVE')} {'; '.join(data.get('risk_reasons', []))}",
    ]
