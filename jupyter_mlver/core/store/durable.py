"""Making many written files durable at once: one ``syncfs`` per filesystem instead of an
fsync per file, and early writeback of large files so the final sync finds little to do.

``os`` has no ``syncfs``; on Linux it is called through libc. Elsewhere (or if the call
fails) every file written and then every directory that names one is fsynced: slower,
but the same promise.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

_SYNC_FILE_RANGE_WRITE = 2  # linux/fs.h: start writeback, do not wait


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def fsync_path(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: str | os.PathLike[str]) -> bool:
    """``syncfs(2)`` on the filesystem holding ``path``; False where it is not available."""
    libc = _libc()
    if libc is None or not hasattr(libc, "syncfs"):
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        return int(libc.syncfs(fd)) == 0
    finally:
        os.close(fd)


def sync_all(directories: Iterable[str | os.PathLike[str]], files: Iterable[Path] = ()) -> None:
    """Make every file written into ``directories`` durable, and the names they hold: one
    ``syncfs`` per filesystem, else an fsync of each of ``files`` and each directory."""
    dirs = {os.fspath(d) for d in directories}
    by_device: dict[int, str] = {}
    for d in dirs:
        with contextlib.suppress(FileNotFoundError):
            by_device.setdefault(os.stat(d).st_dev, d)
    if by_device and all(_syncfs(d) for d in by_device.values()):
        return
    for f in files:
        with contextlib.suppress(FileNotFoundError):
            fsync_path(f)
    for d in dirs:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            fsync_path(d)


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a range of a file to disk without waiting, so that
    a large copy reaches the disk while it is still being made (Linux; else nothing)."""
    libc = _libc()
    if libc is None or not hasattr(libc, "sync_file_range"):
        return
    libc.sync_file_range(
        ctypes.c_int(fd),
        ctypes.c_int64(offset),
        ctypes.c_int64(length),
        ctypes.c_uint(_SYNC_FILE_RANGE_WRITE),
    )
