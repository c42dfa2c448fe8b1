"""Content-addressed, immutable object store: ``objects/ab/cdef…`` named by blake3.

Every object is staged in ``tmp/`` (same filesystem), made durable, made read-only and
renamed into place, so a reader never sees a partial object and a crash leaves only
``tmp/`` garbage for ``gc``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from .errors import StoreError
from .hashing import hash_bytes, hash_file, is_hex_digest

_FICLONE = 0x40049409  # linux/fs.h: share extents with the source (reflink)
#: Above this many staged files one filesystem-wide sync is cheaper than an fsync each.
_SYNC_BATCH = 64


def _reflink(src_fd: int, dst_fd: int) -> bool:
    try:
        import fcntl

        fcntl.ioctl(dst_fd, _FICLONE, src_fd)
        return True
    except (ImportError, OSError):
        return False


def _copy_into(src: str | os.PathLike[str], dst: Path) -> None:
    """Reflink when the filesystem can, else a kernel-side copy; never a hard link."""
    with open(src, "rb") as fsrc, open(dst, "wb") as fdst:
        if _reflink(fsrc.fileno(), fdst.fileno()):
            return
        if hasattr(os, "copy_file_range"):
            try:
                remaining = os.fstat(fsrc.fileno()).st_size
                while remaining > 0:
                    n = os.copy_file_range(fsrc.fileno(), fdst.fileno(), min(remaining, 1 << 30))
                    if n == 0:
                        break
                    remaining -= n
                return
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                fsrc.seek(0)
                fdst.seek(0)
                fdst.truncate()
        shutil.copyfileobj(fsrc, fdst, 1 << 20)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ObjectStore:
    def __init__(self, objects_dir: Path, tmp_dir: Path) -> None:
        self.dir = objects_dir
        self.tmp = tmp_dir

    def path(self, oid: str) -> Path:
        return self.dir / oid[:2] / oid[2:]

    def exists(self, oid: str) -> bool:
        return os.path.exists(f"{self.dir}/{oid[:2]}/{oid[2:]}")

    def get_bytes(self, oid: str) -> bytes:
        try:
            return self.path(oid).read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"object {oid[:12]} is missing from the store",
                "run `jupyter mlver fsck` to see what else is damaged",
            ) from None

    def size(self, oid: str) -> int:
        return self.path(oid).stat().st_size

    def put_bytes(self, data: bytes) -> str:
        with self.writer() as w:
            return w.add_bytes(data)

    def put_file(self, src: Path, oid: str) -> None:
        with self.writer() as w:
            w.add_file(src, oid)

    def writer(self) -> ObjectWriter:
        return ObjectWriter(self)

    def iter_ids(self) -> Iterator[str]:
        try:
            fanouts = os.scandir(self.dir)
        except FileNotFoundError:
            return
        with fanouts:
            for fan in fanouts:
                if len(fan.name) != 2 or not fan.is_dir():
                    continue
                with os.scandir(fan.path) as entries:
                    for entry in entries:
                        oid = fan.name + entry.name
                        if is_hex_digest(oid):
                            yield oid

    def verify(self, oid: str) -> bool:
        return hash_file(self.path(oid)) == oid

    def remove(self, oid: str) -> int:
        path = self.path(oid)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size


class ObjectWriter:
    """Stages objects in ``tmp/`` and publishes them together on ``commit``.

    Many small files cost one filesystem sync instead of an fsync each; the ordering
    guarantee is the same: data is durable before its name appears in ``objects/``.
    Whatever claims that an object is stored (a cache flag, a ledger row) is registered
    with ``after_commit`` and runs only once the object is durably in place.
    """

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._staged: list[tuple[Path, str]] = []
        self._names: set[str] = set()
        self._fanouts: set[str] = set()
        self._after: list[Callable[[], None]] = []

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def _tmp_path(self) -> Path:
        try:
            self.store.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"cannot write to the store at {self.store.tmp.parent}: {e.strerror}",
                "check its permissions or set MLVER_STORE to a writable directory",
            ) from None
        return self.store.tmp / f"{os.getpid()}-{uuid.uuid4().hex}"

    def _stage(self, tmp: Path, oid: str) -> None:
        os.chmod(tmp, 0o444)
        self._staged.append((tmp, oid))
        self._names.add(oid)

    def wants(self, oid: str) -> bool:
        return oid not in self._names and not self.store.exists(oid)

    def add_bytes(self, data: bytes) -> str:
        oid = hash_bytes(data)
        if self.wants(oid):
            tmp = self._tmp_path()
            try:
                with open(tmp, "wb") as f:
                    f.write(data)
            except OSError as e:
                tmp.unlink(missing_ok=True)
                raise StoreError(f"cannot write to the store: {e.strerror}") from None
            self._stage(tmp, oid)
        return oid

    def add_file(self, src: str | os.PathLike[str], oid: str) -> bool:
        """Copy in a file whose hash the caller computed; False if the store already has it."""
        if not self.wants(oid):
            return False
        tmp = self._tmp_path()
        try:
            _copy_into(src, tmp)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot copy {src} into the store: {e.strerror}") from None
        self._stage(tmp, oid)
        return True

    def tmp_path(self) -> Path:
        """A fresh name under ``tmp/`` for a file the caller writes itself (a download)."""
        return self._tmp_path()

    def adopt(self, tmp: Path, oid: str) -> bool:
        """Stage a file the caller wrote at ``tmp_path()`` and verified to hash to ``oid``,
        without copying it again; False (and the file removed) if the store has it."""
        if not self.wants(oid):
            tmp.unlink(missing_ok=True)
            return False
        self._stage(tmp, oid)
        return True

    def after_commit(self, claim: Callable[[], None]) -> None:
        """Run ``claim`` at the next ``commit``, after every staged object is durable in
        ``objects/``; an aborted writer never runs it."""
        self._after.append(claim)

    def commit(self) -> None:
        self._publish()
        claims, self._after = self._after, []
        for claim in claims:
            claim()

    def _publish(self) -> None:
        if not self._staged:
            return
        if len(self._staged) > _SYNC_BATCH and hasattr(os, "sync"):
            os.sync()
        else:
            for tmp, _ in self._staged:
                _fsync_path(tmp)
        touched: set[Path] = set()
        for tmp, oid in self._staged:
            final = self.store.path(oid)
            if oid[:2] not in self._fanouts:
                final.parent.mkdir(parents=True, exist_ok=True)
                self._fanouts.add(oid[:2])
            os.replace(tmp, final)
            touched.add(final.parent)
        # Make the renames themselves durable.
        if len(touched) > _SYNC_BATCH and hasattr(os, "sync"):
            os.sync()
        else:
            for directory in touched:
                with contextlib.suppress(OSError):
                    _fsync_path(directory)
        self._staged.clear()

    def abort(self) -> None:
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()
        self._names.clear()
        self._after.clear()
