"""Every shipped script config (conf/scripts/*.yml) runs under the guarded runner (its script is
GuardedControllers or a subclass of it), and every command its
comments quote parses as written: ``python -m hummingbot_plugin ...`` with the plugin's own CLI parser
(data files named in it exist, a replay names its balances or a sim config), ``start --v2 <file>`` with
Hummingbot's own terminal parser (the file is this one), ``bash <script>`` names a shipped file."""

from __future__ import annotations

import importlib
import shlex
from pathlib import Path
from typing import Any

import hummingbot.client.command  # noqa: F401  (Hummingbot's import order: parser alone is circular)
import pytest
import yaml
from hummingbot.client.ui.parser import load_parser
from hummingbot.strategy.strategy_v2_base import StrategyV2Base

from hummingbot_plugin.cli import build_parser
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.exchange.runtime import use_project_paths

use_project_paths()
from scripts.v2_guarded_controllers import GuardedControllers  # noqa: E402  (needs the project paths)

SCRIPTS = sorted((PROJECT_ROOT / "conf" / "scripts").glob("*.yml"))
DATA_OPTIONS = ("--data", "--candles")


def quoted_commands(path: Path) -> list[list[str]]:
    """Commands in the file's comment lines (backslash continuations joined), as argv lists."""
    commands, pending = [], ""
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            continue
        text = line.lstrip("#").strip()
        if pending:
            text, pending = f"{pending} {text}", ""
        if text.endswith("\\"):
            pending = text[:-1].strip()
            continue
        for marker in ("python -m hummingbot_plugin ", "start --", "bash "):
            at = text.find(marker)
            if at >= 0:
                commands.append(shlex.split(text[at:].split("`")[0].split("(")[0]))
    return commands


class _AnyCommand:
    """Stands in for HummingbotApplication: every command handler Hummingbot's parser binds is a no-op."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _check_plugin_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv[3:])  # raises SystemExit on an unknown or missing option
    for option in DATA_OPTIONS:
        for name in _values(argv, option):
            assert (PROJECT_ROOT / name).exists() or (
                PROJECT_ROOT.parent / "shared" / "data" / name
            ).exists(), name
    if args.command == "replay":
        assert args.balance or args.sim_config, "a replay needs --balance (or a --sim-config with balances)"
        assert (PROJECT_ROOT / args.script_config).is_file()


def _values(argv: list[str], option: str) -> list[str]:
    if option not in argv:
        return []
    rest = argv[argv.index(option) + 1 :]
    return [v for v in rest[: next((i for i, v in enumerate(rest) if v.startswith("--")), len(rest))]]


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_script_config_runs_under_the_guarded_runner(path: Path) -> None:
    config = yaml.safe_load(path.read_text())
    use_project_paths()
    module = importlib.import_module(f"scripts.{config['script_file_name'].removesuffix('.py')}")
    strategies = [
        m
        for m in vars(module).values()
        if isinstance(m, type) and m.__module__ == module.__name__ and issubclass(m, StrategyV2Base)
    ]
    # by qualified name: Hummingbot's loader (and other tests) may reload the script modules, which makes
    # a new GuardedControllers class object; what matters is that the guarded runner is in every MRO
    guarded = (GuardedControllers.__module__, GuardedControllers.__qualname__)
    assert strategies and all(
        any((b.__module__, b.__qualname__) == guarded for b in m.__mro__) for m in strategies
    ), strategies
    for controller in config["controllers_config"]:
        assert (PROJECT_ROOT / "conf" / "controllers" / controller).is_file(), controller
    if config.get("config_file"):
        assert PROJECT_ROOT / config["config_file"] == path  # hot reload reads this very file
    if "paper_trading" not in config:  # replay-only: no terminal start is quoted for it
        assert not any(c[0] == "start" for c in quoted_commands(path))


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_every_command_quoted_in_a_script_config_parses(path: Path) -> None:
    commands = quoted_commands(path)
    assert commands, f"{path.name} quotes no command: say how to start or replay it"
    terminal = load_parser(_AnyCommand(), {})  # type: ignore[arg-type]
    for argv in commands:
        if argv[0] == "python":
            _check_plugin_command(argv)
        elif argv[0] == "start":
            assert terminal.parse_args(argv).v2_conf == path.name
        else:
            assert argv[0] == "bash" and (PROJECT_ROOT / argv[1]).is_file(), argv


def test_the_parser_of_quoted_commands_catches_a_missing_balance(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "# python -m hummingbot_plugin replay --script-config conf/scripts/sim_baseline_replay.yml \\\n"
        "#   --data binance_BTC-USDT_1h.csv --json out.json\n"
        "# start --script v2_guarded_controllers.py --conf bad.yml\n"
    )
    replay, start = quoted_commands(bad)
    with pytest.raises(AssertionError, match="--balance"):
        _check_plugin_command(replay)
    with pytest.raises(Exception, match=r"unrecognized arguments|invalid choice"):
        load_parser(_AnyCommand(), {}).parse_args(start)  # type: ignore[arg-type]
