"""Finding, hashing and storing data files: a stat walk, parallel blake3, small files read
once (hashed and packed from the same bytes), large ones hashed in place and reflinked."""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import blake3

from ..errors import InvalidInput, StoreError
from ..hashing import MMAP_THRESHOLD, hash_file
from ..store.objects import ObjectWriter
from ..store.packs import PACK_MAX_OBJECT
from ..store.state import StatKey, stat_key
from .secrets import is_secret_file

SKIP_DIRS = frozenset(
    {".mlver", ".git", "__pycache__", ".ipynb_checkpoints", ".dvc", ".hg", ".svn"}
)
#: Progress is shown only when there is this much to read.
PROGRESS_BYTES = 256 * 1024 * 1024
#: Small files read for hashing keep their bytes for packing, up to this much in all.
_KEEP_BYTES = 512 * 1024 * 1024


class ProgressBar(Protocol):
    def update(self, n: int) -> Any: ...
    def close(self) -> None: ...


ProgressFactory = Callable[..., ProgressBar]


class DataFile:
    """One file of a snapshot: where it is, its stat key, and what we learn about it."""

    __slots__ = ("ahead", "data", "digest", "key", "path", "role", "stored")

    def __init__(self, path: str, role: str, key: StatKey) -> None:
        self.path = path  # absolute
        self.role = role
        self.key = key
        self.digest: str | None = None
        self.stored = False
        self.data: bytes | None = None  # a small file's bytes, read once for hash and pack
        self.ahead: Path | None = None  # a large file's copy, made while it was hashed


def walk(top: str, out: list[tuple[str, StatKey]]) -> None:
    """Every regular file under ``top`` with its stat key (data and VCS folders skipped)."""
    try:
        entries = list(os.scandir(top))
    except OSError as e:
        raise InvalidInput(f"cannot read directory {top}: {e.strerror}") from None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIP_DIRS:
                walk(entry.path, out)
        elif entry.is_file():
            st = entry.stat()
            out.append((entry.path, (st.st_ino, st.st_size, st.st_mtime_ns)))


def _changed(path: str) -> StoreError:
    return StoreError(
        f"{path} changed while it was being snapshotted", "snapshot again once it is written"
    )


def _read_small(f: DataFile) -> bytes:
    """A small file's bytes, refused if it is not the file that was walked."""
    fd = os.open(f.path, os.O_RDONLY)
    try:
        data = os.read(fd, f.key[1] + 1)  # one read: the size is known
        st = os.fstat(fd)
    finally:
        os.close(fd)
    if (st.st_ino, st.st_size, st.st_mtime_ns) != f.key or len(data) != f.key[1]:
        raise _changed(f.path)
    return data


class _Hasher:
    """Hashes data files and ticks a progress bar; small files keep their bytes while the
    budget lasts (so storing them does not read them again)."""

    def __init__(self, bar: Any, keep_bytes: int) -> None:
        self.bar = bar
        self.budget = keep_bytes

    def _tick(self, f: DataFile) -> None:
        if self.bar is not None:
            self.bar.update(f.key[1])

    def small(self, f: DataFile) -> None:
        data = _read_small(f)
        f.digest = blake3.blake3(data).hexdigest()
        if self.budget >= len(data):
            self.budget -= len(data)  # a race here only lets the budget slip by a file
            f.data = data
        self._tick(f)

    def large(self, f: DataFile) -> None:
        f.digest = hash_file(f.path, f.key[1])
        self._tick(f)

    def _batch(self, files: list[DataFile]) -> None:
        for f in files:
            (self.small if f.key[1] <= PACK_MAX_OBJECT else self.large)(f)

    def small_files(self, files: list[DataFile]) -> None:
        """In batches over a pool: their I/O overlaps, and a task per file would cost more
        than reading a small file."""
        if len(files) <= 8:
            self._batch(files)
            return
        workers = min(16, 4 * (os.cpu_count() or 1))
        size = max(1, min(256, len(files) // (workers * 4)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(self._batch, [files[i : i + size] for i in range(0, len(files), size)]))

    def large_files(
        self, files: list[DataFile], writer: ObjectWriter | None, new_content: Container[str]
    ) -> None:
        """One at a time (blake3 already uses every core); a file with new content is copied
        into the store while it is hashed: copy and hash read the same pages, and the copy
        with its fsync takes longer than the hash, so overlapping them leaves the copy as
        the only cost."""
        if writer is None:
            for f in files:
                self.large(f)
            return
        with ThreadPoolExecutor(max_workers=1) as copier:
            for f in files:
                if f.path not in new_content or is_secret_file(f.path):
                    self.large(f)
                    continue
                copying = copier.submit(writer.copy_ahead, f.path)
                try:
                    self.large(f)
                finally:
                    f.ahead = copying.result()


def hash_all(
    todo: list[DataFile],
    progress: ProgressFactory | None,
    writer: ObjectWriter | None,
    new_content: Container[str] = (),
) -> None:
    """Hash every file in ``todo``. With a ``writer`` (the files are to be stored), small
    files keep their bytes (within a budget) so that storing them does not read them again,
    and large files whose paths are in ``new_content`` (unseen, or their size changed) are
    copied into the store while they are hashed. A file only touched is hashed first: its
    content may be stored already."""
    total = sum(f.key[1] for f in todo)
    bar = (
        progress(total=total, desc="hashing", unit="B", unit_scale=True)
        if progress and total >= PROGRESS_BYTES
        else None
    )
    hasher = _Hasher(bar, _KEEP_BYTES if writer is not None else 0)
    try:
        hasher.large_files([f for f in todo if f.key[1] >= MMAP_THRESHOLD], writer, new_content)
        hasher.small_files([f for f in todo if f.key[1] < MMAP_THRESHOLD])
    finally:
        if bar is not None:
            bar.close()


def store_copies(files: Iterable[DataFile], writer: ObjectWriter) -> None:
    """Copy into the store every file not yet stored (credentials keep their hash only):
    small ones into a pack, large ones as loose objects (reflinked where possible)."""
    pending = [f for f in files if not f.stored]
    keep = [f for f in pending if not is_secret_file(f.path)]
    wanted = writer.wanted({f.digest for f in keep if f.digest is not None})
    for f in keep:
        assert f.digest is not None
        f.stored = True
        if f.digest not in wanted:
            continue  # already stored, or staged by an identical file a moment ago
        wanted.discard(f.digest)
        if f.key[1] <= PACK_MAX_OBJECT:
            data = f.data if f.data is not None else _read_small(f)
            if f.data is None and blake3.blake3(data).hexdigest() != f.digest:
                raise _changed(f.path)
            writer.add_packed(f.digest, data)
        else:
            if f.ahead is not None:
                writer.adopt(f.ahead, f.digest)
            else:
                writer.add_file(f.path, f.digest)
            try:
                if stat_key(os.stat(f.path)) != f.key:
                    raise _changed(f.path)
            except FileNotFoundError:
                raise _changed(f.path) from None
        f.data = None
