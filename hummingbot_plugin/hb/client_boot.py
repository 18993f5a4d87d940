"""The client process: point Hummingbot at a prepared root, then run its own quickstart script.

``python -m hummingbot_plugin.hb.client_boot [quickstart args]`` with ``HBP_CLIENT_ROOT`` set (the
``client`` command does this). This is the ONE module that changes Hummingbot for the whole process,
and only in this dedicated process:

* ``hummingbot.root_path`` -> the prepared root (upstream derives it from the package's own location
  and has no setter; ``set_prefix_path`` is upstream's own setter). Done before any ``hummingbot.client``
  import, which computes its paths (``CONF_DIR_PATH``...) from it at import time.
* nothing else: a recorded-feed client starts through
  :mod:`hummingbot_plugin.simulation.paper.client_boot`, which adds the offline services and runs
  :func:`prepare` and :func:`run_quickstart` the same way.

tests/test_client_terminal.py checks upstream's ``root_path`` signature so a change fails loudly.
"""

from __future__ import annotations

import importlib.metadata
import os
import runpy
import sys
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.patches import set_root

__all__ = [
    "LOOPBACK",
    "install_network_guard",
    "main",
    "point_root",
    "prepare",
    "quickstart_script",
    "run_quickstart",
]

ROOT_ENV = "HBP_CLIENT_ROOT"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})


def point_root(root: Path) -> None:
    """Make ``hummingbot.root_path()`` and ``prefix_path()`` return ``root`` (before hummingbot.client)."""
    if "hummingbot.client.settings" in sys.modules:
        raise ConfigError(
            "client: Hummingbot's settings were imported before the root was set",
            fix="start the client through `python -m hummingbot_plugin client`",
        )
    set_root(root)


def quickstart_script() -> Path:
    """``hummingbot_quickstart.py`` of the installed hummingbot distribution (PyPI wheel), else of a
    source checkout (``bin/`` next to the package, as in Hummingbot's Docker image)."""
    import hummingbot

    try:
        files = importlib.metadata.distribution("hummingbot").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "hummingbot_quickstart.py":
            return Path(str(file.locate())).resolve()
    source = Path(hummingbot.__file__).resolve().parent.parent / "bin" / "hummingbot_quickstart.py"
    if source.is_file():
        return source
    raise ConfigError("client: hummingbot_quickstart.py is not installed", fix="run `make setup`")


def install_network_guard(log_path: Path) -> None:
    """Refuse every connection or name lookup outside this machine; each refusal is logged once."""
    refused: set[str] = set()

    def refuse(host: str) -> None:
        if host not in refused:
            refused.add(host)
            with log_path.open("a") as handle:
                handle.write(f"refused network access to {host} (recorded feed: offline)\n")
        raise ConnectionRefusedError(f"recorded feed: offline, no connection to {host}")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.getaddrinfo":
            host = str(args[0] if args[0] is not None else "")
            if host not in LOOPBACK:
                refuse(host)
        elif event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and str(address[0]) not in LOOPBACK:
                refuse(str(address[0]))

    sys.addaudithook(hook)


def prepare(environ: dict[str, str] | None = None) -> Path:
    """Point Hummingbot at the root named by ``HBP_CLIENT_ROOT`` (read here, once), enter it; the root."""
    raw = (os.environ if environ is None else environ).get(ROOT_ENV)
    if not raw:
        raise ConfigError(f"client: {ROOT_ENV} is not set", fix="use `python -m hummingbot_plugin client`")
    root = Path(raw)
    point_root(root)
    os.chdir(root)
    sys.path.insert(0, str(root))  # path_util, bin.hummingbot, scripts.*, controllers.*
    return root


def run_quickstart(argv: list[str]) -> int:
    """Run Hummingbot's own quickstart script as ``__main__`` with ``argv``."""
    script = quickstart_script()
    sys.argv = [str(script), *argv]
    runpy.run_path(str(script), run_name="__main__")
    return 0


def main(argv: list[str]) -> int:
    """The live-feed client: prepare the process as described in the module doc, then the quickstart."""
    prepare()
    return run_quickstart(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
