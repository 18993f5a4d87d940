"""Feed health inside Hummingbot: probes, log lines, metrics, ``status`` and the creation veto.

Probes (one reading per risk tick, on the trading clock):
- a venue is fresh when every pair it trades has a book no older than ``max_book_age`` (the simulated
  exchange's ``book_timestamp``, the same reading as the risk gate's STALE_BOOK rule), or, for a real
  connector, when Hummingbot says it is ``ready``;
- the MQTT broker is watched when Hummingbot's bridge exists (``MQTTGateway.main()``), its autostart is
  on, or the script takes risk commands over MQTT; it is fresh when the bridge is connected.
The verdicts come from :class:`hummingbot_plugin.risk.feed_health.FeedHealth` (pure).

Upstream noise: Hummingbot repeats its own warnings every tick or every reconnect (``binance is not
ready. Please wait...``, ``Cannot connect to host ...``, ``MQTT bridge disconnected ...``). Those are
not patched: :class:`RepeatFilter` is added to every log handler (Hummingbot's config puts them on
``hummingbot.strategy``, ``hummingbot.connector``, ...) at start and removed on stop; it lets a
matching line through once per ``window`` seconds (record time) and says how many it held back.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, ExecutorAction

from hummingbot_plugin.prometheus import PluginMetrics
from hummingbot_plugin.risk.feed_health import FeedHealth, FeedSource, SourceKind

__all__ = ["UPSTREAM_REPEATS", "FeedMonitor", "RepeatFilter", "guard_lines", "venue_host"]

UPSTREAM_REPEATS = (
    r"is not ready\. Please wait",
    r"(Ask|Bid) orderbook for .* is empty",
    r"Cannot connect to host",
    r"MQTT bridge (disconnected|error)",
    r"Failed to connect MQTT Bridge",
    r"Unexpected error (occurred )?(when|while) (listening|fetching|retrieving|checking)",
    r"Error getting (server time|last traded price)|Could not refresh server time",
    r"There was an error requesting exchange info",
)


class RepeatFilter(logging.Filter):
    """Passes a record matching ``patterns`` once per ``window`` s per (logger, text without digits)."""

    def __init__(self, patterns: Iterable[str] = UPSTREAM_REPEATS, window: float = 60.0) -> None:
        super().__init__()
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
        self._window = window
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}
        self._last: tuple[logging.LogRecord | None, bool] = (None, True)
        self._handlers: list[logging.Handler] = []

    def filter(self, record: logging.LogRecord) -> bool:
        """One decision per record, whichever of the handlers asks first (the others get the same)."""
        if self._last[0] is record:
            return self._last[1]
        decision = self._decide(record)
        self._last = (record, decision)
        return decision

    def _decide(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("hummingbot") or record.levelno < logging.WARNING:
            return True
        text = record.getMessage()
        if not self._pattern.search(text):
            return True
        key = (record.name, re.sub(r"\d+(\.\d+)?", "#", text))
        last, held = self._seen.get(key, (float("-inf"), 0))
        if record.created - last < self._window:
            self._seen[key] = (last, held + 1)
            return False
        self._seen[key] = (record.created, 0)
        if held:
            record.msg, record.args = f"{text} ({held} similar lines held back in {self._window:.0f}s)", ()
        return True

    def install(self) -> None:
        """Add to every current handler; call again after a logging re-configuration (idempotent)."""
        for handler in _handlers():
            if self not in handler.filters:
                handler.addFilter(self)
                self._handlers.append(handler)

    def remove(self) -> None:
        for handler in self._handlers:
            handler.removeFilter(self)
        self._handlers = []


def _handlers() -> list[logging.Handler]:
    """Every handler of the root logger and of every configured logger (Hummingbot's log config puts its
    console and file handlers on ``hummingbot.strategy``, ``hummingbot.connector``, ... with
    ``propagate: false``), each once."""
    loggers = [
        logging.getLogger(),
        *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger)),
    ]
    unique: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in logger.handlers:
            unique.setdefault(id(handler), handler)
    return list(unique.values())


def venue_host(name: str) -> str:
    """The public API host of Hummingbot's connector ``name`` (from its constants), else a plain label."""
    base = name.removesuffix("_paper_trade").removesuffix("_sim")
    try:
        constants = importlib.import_module(f"hummingbot.connector.exchange.{base}.{base}_constants")
    except ImportError:
        return f"{base} public API"
    domain = getattr(constants, "DEFAULT_DOMAIN", "")
    for key, value in vars(constants).items():
        if "URL" not in key and key != "DEFAULT_DOMAIN":
            continue
        url = value.get(domain, "") if isinstance(value, dict) else value
        if isinstance(url, str) and "://" in url:
            host = urlparse(url.replace("{}", str(domain))).hostname
            if host:
                return host
    return f"{base} public API"


class FeedMonitor:
    """Watches the script's venues and the broker; logs, counts, vetoes creations on a DOWN venue."""

    def __init__(
        self,
        connectors: Mapping[str, Any],
        markets: Mapping[str, Iterable[str]],
        *,
        max_book_age: float,
        watch_broker: bool,
        metrics: PluginMetrics | None,
        logger: logging.Logger,
    ) -> None:
        self.health = FeedHealth(grace_seconds=min(15.0, max_book_age), blocks_on_broker=watch_broker)
        self._connectors = connectors
        self._markets = {name: sorted(pairs) for name, pairs in markets.items()}
        self._max_age = max_book_age
        self._watch_broker = watch_broker
        self._metrics = metrics
        self._log = logger
        self._sources = {n: FeedSource(n, SourceKind.VENUE, _host_of(c)) for n, c in connectors.items()}
        self.repeat_filter = RepeatFilter()
        self.repeat_filter.install()
        self._next_install = 0.0

    def tick(self, now: float) -> None:
        """One reading per source; logs what :class:`FeedHealth` decides, updates the metrics."""
        if now >= self._next_install:  # headless Hummingbot re-configures logging after the script starts
            self._next_install = now + 10.0
            self.repeat_filter.install()
        for name, connector in self._connectors.items():
            fresh, detail = venue_fresh(connector, self._markets.get(name, ()), now, self._max_age)
            self._say(self.health.observe(self._sources[name], fresh, now, detail))
        broker = broker_reading(self._watch_broker)
        if broker is not None:
            source, fresh = broker
            self._say(self.health.observe(source, fresh, now, "" if fresh else "bridge not connected"))
        if self._metrics is not None:
            for status in self.health.statuses(now):
                self._metrics.observe_feed(
                    status.source.name,
                    str(status.source.kind),
                    status.state == "UP",
                    status.down_seconds,
                    status.outages,
                )

    def _say(self, notice: Any) -> None:
        if notice is not None:
            (self._log.warning if notice.is_warning else self._log.info)(notice.message)

    def wrap(self, execute: Callable[[ExecutorAction], Any]) -> Callable[[ExecutorAction], Any]:
        """Drop executor creations that name a DOWN venue (stops and other actions pass)."""

        def guarded(action: ExecutorAction) -> Any:
            if isinstance(action, CreateExecutorAction):
                down = [v for v in action_venues(action) if self.health.blocks_new_positions(v)]
                if down:
                    if self._metrics is not None:
                        self._metrics.denials.labels(action.controller_id or "", "FEED_DOWN").inc()
                    return None
            return execute(action)

        return guarded

    def status_lines(self, now: float) -> list[str]:
        lines = self.health.status_lines(now)
        return ["Feeds:", *lines] if lines else []

    def close(self) -> None:
        self.repeat_filter.remove()


def guard_lines(guards: Iterable[Any]) -> list[str]:
    """``status``: one line per risk guard (scope, state, and for a non-ACTIVE guard why and since when)."""
    lines = ["Risk guards:"]
    for guard in guards:
        st = guard.status
        text = f"  {st.scope}: {st.state.value}"
        if st.state.value != "ACTIVE":
            since = datetime.fromtimestamp(st.since, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            code = st.reason_code.value if st.reason_code is not None else "-"
            text += f" ({code} since {since}: {st.reason_text})"
        lines.append(text)
    return lines


def _host_of(connector: Any) -> str:
    if getattr(connector, "is_simulated", False) and not getattr(connector, "live_fed", True):
        return "replayed data"
    return venue_host(str(getattr(connector, "name", "")))


def venue_fresh(connector: Any, pairs: Iterable[str], now: float, max_age: float) -> tuple[bool, str]:
    """(fresh, what is stale) for one venue; see the module docstring."""
    if not hasattr(connector, "book_timestamp"):
        return bool(getattr(connector, "ready", False)), "connector not ready"
    stale = []
    for pair in pairs:
        ts = connector.book_timestamp(pair)
        if ts is None or now - float(ts) > max_age:
            stale.append(f"{pair}: {'no book yet' if ts is None else f'book {now - float(ts):.0f}s old'}")
    return not stale, ", ".join(stale)


def broker_reading(watch: bool) -> tuple[FeedSource, bool] | None:
    """(broker source, connected) when the broker is watched (see the module docstring), else None."""
    from hummingbot.client.hummingbot_application import HummingbotApplication
    from hummingbot.remote_iface.mqtt import MQTTGateway

    gateway = MQTTGateway.main()
    bridge = getattr(getattr(HummingbotApplication._main_app, "client_config_map", None), "mqtt_bridge", None)
    autostart = bool(getattr(bridge, "mqtt_autostart", False))
    if gateway is None and not autostart and not watch:
        return None
    host = f"{getattr(bridge, 'mqtt_host', '?')}:{getattr(bridge, 'mqtt_port', '?')}"
    if gateway is not None:
        host = f"{getattr(gateway, '_host', None) or host.split(':')[0]}:{getattr(gateway, '_port', '?')}"
    return FeedSource("mqtt", SourceKind.BROKER, host), bool(gateway is not None and gateway.health)


def action_venues(action: CreateExecutorAction) -> set[str]:
    """Every ``connector_name`` in the executor config (XEMM names two venues)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "connector_name" and isinstance(item, str):
                    found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(action.executor_config.model_dump())
    return found
