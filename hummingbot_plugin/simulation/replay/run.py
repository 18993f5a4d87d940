"""Replay runner: a V2 script, its controllers and Hummingbot's real executors against replayed data.

Runtime: ``Clock`` in BACKTEST mode ticking the simulated exchanges and the strategy, a real
MarketsRecorder (SQLite), the script's own ExecutorOrchestrator and executors, all on a
:class:`VirtualTimeLoop` so every ``asyncio.sleep`` elapses in simulated time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from hummingbot.core.clock import Clock
from hummingbot.core.clock_mode import ClockMode
from hummingbot.core.data_type.common import PriceType

from hummingbot_plugin.data.coverage import Coverage, coverage, iso
from hummingbot_plugin.data.loader import to_epoch_bound
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.simulation.engine.candle_store import CandleStore, bars_from_trades
from hummingbot_plugin.simulation.engine.config import build_venue_config
from hummingbot_plugin.simulation.engine.events import (
    EventKind,
    ReplayEvent,
    feed_events,
    merge_events,
    tick_events,
)
from hummingbot_plugin.simulation.engine.feeds import FeedKind, MarketFeed, load_feed, venue_from_filename
from hummingbot_plugin.simulation.engine.report import EquityPoint, status_line
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.market_data import provider_factory
from hummingbot_plugin.simulation.exchange.runtime import (
    ScriptBundle,
    headless_application,
    load_script,
    markets_recorder,
    patched_data_provider,
    rate_oracle_connectors,
    use_project_paths,
)
from hummingbot_plugin.simulation.exchange.scratch import exit_on_sigterm, scratch_dir
from hummingbot_plugin.simulation.exchange.virtual_loop import VirtualTimeLoop, current_loop, restore_loop
from hummingbot_plugin.simulation.replay.output import build_payload, replay_ledger
from hummingbot_plugin.simulation.replay.request import (
    ReplayRequest,
    ReplayResult,
    data_span,
    interval_name,
    keep_audit,
    read_sim_file,
    risk_transitions,
    wire_audit,
    with_state_dir,
)

__all__ = ["ReplayRequest", "ReplayResult", "run_replay"]


def run_replay(request: ReplayRequest) -> ReplayResult:
    """Run one replay to completion on a fresh virtual-time event loop."""
    use_project_paths()
    bundle = load_script(request.script_config)
    feeds = [load_feed(p, start=request.start, end=request.end) for p in request.data]
    if not feeds:
        raise DataError("no data files given", fix="pass --data <files...>")
    loop = VirtualTimeLoop(0.0)
    previous = current_loop()
    asyncio.set_event_loop(loop)  # connectors bind to the current loop when they are built
    try:
        with exit_on_sigterm(), _risk_state_dir(request.state_dir) as state_dir:
            replay = _Replay(request, *with_state_dir(bundle, state_dir), feeds)
            loop.advance_to(replay.start_ts)
            return loop.run_until_complete(replay.run())
    finally:  # an exception, Ctrl-C or SIGTERM mid-run: the task unwinds here, its temp folders go
        _cancel_pending(loop)
        loop.close()
        restore_loop(previous)


@contextmanager
def _risk_state_dir(chosen: Path | None) -> Iterator[Path]:
    """The folder of the risk guards built during the replay: ``chosen`` or a fresh temporary one (in
    memory when /dev/shm exists: the guards fsync their state every tick, pointless for a throw-away run)."""
    with scratch_dir("state") as fresh:
        yield chosen if chosen is not None else Path(fresh)


class _Replay:
    def __init__(
        self, request: ReplayRequest, bundle: ScriptBundle, state_dir: Path, feeds: list[MarketFeed]
    ) -> None:
        self.request, self.bundle, self.state_dir = request, bundle, state_dir
        self.assigned = [(self._connector_for(f), f) for f in feeds]
        self.candles = CandleStore()
        self.exchanges = self._build_exchanges()
        market = [(c, f) for c, f in self.assigned if f.trading_pair in bundle.markets.get(c, set())]
        book_pairs = {(c, f.trading_pair) for c, f in market if f.kind is not FeedKind.CANDLES}
        self.streams = [
            feed_events(
                f,
                c,
                path_mode=self.exchanges[c].sim_config.candle_path,
                points_per_bar=request.points_per_bar,
            )
            for c, f in market
            if f.kind is not FeedKind.CANDLES or (c, f.trading_pair) not in book_pairs
        ]
        self._check_coverage(market)
        candle_feeds = [f for _, f in market if f.kind is FeedKind.CANDLES and f.bar_seconds]
        # Book mode: the clock, controllers and executors tick every second (like live). Candle mode: all
        # of them tick once per intrabar path point. The clock must tick whenever a controller or an
        # executor can act: executors stamp ``close_timestamp`` with the strategy's clock time, so a
        # coarser clock would date a close before the open of an executor created between two ticks.
        bar = min(f.bar_seconds for f in candle_feeds) if candle_feeds and not book_pairs else 0
        self.bar_seconds = float(bar)
        self.control_interval = bar / max(1, request.points_per_bar) if bar else 1.0
        self.tick = float(request.tick_s or self.control_interval)
        self.start_ts, self.end_ts = self._span([f for _, f in market])
        self.primary_market = sorted((c, p) for c, pairs in bundle.markets.items() for p in pairs)[0]
        self.capital = float(sum(c.total_amount_quote for c in bundle.config.load_controller_configs()))
        self.equity: list[EquityPoint] = []
        self.n_events = 0

    # ----- setup -------------------------------------------------------------------------------
    def _connector_for(self, feed: MarketFeed) -> str:
        venue, names = venue_from_filename(feed.path), sorted(self.bundle.markets)
        if venue in names:
            return venue
        if len(names) == 1:
            return names[0]
        matches = [n for n in names if n.startswith(venue)]
        if len(matches) == 1:
            return matches[0]
        raise DataError(
            f"{feed.path.name}: venue {venue!r} matches none of the script's connectors {names}",
            fix="name data files <connector>_<BASE-QUOTE>_... after the connector they replay",
        )

    def _build_exchanges(self) -> dict[str, SimulatedExchange]:
        sections = read_sim_file(self.request.sim_config)
        exchanges = {}
        for name, pairs in sorted(self.bundle.markets.items()):
            overrides = dict(sections.get("default") or {}) | dict(
                sections.get("connectors", {}).get(name) or {}
            )
            cfg = build_venue_config(name, sorted(pairs), overrides, self.request.balances)
            exchanges[name] = SimulatedExchange(cfg)
        for connector, feed in self.assigned:
            if feed.kind is FeedKind.CANDLES and feed.history is not None:
                self.candles.add(connector, feed.trading_pair, feed.history, interval_name(feed.bar_seconds))
        for connector, feed in self.assigned:
            if feed.kind is FeedKind.TRADES and not self.candles.has(connector, feed.trading_pair):
                self.candles.add(connector, feed.trading_pair, bars_from_trades(feed.trades, 60), "1m")
        return exchanges

    def _check_coverage(self, market: list[tuple[str, MarketFeed]]) -> None:
        covered = {(c, f.trading_pair) for c, f in market}
        for name, pairs in self.bundle.markets.items():
            for pair in pairs:
                if (name, pair) not in covered:
                    raise DataError(
                        f"no market data for {name} {pair}",
                        fix=f"add a trades+L2 or candle file for {pair} to --data",
                    )

    def _span(self, feeds: list[MarketFeed]) -> tuple[float, float]:
        """The replayed period: the request cut to what every file covers (DataError when nothing is
        left; a note on ``request.notes`` when the request was cut). Times print as ISO, UTC."""
        lo = to_epoch_bound(self.request.start, is_end=False)
        hi = to_epoch_bound(self.request.end, is_end=True)
        spans = [data_span(f, lo, hi) for f in feeds]
        cover = coverage(spans, lo, hi)
        # the clock runs on the loaded data: from the first bar (event) at or after --start, ...
        start = max(cover.used_start, *(f.first_timestamp for f in feeds))
        end = min(cover.used_end, *(f.last_timestamp for f in feeds))
        if end <= start:
            raise DataError(
                f"the data files share no common period in {iso(lo)} → {iso(hi)} "
                f"({'; '.join(span.text() for span in spans)})",
                fix="pass files covering the same dates, or adjust --start/--end",
            )
        self.coverage: Coverage = replace(cover, used_start=start, used_end=end)
        if self.coverage.clipped and self.request.notes is not None:
            self.request.notes.write(self.coverage.note() + "\n")
        return start, end

    # ----- run ---------------------------------------------------------------------------------
    async def run(self) -> ReplayResult:
        wall0 = time.perf_counter()
        with ExitStack() as cleanup:  # LIFO, each step runs even if an earlier one raised
            db_dir = cleanup.enter_context(scratch_dir("db"))
            audit_tmp = cleanup.enter_context(scratch_dir("audit"))
            db_path = self.request.db_path or Path(db_dir) / "replay.sqlite"
            recorder = markets_recorder(db_path, list(self.exchanges.values()), self.bundle.config_path.stem)
            cleanup.callback(_stop_recorder, recorder)
            with headless_application(), rate_oracle_connectors(list(self.exchanges.values())):
                with patched_data_provider(provider_factory(self.candles, self._now)):
                    strategy = self.bundle.strategy_class(dict(self.exchanges), self.bundle.config)
                self.audit_dir, own_log = wire_audit(strategy, Path(audit_tmp), self.state_dir)
                if own_log is not None:
                    cleanup.callback(own_log.close)
                strategy.executor_orchestrator.executors_update_interval = self.control_interval
                # Live, V2 scripts re-read every controller YAML each 10 s to pick up edits; replayed
                # files cannot change mid-run, so the configs loaded at start are kept.
                strategy.config_update_interval = float("inf")
                _keep_script_config(strategy)
                if self.request.closed_executors_buffer is not None:
                    strategy.closed_executors_buffer = self.request.closed_executors_buffer
                for controller in strategy.controllers.values():
                    controller.update_interval = self.control_interval
                clock = Clock(
                    ClockMode.BACKTEST, tick_size=self.tick, start_time=self.start_ts, end_time=self.end_ts
                )
                for exchange in self.exchanges.values():
                    clock.add_iterator(exchange)
                clock.add_iterator(strategy)
                await self._drive(clock, wall0)
                if self.request.close_at_end:
                    # executors may be mid-sleep for one update interval before they see the stop
                    await self._stop_strategy(strategy, grace_s=300.0 + 2 * self.control_interval)
                self._sample_equity(force=True)
                live = [
                    e.executor_info
                    for group in strategy.executor_orchestrator.active_executors.values()
                    for e in group
                ]  # still in memory (all of them with --keep-open)
            stored = {info.id: info for info in recorder.get_all_executors()}
            executors = list({**stored, **{info.id: info for info in live}}.values())
            ledger = replay_ledger(self, executors)
            payload = build_payload(self, executors, ledger, time.perf_counter() - wall0)
            payload["period"] = {**self.coverage.as_json(), **(payload.get("period") or {})}
            payload["audit"] = keep_audit(self.audit_dir, self.request.audit_path)
            payload["risk"] = {"transitions": risk_transitions(self.audit_dir)}
        wall = time.perf_counter() - wall0
        return ReplayResult(payload, self.exchanges, self.equity, self.n_events, wall, ledger)

    async def _drive(self, clock: Clock, wall0: float) -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop), "replays run on a VirtualTimeLoop"
        last_status = 0.0
        events = merge_events([*self.streams, tick_events(self.start_ts, self.end_ts, self.tick)])
        for event in events:
            if event.timestamp < self.start_ts:
                continue
            if event.timestamp > self.end_ts:
                break
            if event.timestamp > loop.time():  # data of t first: whatever wakes at t then sees it
                await loop.data_due(event.timestamp)
            self._apply(event, clock)
            self.n_events += 1
            due = time.perf_counter() - last_status > self._status_every
            if self.request.status_stream is not None and due:
                last_status = time.perf_counter()
                self._print_status(event.timestamp, wall0)
        if self.request.status_stream is not None:
            self._print_status(self.end_ts, wall0)
            if self._status_tty:
                self.request.status_stream.write("\n")

    @staticmethod
    async def _stop_strategy(strategy: Any, grace_s: float) -> None:
        """Stop like an operator would: controllers first (no new executors), every executor closes
        its position with its own logic while simulated time runs on (market data frozen at the last
        event), then Hummingbot's own ``on_stop`` stores executors and positions."""
        for controller in strategy.controllers.values():
            controller.stop()
        orchestrator = strategy.executor_orchestrator
        running = [e for group in orchestrator.active_executors.values() for e in group if not e.is_closed]
        for executor in running:
            executor.update_interval = min(executor.update_interval, 1.0)
            executor.early_stop()
        waited = 0.0
        while any(not e.is_closed for e in running) and waited < grace_s:
            await asyncio.sleep(1.0)
            waited += 1.0
        await strategy.on_stop()

    def _apply(self, event: ReplayEvent, clock: Clock) -> None:
        if event.kind is EventKind.TICK:
            clock.backtest_til(event.timestamp)
            if not self.bar_seconds or event.timestamp % self.bar_seconds == 0:
                self._sample_equity()  # candle mode: the equity curve stays on bar boundaries
            return
        exchange = self.exchanges[event.connector]
        if event.kind is EventKind.BOOK and event.book is not None:
            exchange.apply_book(event.trading_pair, event.book)
        elif event.kind is EventKind.TRADE and event.trade is not None:
            exchange.apply_trade(event.trading_pair, event.trade)
        elif event.kind is EventKind.PRICE and event.price is not None:
            exchange.apply_price(event.trading_pair, event.price, event.timestamp, hold_s=event.hold_s)

    def _now(self) -> float:
        return asyncio.get_event_loop().time()

    # ----- accounting --------------------------------------------------------------------------
    def equity_quote(self) -> float:
        total = 0.0
        for exchange in self.exchanges.values():
            quotes = {p.split("-")[1] for p in exchange.trading_pairs}
            for quote in quotes:
                total += float(exchange.ledger.total(quote))
            for pair in exchange.trading_pairs:
                if exchange.ready:
                    mid = exchange.get_price_by_type(pair, PriceType.MidPrice)
                    total += float(exchange.ledger.total(pair.split("-")[0])) * float(mid)
        return total

    def _sample_equity(self, force: bool = False) -> None:
        now = self._now()
        due = force or not self.equity or now - self.equity[-1].timestamp >= self.request.equity_every_s
        if due and all(e.ready for e in self.exchanges.values()):
            self.equity.append(EquityPoint(now, self.equity_quote()))

    def _print_status(self, now: float, wall0: float) -> None:
        assert self.request.status_stream is not None
        wall = max(time.perf_counter() - wall0, 1e-9)
        fills = sum(len(e.ledger.entries) for e in self.exchanges.values())
        orders = sum(e._order_seq for e in self.exchanges.values())
        quote = next(iter(self.exchanges.values())).trading_pairs[0].split("-")[1]
        equity = self.equity[-1].equity_quote if self.equity else 0.0
        line = status_line(
            now,
            self.start_ts,
            self.end_ts,
            orders=orders,
            fills=fills,
            equity_quote=equity,
            quote=quote,
            speed=(now - self.start_ts) / wall,
        )
        stream = self.request.status_stream
        stream.write(("\r" + line) if self._status_tty else (line + "\n"))  # a log file gets whole lines
        stream.flush()

    @property
    def _status_tty(self) -> bool:
        stream = self.request.status_stream
        return bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    @property
    def _status_every(self) -> float:
        """Seconds between status lines: twice a second on a terminal, every 30 s into a file or pipe."""
        return 0.5 if self._status_tty else 30.0


def _stop_recorder(recorder: Any) -> None:
    recorder.stop()
    type(recorder)._shared_instance = None


def _keep_script_config(strategy: Any) -> None:
    """The guarded script re-reads its own YAML every few seconds; a replay keeps the one loaded at start."""
    if "reload_interval_seconds" in type(strategy.config).model_fields:
        strategy.config = strategy.config.model_copy(update={"reload_interval_seconds": float("inf")})


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
