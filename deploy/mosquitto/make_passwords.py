#!/usr/bin/env python3
"""Create or rotate the Mosquitto users' passwords (standard library only: runs on any host with Python 3).

For every ``user`` named in the ACL file it keeps (or creates, or with ``--rotate`` replaces) a random
password in ``<out>/<user>.password`` (mode 0600) and rewrites ``<out>/broker/mosquitto_passwd`` (the only
file the broker container mounts) in Mosquitto 2's
hash format (``$7$``: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt), the same as ``mosquitto_passwd``.

    python3 deploy/mosquitto/make_passwords.py                 # first run: a password per ACL user
    python3 deploy/mosquitto/make_passwords.py --rotate hbot   # new password for one user

The broker re-reads the file on SIGHUP (``docker-compose kill -s HUP mqtt``); see docs/runbook.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import secrets
import sys
from pathlib import Path

__all__ = ["acl_users", "hash_password", "main", "write_password_file"]

HERE = Path(__file__).resolve().parent
DEFAULT_ACL = HERE / "acl"
DEFAULT_OUT = HERE.parent / "secrets"
PASSWORD_FILE = Path("broker") / "mosquitto_passwd"
_ITERATIONS = 101  # Mosquitto 2.0's fixed PBKDF2 iteration count for the $7$ format
_USER_LINE = re.compile(r"^user\s+(\S+)\s*$")
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def acl_users(acl_file: Path) -> list[str]:
    """User names declared by ``user <name>`` lines, in file order."""
    users: list[str] = []
    for line in acl_file.read_text(encoding="utf-8").splitlines():
        match = _USER_LINE.match(line.strip())
        if match and match.group(1) not in users:
            users.append(match.group(1))
    return users


def hash_password(password: str, salt: bytes | None = None) -> str:
    """Mosquitto 2 ``$7$`` hash of ``password``."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, _ITERATIONS)
    return f"$7${_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _write_private(path: Path, text: str, mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _password_for(out: Path, user: str, rotate: bool) -> str:
    path = out / f"{user}.password"
    if path.is_file() and not rotate:
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    password = secrets.token_urlsafe(24)
    _write_private(path, password + "\n", 0o600)
    return password


def write_password_file(out: Path, users: list[str], rotate: set[str]) -> Path:
    """Ensure a password per user (rotating those in ``rotate``) and rewrite the hashed password file."""
    unknown = rotate.difference(users)
    if unknown:
        raise SystemExit(f"error: --rotate names users not in the ACL: {', '.join(sorted(unknown))}")
    bad = [user for user in users if not _USERNAME.match(user)]
    if bad:
        raise SystemExit(f"error: invalid user names in the ACL: {bad} (letters, digits, _ . - only)")
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"{user}:{hash_password(_password_for(out, user, user in rotate))}" for user in users]
    target = out / PASSWORD_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    # 0644: Mosquitto runs as its own user in the container and must read the (hashed) file.
    _write_private(target, "\n".join(lines) + "\n", 0o644)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acl", type=Path, default=DEFAULT_ACL, help="ACL file naming the users")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the password files")
    parser.add_argument(
        "--rotate",
        action="append",
        default=[],
        metavar="USER",
        help="replace this user's password (repeatable)",
    )
    args = parser.parse_args(argv)
    if not args.acl.is_file():
        print(f"error: ACL file {args.acl} not found (pass --acl)", file=sys.stderr)
        return 2
    users = acl_users(args.acl)
    if not users:
        print(f"error: no `user <name>` lines in {args.acl}", file=sys.stderr)
        return 2
    target = write_password_file(args.out, users, set(args.rotate))
    print(f"wrote {target} for users: {', '.join(users)}")
    print(f"plain passwords: {args.out}/<user>.password (mode 0600); never commit them")
    if args.rotate:
        print("reload the broker: docker-compose kill -s HUP mqtt; update the rotated clients' settings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
