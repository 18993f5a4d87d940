"""Inputs and outputs of a replay, the checks that refuse a replay that cannot trade, and file helpers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from hummingbot_plugin.audit import AuditLog
from hummingbot_plugin.audit.chain import audit_files
from hummingbot_plugin.data.coverage import DataSpan, iso
from hummingbot_plugin.data.loader import TimeBound, to_epoch_bound
from hummingbot_plugin.errors import ConfigError, DataError, SimulationError
from hummingbot_plugin.hb.risk_gate import RiskGate, RiskGatedController
from hummingbot_plugin.ledger import LedgerBook
from hummingbot_plugin.simulation.engine.feeds import MarketFeed
from hummingbot_plugin.simulation.engine.report import EquityPoint
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.validate import Problem
from hummingbot_plugin.validate.balances import missing_quotes, unknown_assets
from hummingbot_plugin.validate.refusals import ModelVerifier, controller_refusals, refuse, validity_problems

if TYPE_CHECKING:
    from hummingbot_plugin.simulation.exchange.runtime import ScriptBundle

__all__ = [
    "ReplayRequest",
    "ReplayResult",
    "data_span",
    "interval_name",
    "keep_audit",
    "preflight",
    "read_sim_file",
    "wire_audit",
]


@dataclass(frozen=True)
class ReplayRequest:
    """Everything one replay needs; built by the CLI or by tests."""

    script_config: Path
    data: tuple[Path, ...]
    start: TimeBound = None
    end: TimeBound = None
    balances: dict[str, Decimal] = field(default_factory=dict)
    sim_config: Path | None = None
    points_per_bar: int = 4
    closed_executors_buffer: int | None = None  # None: Hummingbot's StrategyV2Base default (100)
    tick_s: float | None = None
    close_at_end: bool = True
    status_stream: TextIO | None = None
    db_path: Path | None = None
    equity_every_s: float = 60.0
    # risk-guard state (high-water marks, HALTED locks): None = a fresh folder per replay, so a simulation
    # never reads or writes the live bot's state, nor a previous replay's
    state_dir: Path | None = None
    # where the run's audit trail is kept (one JSONL chain); None = not kept (the CLI always sets it)
    audit_path: Path | None = None
    # notes for the user (e.g. the part of a clipped period that was used); None = not printed
    notes: TextIO | None = None


@dataclass
class ReplayResult:
    payload: dict[str, Any]
    exchanges: dict[str, SimulatedExchange]
    equity: list[EquityPoint]
    events: int
    wall_seconds: float
    ledger: LedgerBook | None = None  # the run on the one ledger (every figure of the payload comes from it)


def read_sim_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read sim config {path}: {exc}", fix="pass a readable YAML file") from exc
    unknown = set(data) - {"default", "connectors"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level keys {sorted(unknown)}", fix="use 'default' and 'connectors'"
        )
    return dict(data)


def interval_name(seconds: int) -> str:
    names = {60: "1m", 300: "5m", 900: "15m", 3600: "1h", 14400: "4h", 86400: "1d"}
    if seconds not in names:
        raise SimulationError(
            f"unsupported candle interval of {seconds}s", fix="use 1m/5m/15m/1h/4h/1d candles"
        )
    return names[seconds]


def preflight(request: ReplayRequest) -> list[str]:
    """Refuse (ConfigError) a replay whose controllers would refuse every bar or whose venues start
    without the quote asset they buy with; returns notes for stderr."""
    from hummingbot_plugin.hb.conf_validation import controller_markets
    from hummingbot_plugin.simulation.exchange.runtime import load_script, use_project_paths

    use_project_paths()
    bundle = load_script(request.script_config)
    configs = bundle.config.load_controller_configs()
    names = [str(Path("conf/controllers") / n) for n in bundle.config.controllers_config]
    verifier = ModelVerifier()
    start = to_epoch_bound(request.start, is_end=False)
    end = to_epoch_bound(request.end, is_end=True)
    checks = [
        controller_refusals(name, config, verifier, offline=True, at=end)
        for name, config in zip(names, configs, strict=True)
    ]
    problems = [p for check in checks for p in check.problems]
    notes: list[str] = []
    if end is not None:
        cutoffs = [c for check in checks for c in check.cutoffs]
        late, notes = validity_problems(cutoffs, start if start is not None else end, end)
        problems += late
    problems += _balance_problems(request, controller_markets(configs))
    refuse(problems, f"replay of {request.script_config}")
    return notes


def _balance_problems(request: ReplayRequest, markets: dict[str, set[str]]) -> list[Problem]:
    """Unknown --balance assets; per venue, a quote asset with no balance (file + command line)."""
    sections = read_sim_file(request.sim_config)
    problems = unknown_assets("--balance", "", request.balances, markets)
    for name, pairs in sorted(markets.items()):
        venue = dict(sections.get("default") or {}) | dict(sections.get("connectors", {}).get(name) or {})
        balances = {str(k): Decimal(str(v)) for k, v in dict(venue.get("balances") or {}).items()}
        balances |= request.balances
        found = missing_quotes("--balance", "", balances, {name: pairs}, example="--balance {asset}=1000")
        problems += [p for p in found if p not in problems]
    return problems


def with_state_dir(bundle: ScriptBundle, state_dir: Path) -> tuple[ScriptBundle, Path]:
    """The script config pointed at the replay's risk state folder unless its YAML names one, so a
    replay never reads or writes a live bot's state from the environment; (bundle, the folder used)."""
    config = bundle.config
    if "state_dir" not in type(config).model_fields:
        return bundle, state_dir
    named = getattr(config, "state_dir", None)
    if named:
        return bundle, Path(named)
    update: dict[str, str] = {"state_dir": str(state_dir)}
    if "audit_dir" in type(config).model_fields and not getattr(config, "audit_dir", None):
        update["audit_dir"] = str(state_dir / "audit")
    return replace(bundle, config=config.model_copy(update=update)), state_dir


def wire_audit(strategy: Any, fresh_dir: Path, state_dir: Path) -> tuple[Path, AuditLog | None]:
    """Where the run's signals and risk decisions go: the script's own audit log (guarded script), else
    a fresh log in ``fresh_dir`` given to every controller's risk gate (state in ``state_dir``). Returns
    (audit folder, a log the caller must close or None)."""
    existing = getattr(strategy, "audit", None)
    if isinstance(existing, AuditLog):
        return existing.directory, None
    log = AuditLog(fresh_dir, fsync=False)  # a throw-away folder: kept by copying it after the run
    for controller in strategy.controllers.values():
        if isinstance(controller, RiskGatedController):
            controller.risk_gate = RiskGate.for_controller(controller, state_dir, log)
    return log.directory, log


def keep_audit(source: Path, target: Path | None) -> dict[str, Any] | None:
    """Copy the audit chain (its files in order) into one JSONL at ``target`` (``audit verify`` reads
    it); the JSON's ``audit`` section. None when no target is set."""
    if target is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    records = 0
    with open(target, "wb") as out:
        for part in audit_files(source):
            data = part.read_bytes()
            out.write(data)
            records += sum(1 for line in data.splitlines() if line.strip())
    return {"path": str(target), "records": records, "source": str(source)}


def risk_transitions(source: Path) -> list[dict[str, Any]]:
    """Every risk state change the run's audit trail recorded, with the figures the gate acted on."""
    from hummingbot_plugin.audit.records import RiskTransitionRecord
    from hummingbot_plugin.audit.verify import iter_records

    return [
        {**r.model_dump(mode="json"), "time": iso(r.ts)}
        for r in iter_records(source)
        if isinstance(r, RiskTransitionRecord)
    ]


def data_span(feed: MarketFeed, lo: float | None, hi: float | None) -> DataSpan:
    """What a file covers: a candle file's whole history (first bar open → last bar close), else the
    loaded part; its step (the bar, or a minute for trades and books) tolerates a partial bar.
    DataError when nothing of the file was loaded in ``lo → hi`` (the requested period)."""
    if not (feed.books or feed.trades or feed.bars):
        raise DataError(
            f"{feed.path.name} holds no data in the requested period {iso(lo)} → {iso(hi)}",
            fix="choose --start/--end inside the file, or pass data for that period",
        )
    if feed.history is not None and len(feed.history):
        stamps = feed.history["timestamp"]
        first, last = float(stamps.iloc[0]), float(stamps.iloc[-1]) + feed.bar_seconds
    else:
        first, last = feed.first_timestamp, feed.last_timestamp
    return DataSpan(feed.path.name, first, last, float(feed.bar_seconds or 60))
