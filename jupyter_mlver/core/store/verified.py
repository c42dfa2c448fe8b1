"""Writing an object's bytes to a new file, checked against the object's name as they are
written (never by reading the file back): the primitives that checkout and pull share.

A small object is hashed from the very buffer that is then written. A large one is
reflinked (the copy shares the source's blocks, so hashing the source checks the copy),
copied by the kernel (``copy_file_range``, while the source is hashed on another thread),
or streamed through a buffer that is hashed and written chunk by chunk. Either way the
caller renames the file into place only after ``Corrupt`` was not raised.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
from collections.abc import Callable

import blake3

from .durable import start_writeback

_FICLONE = 0x40049409  # linux/fs.h: share extents with the source (reflink)
#: A kernel-side copy goes this far at a time (and is then pushed towards the disk).
_COPY_CHUNK = 64 * 1024 * 1024
_STREAM_CHUNK = 1024 * 1024
#: Flags of a new file: never an existing one, never through a symlink.
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
NEW_FILE |= getattr(os, "O_CLOEXEC", 0)
_UNSUPPORTED = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF)


class Corrupt(Exception):
    """Bytes that do not hash to the object they were read as."""

    def __init__(self, oid: str, digest: str) -> None:
        super().__init__(f"object {oid[:12]} hashes to {digest[:12]}")
        self.oid = oid
        self.digest = digest


def check(oid: str, data: bytes | memoryview) -> None:
    """Raise ``Corrupt`` unless ``data`` hashes to ``oid``."""
    digest = blake3.blake3(data).hexdigest()
    if digest != oid:
        raise Corrupt(oid, digest)


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def open_new(name: str | os.PathLike[str], mode: int | None, dir_fd: int | None = None) -> int:
    """Create file ``name``, which must not exist: with exactly ``mode``, or with the mode
    any program's new file gets (``0o666`` less the umask) when ``mode`` is None."""
    fd = os.open(name, NEW_FILE, 0o666 if mode is None else mode & 0o777, dir_fd=dir_fd)
    if mode is not None:
        try:
            os.fchmod(fd, mode & 0o7777)  # the umask took its share at creation
        except OSError:
            os.close(fd)
            raise
    return fd


def _reflink(src_fd: int, dst_fd: int) -> bool:
    try:
        import fcntl

        fcntl.ioctl(dst_fd, _FICLONE, src_fd)
        return True
    except (ImportError, OSError):
        return False


def _kernel_copy(src_fd: int, dst_fd: int, size: int, on_bytes: Callable[[int], None]) -> bool:
    """``copy_file_range`` the whole file, starting its writeback as it goes; False (and
    nothing written) where the kernel or filesystem cannot."""
    if not hasattr(os, "copy_file_range"):
        return False
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src_fd, dst_fd, min(size - done, _COPY_CHUNK))
            if n == 0:
                break
            start_writeback(dst_fd, done, n)
            on_bytes(n)
            done += n
    except OSError as e:
        if done or e.errno not in _UNSUPPORTED:
            raise
        return False
    return done == size


def _stream(
    src_fd: int, dst_fd: int, hasher: blake3.blake3, on_bytes: Callable[[int], None]
) -> None:
    offset = 0
    while chunk := os.read(src_fd, _STREAM_CHUNK):
        hasher.update(chunk)
        write_all(dst_fd, chunk)
        start_writeback(dst_fd, offset, len(chunk))
        on_bytes(len(chunk))
        offset += len(chunk)


def _no_wait() -> None:
    pass


def _hash_source(src: str, hasher: blake3.blake3) -> Callable[[], None]:
    """Hash ``src`` on a thread of its own; the returned call waits for it (and raises what
    the hashing raised)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            hasher.update_mmap(src)
        except BaseException as e:  # reraised by the waiter
            failure.append(e)

    thread = threading.Thread(target=run, name="mlver-hash", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return wait


def _ignore(_n: int) -> None:
    pass


def copy_into(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    """Copy file ``src`` to the new file ``dst`` as it is (its caller hashed it): a reflink
    where the filesystem can, else a kernel copy, else a plain one; never a hard link."""
    with open(src, "rb") as fsrc, open(dst, "wb") as fdst:
        if _reflink(fsrc.fileno(), fdst.fileno()):
            return
        if _kernel_copy(fsrc.fileno(), fdst.fileno(), os.fstat(fsrc.fileno()).st_size, _ignore):
            return
        fsrc.seek(0)
        fdst.seek(0)
        fdst.truncate()
        shutil.copyfileobj(fsrc, fdst, _STREAM_CHUNK)


def copy_large(
    src: str, dst_fd: int, oid: str, size: int, on_bytes: Callable[[int], None] = _ignore
) -> None:
    """Fill the new, empty file ``dst_fd`` with a copy of file ``src`` and check that the
    bytes hash to ``oid``: a reflink, else a kernel copy, else a streamed copy.
    ``on_bytes`` hears of the bytes as they are copied."""
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    src_fd = os.open(src, os.O_RDONLY)
    try:
        if _reflink(src_fd, dst_fd):
            hasher.update_mmap(src)
            on_bytes(size)
        else:
            wait = _hash_source(src, hasher) if size > 0 else _no_wait
            try:
                copied = _kernel_copy(src_fd, dst_fd, size, on_bytes)
            finally:
                wait()
            if not copied:
                hasher = blake3.blake3()
                for fd in (src_fd, dst_fd):
                    os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(dst_fd, 0)
                _stream(src_fd, dst_fd, hasher, on_bytes)
    finally:
        os.close(src_fd)
    digest = hasher.hexdigest()
    if digest != oid:
        raise Corrupt(oid, digest)
