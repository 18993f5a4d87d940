"""A Hummingbot root folder outside Docker, laid out as the image mounts it.

Hummingbot finds everything under ``root_path()``: ``conf/`` (client config, ``.password_verification``,
``connectors/``, ``scripts/``, ``controllers/``), ``scripts/`` and ``controllers/`` (imported as Python
packages), ``logs/`` and ``data/``. :func:`prepare_root` builds that folder under ``out/`` from the
project's own folders (symlinks, so edits are live), creates what Hummingbot asks for on a first start
(the password verification file for the given password, the connectors folder) and writes two launcher
shims the installed ``hummingbot_quickstart.py`` imports (``path_util``, ``bin.hummingbot``: see
:mod:`hummingbot_plugin.hb.client_bin`). Nothing is installed at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hummingbot_plugin.errors import ConfigError

__all__ = ["FILE_LINKS", "LINKS", "ClientRoot", "prepare_root", "write_password_verification"]

#: root entry -> project entry (the docker-compose.yml mounts, same names).
LINKS: dict[str, str] = {
    "scripts": "scripts",
    "controllers": "controllers",
    "models": "models",
    "conf/controllers": "conf/controllers",
}
#: a real folder holding one link per project file, so a root can also hold its own script configs.
FILE_LINKS = "conf/scripts"
_PATH_UTIL = '"""Written by hummingbot_plugin: the root folder is already on sys.path (client_boot)."""\n'
_BIN_HUMMINGBOT = (
    '"""Written by hummingbot_plugin: what hummingbot_quickstart.py imports from bin/hummingbot.py."""\n'
    "from hummingbot_plugin.hb.client_bin import UIStartListener, detect_available_port  # noqa: F401\n"
)


@dataclass(frozen=True)
class ClientRoot:
    """A prepared root: the folder Hummingbot's ``root_path()`` must return."""

    path: Path

    @property
    def conf(self) -> Path:
        return self.path / "conf"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def state(self) -> Path:
        return self.path / "data" / "state"


def prepare_root(root: Path, project: Path, password: str) -> ClientRoot:
    """Create (or refresh) ``root`` for ``project``; the password must match an existing verification."""
    if not password:
        raise ConfigError("client: empty password", fix="pass --password or let the command generate one")
    for folder in ("conf/connectors", "logs", "data/state", "bin"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for entry, target in LINKS.items():
        _link(root / entry, project / target)
    _link(root / "hummingbot", _hummingbot_package())  # root_path()/hummingbot/connector is scanned
    _link_files(root / FILE_LINKS, project / FILE_LINKS)
    (root / "path_util.py").write_text(_PATH_UTIL)
    (root / "bin" / "__init__.py").write_text("")
    (root / "bin" / "hummingbot.py").write_text(_BIN_HUMMINGBOT)
    write_password_verification(root / "conf" / ".password_verification", password)
    return ClientRoot(root)


def _link(link: Path, target: Path) -> None:
    if not target.exists():
        raise ConfigError(f"client: {target} does not exist", fix="run from the project's root folder")
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    if link.exists() and not link.is_symlink():
        raise ConfigError(
            f"client: {link} is a real folder, expected a link to {target}",
            fix=f"remove {link} (the root is generated) or pick another --root",
        )
    link.unlink(missing_ok=True)
    link.symlink_to(target, target_is_directory=True)


def _link_files(folder: Path, source: Path) -> None:
    """One link per ``source/*.yml`` in ``folder``; links whose file is gone are removed."""
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_symlink() and not entry.exists():
            entry.unlink()
    for file in sorted(source.glob("*.yml")):
        link = folder / file.name
        if not link.is_symlink() or Path(os.readlink(link)) != file:
            link.unlink(missing_ok=True)
            link.symlink_to(file)


def _hummingbot_package() -> Path:
    import hummingbot

    return Path(hummingbot.__file__).resolve().parent


def write_password_verification(path: Path, password: str) -> None:
    """Hummingbot's verification word encrypted with ``password`` (kept if it already matches)."""
    from hummingbot.client.config.config_crypt import PASSWORD_VERIFICATION_WORD, ETHKeyFileSecretManger

    manager = ETHKeyFileSecretManger(password)
    if path.exists():
        try:
            word = manager.decrypt_secret_value(PASSWORD_VERIFICATION_WORD, path.read_text())
        except ValueError as exc:  # eth_keyfile: "MAC mismatch"
            raise ConfigError(
                f"client: the password does not open {path}",
                fix=f"pass the password this root was created with, or delete {path.parent.parent}",
            ) from exc
        if word == PASSWORD_VERIFICATION_WORD:
            return
    path.write_text(manager.encrypt_secret_value(PASSWORD_VERIFICATION_WORD, PASSWORD_VERIFICATION_WORD))
