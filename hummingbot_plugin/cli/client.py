"""``client``: start Hummingbot's own client with the plugin, outside Docker.

    python -m hummingbot_plugin client conf/scripts/market_making_pmm.yml --feed recorded --headless

Prepares a Hummingbot root (default ``out/hummingbot``: conf/, scripts/, controllers/, models/, logs/,
data/ -- the layout deploy/Dockerfile + docker-compose.yml mount), then replaces this process with the
installed ``hummingbot_quickstart.py`` (through ``hb.client_boot``; ``simulation.paper.client_boot`` on
a recorded feed). Without a script the
client starts idle: type ``start --v2 <file>.yml``. ``--feed recorded`` plays the recorded capture of
``$HBP_DATA_DIR`` into the paper venues (no network); ``--feed candles --start 2023-03-01T00:00Z --speed
3600`` synthesises their books from the candle files from that start; the script config must have
``paper_trading``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import yaml

from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.settings import PROJECT_ROOT

__all__ = ["client_command", "register"]

PASSWORD_FILE = ".client_password"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("client", help="start Hummingbot's client with the plugin (no Docker)")
    p.add_argument("script", nargs="?", help="conf/scripts/<file>.yml to start (omit: type start yourself)")
    p.add_argument(
        "--feed",
        choices=("live", "recorded", "candles"),
        default="live",
        help="paper venues' feed: live public books, the recorded L2 capture, or books from candle files",
    )
    p.add_argument("--speed", type=float, default=1.0, help="recorded: 1 to 100; candles: 1 to 3600")
    p.add_argument(
        "--start", default=None, help="ISO time or epoch s (candles: required, e.g. 2023-03-01T00:00Z)"
    )
    p.add_argument("--headless", action="store_true", help="no terminal UI (needs a script)")
    p.add_argument("--root", type=Path, default=PROJECT_ROOT / "out" / "hummingbot", help="root folder")
    p.add_argument("--password", default=None, help="default: $CONFIG_PASSWORD, else generated")
    p.add_argument("--dry-run", action="store_true", help="prepare the root, print the command, exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    argv, env = client_command(args, dict(os.environ))
    if args.dry_run:
        print(f"root: {env['HBP_CLIENT_ROOT']}")
        print(" ".join([*argv, "(password in $CONFIG_PASSWORD)"]))
        return 0
    os.execve(argv[0], argv, env)  # the client owns the terminal from here on


def client_command(args: argparse.Namespace, environ: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Validate, prepare the root; the client's argv and environment."""
    from hummingbot_plugin.hb.client_root import prepare_root

    if args.headless and not args.script:
        raise ConfigError("client: --headless needs a script config", fix="pass conf/scripts/<file>.yml")
    feed_env = _feed_env(args)
    root_dir = args.root.resolve()
    conf = _script_conf(Path(args.script), args.feed, root_dir) if args.script else None
    if conf is not None and args.feed == "candles":
        _check_candle_coverage(Path(args.script), float(feed_env["HBP_PAPER_FEED_START"]))
    password = args.password or environ.get("CONFIG_PASSWORD") or _stored_password(root_dir)
    root = prepare_root(root_dir, PROJECT_ROOT, password)
    env = dict(environ)
    env.update(HBP_CLIENT_ROOT=str(root.path), CONFIG_PASSWORD=password, **feed_env)
    env.setdefault("HBP_STATE_DIR", str(root.state))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), environ.get("PYTHONPATH")) if p)
    boot = "hummingbot_plugin.hb" if args.feed == "live" else "hummingbot_plugin.simulation.paper"
    argv = [sys.executable, "-m", f"{boot}.client_boot"]
    if conf is not None:
        argv += ["--v2", conf]
    if args.headless:
        argv.append("--headless")
    return argv, env


def _feed_env(args: argparse.Namespace) -> dict[str, str]:
    """The feed's variables, validated as the client process will read them (ConfigError with a fix)."""
    from hummingbot_plugin.simulation.paper.recorded_feed import (
        ENV_FEED,
        ENV_SPEED,
        ENV_START,
        settings_from_env,
    )

    if args.feed == "live":
        if args.start is not None:
            raise ConfigError("client: --start needs a recorded feed", fix="add --feed candles or recorded")
        return {ENV_FEED: "live"}
    env = {ENV_FEED: args.feed, ENV_SPEED: repr(args.speed), ENV_START: str(args.start or "")}
    settings = settings_from_env(env)
    assert settings is not None
    env[ENV_START] = "" if settings.start is None else repr(settings.start)  # epoch s from here on
    return env


def _check_candle_coverage(script: Path, start: float) -> None:
    """Every market of the script's controllers has a candle file covering ``start`` (else a ConfigError)."""
    from hummingbot_plugin.settings import data_dir
    from hummingbot_plugin.simulation.paper.recorded_candles import candle_file

    data = yaml.safe_load(script.read_text()) or {}
    for name in data.get("controllers_config") or []:
        path = PROJECT_ROOT / "conf" / "controllers" / str(name)
        controller = (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
        venue, pair = controller.get("connector_name"), controller.get("trading_pair")
        if not venue or not pair:
            continue  # a controller without one market (e.g. XEMM): checked when its venues are built
        try:
            candle_file(data_dir(), str(venue), str(pair), start)
        except DataError as exc:
            raise ConfigError(f"client: --start: {exc.message}", fix=exc.fix) from exc


def _script_conf(path: Path, feed: str, root: Path) -> str:
    """The file name Hummingbot's ``--v2`` takes, after checking the config is a shipped-layout one."""
    resolved = (path if path.is_absolute() else Path.cwd() / path).absolute()
    folders = {(PROJECT_ROOT / "conf" / "scripts").resolve(), root / "conf" / "scripts"}
    if not resolved.is_file() or resolved.parent not in folders:
        raise ConfigError(
            f"client: {path} is not a file in {' or '.join(sorted(map(str, folders)))}",
            fix="pass conf/scripts/<file>.yml (Hummingbot reads script configs from conf/scripts/ only)",
        )
    data = yaml.safe_load(resolved.read_text()) or {}
    script = str(data.get("script_file_name", ""))
    if not (PROJECT_ROOT / "scripts" / script).is_file():
        raise ConfigError(f"client: {path}: script_file_name {script!r} not in scripts/", fix="name a script")
    if feed != "live" and not data.get("paper_trading"):
        raise ConfigError(
            f"client: --feed {feed} needs paper trading, and {path} has no paper_trading",
            fix="add paper_trading: {balances: {...}} to the config, or use --feed live",
        )
    return resolved.name


def _stored_password(root: Path) -> str:
    """A generated password kept (mode 0600) in the root, reused on the next start."""
    path = root / PASSWORD_FILE
    if path.is_file():
        return path.read_text().strip()
    root.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    print(f"client: generated a password, kept in {path}", file=sys.stderr)
    return password
