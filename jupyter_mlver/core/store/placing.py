"""Putting one file in place whole: it is filled while it has no name, or a temporary one,
and only then gets the target's name, so a reader (or a killed run) never sees it half
written.

Where the kernel can (``O_TMPFILE``: Linux on ext4, XFS, btrfs, tmpfs), a file starts
without a name: its inode is made outside the directory's lock, so several processes can
fill one directory at once, and a run killed before the link leaves nothing behind. A new
file is then linked to its name (which fails if something took the name meanwhile); a file
that replaces another is linked to a temporary name and renamed over it. Elsewhere the file
is created under the temporary name directly.
"""

from __future__ import annotations

import contextlib
import errno
import os

from .verified import open_new, write_all

_TMPFILE = getattr(os, "O_TMPFILE", 0)
#: What ``open`` says when a filesystem has no files without names.
_NO_TMPFILE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT)
#: Longer names get a temporary name of their hash instead (names are at most 255 bytes).
_HASHED_NAME = 200


def temporary_name(name: str, token: str) -> str:
    """The name a file has before it is renamed over ``name`` (a run's ``token`` in it)."""
    raw = len(name) * 4 > _HASHED_NAME and len(name.encode("utf-8", "surrogateescape"))
    if raw and raw > _HASHED_NAME:
        import hashlib

        name = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f".{name}.mlver-{token}.tmp"


def is_temporary(name: str, token: str) -> bool:
    return name.startswith(".") and name.endswith(f".mlver-{token}.tmp")


def fill(fd: int, data: bytes | memoryview, mode: int | None) -> os.stat_result:
    """Write ``data`` to the new file ``fd`` (with exactly ``mode`` if given); its stat."""
    if mode is not None:
        os.fchmod(fd, mode & 0o7777)
    write_all(fd, data)
    return os.fstat(fd)


def link_temporary(fd: int, tmp: str, dir_fd: int) -> None:
    """Give the nameless file ``fd`` the temporary name ``tmp``."""
    os.link(f"/proc/self/fd/{fd}", tmp, dst_dir_fd=dir_fd)


class Placer:
    """Puts files into one directory (``dir_fd``) for one run (``token``)."""

    def __init__(self, dir_fd: int, token: str) -> None:
        self.dir_fd = dir_fd
        self.token = token
        self.nameless = bool(_TMPFILE) and os.path.isdir("/proc/self/fd")

    def open(self, name: str, mode: int | None) -> tuple[int, str | None]:
        """A new, empty file for ``name``'s content: ``(fd, None)`` without a name, or
        ``(fd, temporary name)``. ``mode`` None gives a new file's usual mode."""
        if self.nameless:
            try:
                return os.open(".", _TMPFILE | os.O_WRONLY, 0o666, dir_fd=self.dir_fd), None
            except OSError as e:
                if e.errno not in _NO_TMPFILE:
                    raise
                self.nameless = False
        tmp = temporary_name(name, self.token)
        return open_new(tmp, mode, self.dir_fd), tmp

    def commit(self, fd: int, name: str, tmp: str | None, new: bool) -> None:
        """Name the filled file ``fd`` (still open) ``name``: linked if it is ``new`` and
        nameless, else renamed over whatever has the name."""
        if tmp is None:
            if new:
                try:
                    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=self.dir_fd)
                    return
                except FileExistsError:
                    pass  # the name was taken since the plan: replaced, as any other
            tmp = temporary_name(name, self.token)
            link_temporary(fd, tmp, self.dir_fd)
        try:
            os.rename(tmp, name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        except BaseException:
            self.abandon(tmp)
            raise

    def abandon(self, tmp: str | None) -> None:
        """Remove a file that will not be put in place (a nameless one goes by itself)."""
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.dir_fd)

    def place(self, name: str, data: bytes | memoryview, mode: int | None) -> os.stat_result:
        """Put a file holding ``data`` at ``name``: a new one (``mode`` None), or one that
        replaces a file and keeps its ``mode``."""
        fd, tmp = self.open(name, mode)
        try:
            st = fill(fd, data, mode if tmp is None else None)
            self.commit(fd, name, tmp, new=mode is None)
        except BaseException:
            self.abandon(tmp)
            raise
        finally:
            os.close(fd)
        return st
