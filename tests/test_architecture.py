"""The import directions of docs/architecture.md: a forbidden edge fails here, naming the file and line.

Imports inside functions count too (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from hummingbot_plugin.settings import PROJECT_ROOT

PLUGIN = PROJECT_ROOT / "hummingbot_plugin"
# Where Hummingbot may be imported: the adapter, the Hummingbot side of the simulation, the entries.
HUMMINGBOT_ROOTS = (
    "hummingbot_plugin/hb/",
    *(f"hummingbot_plugin/simulation/{name}/" for name in ("exchange", "replay", "paper", "backtest")),
    "hummingbot_plugin/simulation/parity.py",
    "controllers/",
    "scripts/",
)
# Foundations: imported by everything, they import none of the layers above them.
FOUNDATION = (
    *("errors", "settings", "config_prompts", "data", "fees"),
    *("ledger", "audit", "progress", "prometheus"),
)
DECISION = (
    "ml",
    "ai",
    "mm",
    "baseline",
    "research",
    "levels",
    "regime",
    "risk",
    "mqtt",
    "report",
    "validate",
)
LAYERS = (*DECISION, "docs", "simulation", "hb", "cli")
# package -> packages it must never import (the arrows of the map point the other way). "simulation"
# stands for all of it; "simulation.<x>" for one of its packages.
FORBIDDEN: dict[str, frozenset[str]] = {
    **{name: frozenset(LAYERS) for name in FOUNDATION},
    **{name: frozenset({"simulation", "hb", "cli"}) for name in (*DECISION, "docs")},
    "ml": frozenset({"ai", "mm", "risk", "mqtt", "simulation", "hb", "cli", "validate"}),
    "ai": frozenset({"mm", "risk", "simulation", "hb", "cli", "validate"}),
    "mm": frozenset({"mqtt", "simulation", "hb", "cli", "validate"}),
    "baseline": frozenset({"ml", "ai", "mm", "risk", "mqtt", "simulation", "hb", "cli"}),
    "risk": frozenset({"ml", "ai", "mm", "baseline", "research", "simulation", "hb", "cli"}),
    "mqtt": frozenset({"ml", "ai", "mm", "simulation", "hb", "cli"}),
    "report": frozenset({"ml", "ai", "mm", "risk", "mqtt", "simulation", "hb", "cli"}),
    # the adapter runs inside Hummingbot and knows nothing of the simulation or the command line
    "hb": frozenset({"simulation", "cli"}),
    # the pure simulation: no Hummingbot side (checked below: no hummingbot import either)
    **{
        f"simulation.{name}": frozenset(
            {"hb", "cli", *(f"simulation.{s}" for s in ("exchange", "replay", "paper"))}
        )
        for name in ("engine", "mm")
    },
    **{f"simulation.{name}": frozenset({"cli"}) for name in ("exchange", "replay", "paper", "backtest")},
    "simulation": frozenset({"cli"}),
}


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)


def _package(path: Path) -> str:
    parts = path.relative_to(PLUGIN).parts
    if parts[0] == "simulation" and len(parts) > 2:
        return f"simulation.{parts[1]}"
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _target(module: str) -> str | None:
    """The package an import of ``module`` reaches (``simulation.<x>`` inside the simulation)."""
    parts = module.split(".")
    if parts[0] != "hummingbot_plugin" or len(parts) < 2:
        return None
    if parts[1] == "simulation" and len(parts) > 3:
        return f"simulation.{parts[2]}"
    return parts[1]


def _forbidden(package: str, target: str) -> bool:
    rules = FORBIDDEN.get(package, frozenset())
    return target in rules or target.split(".")[0] in rules


def _python_files(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (PROJECT_ROOT / root).rglob("*.py"))


def test_only_the_adapter_and_the_simulated_exchange_import_hummingbot() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in _python_files("hummingbot_plugin")
        if not str(path.relative_to(PROJECT_ROOT)).startswith(HUMMINGBOT_ROOTS)
        for line, module in _imports(path)
        if module.split(".")[0] == "hummingbot"
    ]
    assert found == [], "Hummingbot is imported outside the roots of HUMMINGBOT_ROOTS"


def test_no_forbidden_import_direction() -> None:
    found = []
    for path in _python_files("hummingbot_plugin"):
        package = _package(path)
        for line, module in _imports(path):
            target = _target(module)
            if target is None or target == package or target.split(".")[0] == package:
                continue
            if _forbidden(package, target):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line} ({package} -> {target})")
    assert found == [], "imports against docs/architecture.md"


@pytest.mark.parametrize(
    ("package", "target", "forbidden"),
    [
        ("hb", "simulation.paper", True),
        ("risk", "simulation.engine", True),
        ("simulation.engine", "simulation.exchange", True),
        ("simulation.mm", "hb", True),
        ("ledger", "ml", True),
        ("simulation.replay", "hb", False),
        ("simulation.mm", "mm", False),
        ("cli", "simulation.replay", False),
    ],
)
def test_the_rules_read_as_the_map_says(package: str, target: str, forbidden: bool) -> None:
    assert _forbidden(package, target) is forbidden


def test_controllers_and_scripts_are_never_imported_by_the_library() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in _python_files("hummingbot_plugin")
        for line, module in _imports(path)
        if module.split(".")[0] in {"controllers", "scripts"}
    ]
    assert found == []


def _packages() -> list[str]:
    """Every package and top-level module of the library, and the simulation's packages."""
    names = {_package(path) for path in _python_files("hummingbot_plugin")} - {"__init__", "__main__"}
    return sorted(names | set(FORBIDDEN))


@pytest.mark.parametrize("package", _packages())
def test_the_map_names_every_package(package: str) -> None:
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = package.replace("simulation.", "simulation/")
    assert f"`{shown}" in text, f"docs/architecture.md does not describe {package}"


@pytest.mark.parametrize("path", _python_files("controllers"), ids=lambda p: p.stem)
def test_a_controller_module_defines_one_config_and_one_controller(path: Path) -> None:
    import importlib
    import inspect

    from hummingbot.strategy_v2.controllers.controller_base import ControllerBase, ControllerConfigBase
    from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
        DirectionalTradingControllerConfigBase,
    )
    from hummingbot.strategy_v2.controllers.market_making_controller_base import (
        MarketMakingControllerConfigBase,
    )

    if path.parent == PROJECT_ROOT / "controllers":
        return  # shared modules (single_market.py): no controller of their own
    module = importlib.import_module(".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts))
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)]
    configs = [c for c in classes if issubclass(c, ControllerConfigBase) and c.__module__ == module.__name__]
    controllers = [c for c in classes if issubclass(c, ControllerBase) and c.__module__ == module.__name__]
    if path.stem == "__init__":
        assert configs == controllers == []
        return
    assert len(configs) == 1 and len(controllers) == 1, path
    # Hummingbot's own rule (StrategyV2Base.load_controller_configs): the first subclass in the module's
    # members, its three base configs excluded, is the controller's config.
    bases = {ControllerConfigBase, MarketMakingControllerConfigBase, DirectionalTradingControllerConfigBase}
    first = next(c for c in classes if c not in bases and issubclass(c, ControllerConfigBase))
    assert first is configs[0]
