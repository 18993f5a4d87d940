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
ADAPTER_ROOTS = ("hummingbot_plugin/hb/", "controllers/", "scripts/")
# Foundations: imported by everything, they import none of the layers above them.
FOUNDATION = (
    *("errors", "settings", "config_prompts", "data", "fees"),
    *("ledger", "audit", "progress", "metrics"),
)
LAYERS = ("ml", "ai", "mm", "baseline", "research", "risk", "mqtt", "sim", "backtest", "report", "validate")
# package -> packages it must never import (the arrows of the map point the other way).
FORBIDDEN: dict[str, frozenset[str]] = {
    **{name: frozenset(LAYERS) | {"hb", "cli"} for name in FOUNDATION},
    "ml": frozenset({"ai", "mm", "risk", "mqtt", "sim", "backtest", "hb", "cli", "validate"}),
    "ai": frozenset({"mm", "risk", "sim", "backtest", "hb", "cli", "validate"}),
    "mm": frozenset({"mqtt", "backtest", "hb", "cli", "validate"}),
    "baseline": frozenset({"ml", "ai", "mm", "risk", "mqtt", "sim", "hb", "cli"}),
    "risk": frozenset({"ml", "ai", "mm", "baseline", "research", "backtest", "hb", "cli"}),
    "sim": frozenset({"ml", "ai", "mm", "risk", "mqtt", "hb", "cli"}),
    "mqtt": frozenset({"ml", "ai", "mm", "sim", "backtest", "hb", "cli"}),
    "report": frozenset({"ml", "ai", "mm", "risk", "mqtt", "sim", "hb", "cli"}),
}
# Known edges against the map, each with the issue that removes it.
TOLERATED = {
    ("backtest", "hb"): "backtest/runner.py runs Hummingbot's engine via hb/backtest_run (the hb split)",
}


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)


def _package(path: Path) -> str:
    parts = path.relative_to(PLUGIN).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _python_files(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (PROJECT_ROOT / root).rglob("*.py"))


def test_only_the_adapter_imports_hummingbot() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in _python_files("hummingbot_plugin")
        if not str(path.relative_to(PROJECT_ROOT)).startswith(ADAPTER_ROOTS)
        for line, module in _imports(path)
        if module.split(".")[0] == "hummingbot"
    ]
    assert found == [], "Hummingbot is imported outside hb/, controllers/, scripts/"


def test_no_forbidden_import_direction() -> None:
    found = []
    for path in _python_files("hummingbot_plugin"):
        package = _package(path)
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] != "hummingbot_plugin" or len(parts) < 2 or parts[1] == package:
                continue
            if parts[1] in FORBIDDEN.get(package, ()) and (package, parts[1]) not in TOLERATED:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line} ({package} -> {parts[1]})")
    assert found == [], "imports against docs/architecture.md"


def test_controllers_and_scripts_are_never_imported_by_the_library() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in _python_files("hummingbot_plugin")
        for line, module in _imports(path)
        if module.split(".")[0] in {"controllers", "scripts"}
    ]
    assert found == []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_the_map_names_every_package_it_constrains(package: str) -> None:
    text = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert f"`{package}" in text, f"docs/architecture.md does not describe {package}"


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
