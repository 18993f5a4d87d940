"""Real faulty filesystems for the fail-closed tests: a read-only bind mount and a full 64 KiB tmpfs.

The tests run as root (permission bits do not stop root), so read-only and full are made by the kernel:
``mount --bind`` + ``remount,ro`` and ``mount -t tmpfs -o size=64k``. Every mount is undone in the
fixture finaliser, and the process-wide alarm board is cleared so no alarm leaks into another test.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hummingbot_plugin.risk.alarms import ALARMS

__all__ = ["FullDisk", "fresh_alarms", "mount_full_tmpfs", "mount_readonly", "remount"]


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True)


def _unmount(path: Path) -> None:
    """Unmount; lazily when a failed test still holds a file open, so no mount outlives the test."""
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        _run("umount", "-l", path)


def remount(path: Path, mode: str) -> None:
    """``mode`` is "ro" or "rw" for a bind mount made by :func:`readonly_dir`."""
    _run("mount", "-o", f"remount,bind,{mode}", path)


def fresh_alarms() -> Iterator[None]:
    """Generator for a fixture: an empty alarm board during and after the test."""
    ALARMS.clear_all()
    yield
    ALARMS.clear_all()


def mount_readonly(tmp_path: Path) -> Iterator[Path]:
    """An empty folder that the kernel refuses to write (EROFS); ``remount(path, "rw")`` repairs it."""
    path = tmp_path / "readonly"
    path.mkdir()
    _run("mount", "--bind", path, path)
    try:
        remount(path, "ro")
        yield path
    finally:
        _unmount(path)


class FullDisk:
    """A 64 KiB tmpfs; :meth:`fill` takes every free byte, :meth:`free` gives them back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler.bin"

    def fill(self) -> None:
        with open(self.filler, "ab", buffering=0) as handle:
            for size in (4096, 512, 1):
                try:
                    while True:
                        handle.write(b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        probe = self.path / "probe"
        with pytest.raises(OSError) as raised, open(probe, "wb") as handle:
            handle.write(b"x" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink(missing_ok=True)
        assert raised.value.errno == errno.ENOSPC

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


def mount_full_tmpfs(tmp_path: Path) -> Iterator[FullDisk]:
    path = tmp_path / "small_disk"
    path.mkdir()
    _run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", path)
    try:
        yield FullDisk(path)
    finally:
        _unmount(path)


# ---- fixtures (registered for every test module by conftest.py) --------------------------------
@pytest.fixture
def clean_alarms() -> Iterator[None]:
    """The process-wide alarm board, empty before and after the test."""
    yield from fresh_alarms()


@pytest.fixture
def readonly_dir(tmp_path: Path, clean_alarms: None) -> Iterator[Path]:
    """A real read-only folder (bind mount), unmounted afterwards."""
    yield from mount_readonly(tmp_path)


@pytest.fixture
def full_tmpfs(tmp_path: Path, clean_alarms: None) -> Iterator[FullDisk]:
    """A real 64 KiB tmpfs filled to the brim, unmounted afterwards."""
    yield from mount_full_tmpfs(tmp_path)
