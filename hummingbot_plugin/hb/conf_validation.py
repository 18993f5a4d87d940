"""Validate a ``conf/`` tree (or one file): every controller and script YAML, conflicts, MQTT settings."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hummingbot_plugin.hb.config_loader import (
    Loaded,
    check_controller_set,
    load_controller_file,
    load_script_file,
)
from hummingbot_plugin.validate import Problem
from hummingbot_plugin.validate.balances import balance_problems
from hummingbot_plugin.validate.refusals import ModelVerifier, controller_refusals

__all__ = [
    "ValidationReport",
    "check_client_mqtt",
    "controller_markets",
    "validate_path",
    "validate_script_controllers",
]


@dataclass
class ValidationReport:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def _is_script(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "script_file_name" in data


def validate_script_controllers(script: Loaded, controllers_dir: Path) -> tuple[list[Loaded], list[Problem]]:
    """Load the controllers a script lists and check them together."""
    names = list(
        getattr(script.config, "controllers_config", None) or script.raw.get("controllers_config") or []
    )
    loaded, problems = [], []
    for index, name in enumerate(names):
        path = controllers_dir / str(name)
        if not path.is_file():
            problems.append(
                Problem(
                    script.file,
                    f"controllers_config[{index}]",
                    f"{path} does not exist",
                    f"create it or remove {name!r} from the list",
                )
            )
            continue
        loaded.append(load_controller_file(path, str(path)))
    return loaded, problems + check_controller_set([item for item in loaded if not item.problems])


def controller_markets(configs: list[Any]) -> dict[str, set[str]]:
    """``{connector: {pairs}}`` the controllers trade, from their own ``update_markets`` (as the script)."""
    from hummingbot.core.data_type.common import MarketDict

    markets: Any = MarketDict()
    for config in configs:
        markets = config.update_markets(markets)
    return {str(name): {str(p) for p in pairs} for name, pairs in markets.items()}


def _refusals(items: list[Loaded], verifier: ModelVerifier) -> list[Problem]:
    """Controllers that would refuse every bar (model, thresholds, sizing), for loaded configs only."""
    return [
        problem
        for item in items
        if item.config is not None
        for problem in controller_refusals(item.file, item.config, verifier, offline=False).problems
    ]


def _paper_balances(script: Loaded, controllers: list[Loaded]) -> list[Problem]:
    """Paper-trading balances holding an asset no market trades, or no quote to buy with."""
    paper = getattr(script.config, "paper_trading", None)
    configs = [c.config for c in controllers if c.config is not None]
    if paper is None or not configs or len(configs) < len(controllers):
        return []
    markets = controller_markets(configs)
    return balance_problems(script.file, "paper_trading.balances", dict(paper.balances), markets)


def check_client_mqtt(path: Path) -> list[Problem]:
    """Hummingbot's own MQTT bridge settings in conf_client.yml."""
    try:
        data: Any = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [Problem(str(path), "", f"cannot read: {exc}", "fix the YAML syntax")]
    problems = []
    if not data.get("mqtt_username") or not data.get("mqtt_password"):
        problems.append(
            Problem(
                str(path),
                "mqtt_username",
                "MQTT bridge without username/password",
                "create a broker user and set mqtt_username / mqtt_password",
            )
        )
    host = str(data.get("mqtt_host", "localhost"))
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not data.get("mqtt_ssl", False):
        problems.append(
            Problem(
                str(path),
                "mqtt_ssl",
                f"plaintext MQTT to {host}",
                "set mqtt_ssl: true, or keep the broker on a private network",
                severity="warning",
            )
        )
    return problems


def _script_problems(script: Loaded, controllers_dir: Path, verifier: ModelVerifier) -> list[Problem]:
    """A script's own problems, then its controllers' (load, refusals, conflicts, paper balances)."""
    problems = list(script.problems)
    if script.config is None:
        return problems
    controllers, set_problems = validate_script_controllers(script, controllers_dir)
    for item in controllers:
        problems += item.problems
    problems += _refusals(controllers, verifier) + set_problems + _paper_balances(script, controllers)
    return problems


def _add(report: ValidationReport, problems: list[Problem]) -> None:
    report.problems += [p for p in problems if p not in report.problems]


def validate_path(path: Path, verifier: ModelVerifier | None = None) -> ValidationReport:
    """Validate ``path``: a conf dir (with controllers/ and scripts/), a folder of YAML, or one file."""
    report = ValidationReport()
    verifier = verifier or ModelVerifier()
    if path.is_file():
        report.files.append(str(path))
        if _is_script(path):
            controllers_dir = path.parent.parent / "controllers"
            _add(report, _script_problems(load_script_file(path), controllers_dir, verifier))
        else:
            loaded = load_controller_file(path)
            _add(report, loaded.problems + _refusals([loaded], verifier))
        return report
    controllers_dir = path / "controllers" if (path / "controllers").is_dir() else path
    scripts_dir = path / "scripts"
    controller_files = _yaml_files(controllers_dir) if controllers_dir.is_dir() else []
    loaded_controllers = [load_controller_file(f) for f in controller_files if not _is_script(f)]
    for item in loaded_controllers:
        report.files.append(item.file)
        _add(report, item.problems + _refusals([item], verifier))
    scripts = (
        _yaml_files(scripts_dir) if scripts_dir.is_dir() else [f for f in controller_files if _is_script(f)]
    )
    for script_file in scripts:
        report.files.append(str(script_file))
        _add(report, _script_problems(load_script_file(script_file), controllers_dir, verifier))
    if not scripts:
        _add(report, check_controller_set([c for c in loaded_controllers if not c.problems]))
    client = path / "conf_client.yml"
    if client.is_file():
        report.files.append(str(client))
        report.problems += check_client_mqtt(client)
    if not report.files:
        report.problems.append(Problem(str(path), "", "no YAML files found", "point to conf/ or a YAML file"))
    return report
