"""A ``BacktestingDataProvider`` that never touches the network.

Hummingbot's provider builds real connectors (``AllConnectorSettings`` + a ``LazyDict`` of
connector instances) to download trading rules and candles. This one serves both from local
sources instead:

* candles: one local candle frame (any connector/pair asks for the same market), at the file's
  interval or resampled exactly to a coarser one; a finer interval is a clear DataError. The
  history before ``start`` is served too, so indicators are warm when the simulation starts;
* trading rules: Hummingbot ``TradingRule`` objects built from a validated JSON;
* rate sources: recorded, never polled (the stock provider would start a RateOracle task);
* quarantine: bars that fail :func:`hummingbot_plugin.data.sanity.check_bars` (causal: judged on the
  bars before them only) are removed before anything is served, so they are never priced nor give a
  signal (the forecaster sees a missing bar and refuses the next ``GAP_GUARD_BARS`` bars). A coarser
  bar built from a quarantined one is removed too. ``quarantined`` lists their open times (inside the
  period served); more than ``max_quarantined`` of the file's bars refuses the backtest (DataError).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from hummingbot.connector.trading_rule import TradingRule
from hummingbot.core.data_type.common import GroupedSetDict
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.backtesting.backtesting_data_provider import BacktestingDataProvider
from hummingbot.strategy_v2.executors.data_types import ConnectorPair

from hummingbot_plugin.data import interval_seconds, resample_candles
from hummingbot_plugin.data.sanity import DEFAULT_LIMITS, BarFlag, SanityLimits, check_bars
from hummingbot_plugin.errors import DataError, SimulationError
from hummingbot_plugin.simulation.backtest.trading_rules import (
    PairRule,
    RulesFile,
    load_rules_file,
    pair_rules,
)

__all__ = ["OfflineDataProvider", "to_trading_rule"]

#: Bars of history served before ``start`` when a feed does not say how many it needs.
DEFAULT_WARMUP_BARS = 500
#: Largest share of a file's bars that may be quarantined before the backtest is refused.
MAX_QUARANTINED = 0.01


def to_trading_rule(trading_pair: str, rule: PairRule) -> TradingRule:
    """Hummingbot's ``TradingRule`` from our validated JSON entry."""
    extra: dict[str, Decimal] = {}
    if rule.min_quote_amount_increment is not None:
        extra["min_quote_amount_increment"] = rule.min_quote_amount_increment
    return TradingRule(
        trading_pair=trading_pair,
        min_order_size=rule.min_order_size,
        max_order_size=rule.max_order_size,
        min_price_increment=rule.min_price_increment,
        min_base_amount_increment=rule.min_base_amount_increment,
        min_notional_size=rule.min_notional_size,
        **extra,
    )


class OfflineDataProvider(BacktestingDataProvider):  # type: ignore[misc]
    """Serves local candles and trading rules to Hummingbot's backtesting engine."""

    def __init__(
        self,
        candles: pd.DataFrame,
        interval: str,
        *,
        source: str = "candles",
        rules: RulesFile | None = None,
        rules_path: Path | None = None,
        sanity: SanityLimits = DEFAULT_LIMITS,
        max_quarantined: float = MAX_QUARANTINED,
    ) -> None:
        # Deliberately not calling super().__init__: it instantiates AllConnectorSettings and a
        # LazyDict of real connectors. These are the attributes the engine and controllers use.
        self.candles_feeds: dict[str, pd.DataFrame] = {}
        self.connectors: dict[str, Any] = {}
        self.conn_settings: dict[str, Any] = {}
        self._rates_update_task = None
        self._rates_update_interval = 60
        self._rates: dict[str, Decimal] = {}
        self._rates_required = GroupedSetDict[str, ConnectorPair]()
        self._non_trading_connectors: dict[str, Any] = {}
        self._non_trading_connectors_started: dict[str, bool] = {}
        self.start_time: int | None = None
        self.end_time: int | None = None
        self.prices: dict[str, Decimal] = {}
        self._time: float | None = None
        self.trading_rules: dict[str, dict[str, TradingRule]] = {}
        self._base_interval = interval
        self._source = source
        self.quarantine: list[BarFlag] = check_bars(candles, interval_seconds(interval), sanity)
        self._refuse_if_too_many(len(candles), max_quarantined)
        self._base_candles = candles.drop(index=candles.index[[f.row for f in self.quarantine]])
        self._base_candles = self._base_candles.reset_index(drop=True)
        self._rules = rules or load_rules_file(rules_path)
        self._rules_path = rules_path
        self._resampled: dict[str, pd.DataFrame] = {interval: self._base_candles}
        self._served_from: float | None = None
        self.requested_feeds: list[CandlesConfig] = []

    # -- quarantine --------------------------------------------------------------------------
    def _refuse_if_too_many(self, bars: int, max_share: float) -> None:
        if bars and len(self.quarantine) > max_share * bars:
            first = self.quarantine[0]
            raise DataError(
                f"{self._source}: {len(self.quarantine)} of {bars} bars fail the candle sanity checks "
                f"(more than {max_share:.1%}); first at row {first.row}: {first.describe()}",
                fix=f"run `python -m hummingbot_plugin data check` on the file; {first.fix}",
            )

    @property
    def quarantined(self) -> list[float]:
        """Open times of the quarantined source bars inside the period served (warm-up included)."""
        low = self._served_from if self._served_from is not None else self.start_time
        high = self.end_time
        return [
            f.timestamp
            for f in self.quarantine
            if (low is None or f.timestamp >= low) and (high is None or f.timestamp <= high)
        ]

    def quarantine_report(self) -> dict[str, Any]:
        """JSON-ready: how many bars were quarantined in the period served, when, and why."""
        inside = set(self.quarantined)
        flags = [f for f in self.quarantine if f.timestamp in inside]
        return {
            "quarantined_bars": len(flags),
            "quarantined": [f.timestamp for f in flags],
            "reasons": [f.describe() for f in flags],
        }

    # -- things the stock provider would fetch from an exchange -------------------------------
    def get_connector(self, connector_name: str) -> Any:
        raise SimulationError(
            f"the offline backtest never instantiates connector {connector_name!r}",
            fix="everything a backtest needs must come from the candle file and the trading-rules JSON",
        )

    def initialize_rate_sources(self, connector_pairs: list[ConnectorPair]) -> None:
        """Record the pairs; prices come from the candles, so no rate task is started."""
        for pair in connector_pairs:
            self._rates_required.add_or_update(pair.connector_name, pair)

    async def initialize_trading_rules(self, connector_name: str) -> None:
        if self.trading_rules.get(connector_name):
            return
        rules = pair_rules(self._rules, connector_name, self._rules_path)
        self.trading_rules[connector_name] = {
            pair: to_trading_rule(pair, rule) for pair, rule in rules.items()
        }

    def get_trading_rules(self, connector_name: str, trading_pair: str) -> TradingRule:
        try:
            return self.trading_rules[connector_name][trading_pair]
        except KeyError:
            raise SimulationError(
                f"no trading rule for {connector_name} {trading_pair} in the offline rules",
                fix="add the pair to the trading-rules JSON (or pass --trading-rules)",
            ) from None

    # -- candles ---------------------------------------------------------------------------
    async def initialize_candles_feed(self, config: CandlesConfig) -> None:
        await self.get_candles_feed(config)

    async def get_candles_feed(self, config: CandlesConfig) -> pd.DataFrame:
        self.requested_feeds.append(config)
        key = self._generate_candle_feed_key(config)
        bars = max(
            [config.max_records]
            + [c.max_records for c in self.requested_feeds if self._generate_candle_feed_key(c) == key]
        )
        frame = self._window(config.interval, bars)
        self.candles_feeds[key] = frame
        return frame

    def get_candles_df(
        self, connector_name: str, trading_pair: str, interval: str, max_records: int = DEFAULT_WARMUP_BARS
    ) -> pd.DataFrame:
        """The feed's candles from ``max_records`` bars before ``start`` up to ``end`` (warm-up included)."""
        key = f"{connector_name}_{trading_pair}_{interval}"
        if key not in self.candles_feeds:
            self.candles_feeds[key] = self._window(interval, max_records)
        return self.candles_feeds[key]

    def candles_at(self, interval: str) -> pd.DataFrame:
        """The whole local series at ``interval`` (resampled exactly from the file when coarser)."""
        if interval not in self._resampled:
            if interval_seconds(interval) < interval_seconds(self._base_interval):
                raise DataError(
                    f"{interval} candles were requested but {self._source} holds {self._base_interval} bars",
                    fix=f"use a candle file of {interval} bars or finer, or a resolution/interval "
                    f">= {self._base_interval}",
                )
            coarse = resample_candles(self._base_candles, interval, source_interval=self._base_interval)
            step = float(interval_seconds(interval))
            tainted = {float(f.timestamp // step * step) for f in self.quarantine}
            keep = ~coarse["timestamp"].isin(tainted)
            self._resampled[interval] = coarse.loc[keep].reset_index(drop=True)
        return self._resampled[interval]

    def _window(self, interval: str, max_records: int) -> pd.DataFrame:
        frame = self.candles_at(interval)
        if self.start_time is None or self.end_time is None:
            raise SimulationError(
                "candles requested before the backtest period was set",
                fix="call update_backtesting_time(start, end) first",
            )
        history = max(int(max_records), 0) * interval_seconds(interval)
        first = float(self.start_time - history)
        self._served_from = first if self._served_from is None else min(self._served_from, first)
        stamps = frame["timestamp"]
        window = frame.loc[(stamps >= self.start_time - history) & (stamps <= self.end_time)]
        return window.reset_index(drop=True)
