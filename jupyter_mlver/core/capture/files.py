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
    budget = [_KEEP_BYTES if writer is not None else 0]

    def small(f: DataFile) -> None:
        data = _read_small(f)
        f.digest = blake3.blake3(data).hexdigest()
        if budget[0] >= len(data):
            budget[0] -= len(data)  # a race here only lets the budget slip by a file
            f.data = data
        if bar is not None:
            bar.update(f.key[1])

    def large(f: DataFile) -> None:
        f.digest = hash_file(f.path, f.key[1])
        if bar is not None:
            bar.update(f.key[1])

    def copied_while_hashed(f: DataFile, pool: ThreadPoolExecutor) -> None:
        assert writer is not None
        # Copy and hash read the same pages; the copy and its fsync take longer than the
        # hash, so overlapping them leaves the copy as the only cost.
        copying = pool.submit(writer.copy_ahead, f.path)
        try:
            large(f)
        finally:
            f.ahead = copying.result()

    def batch(files: list[DataFile]) -> None:
        for f in files:
            (small if f.key[1] <= PACK_MAX_OBJECT else large)(f)

    try:
        # Large files already use every core inside blake3; small ones overlap their I/O,
        # in batches (a task per file costs more than reading a small file).
        bigs = [f for f in todo if f.key[1] >= MMAP_THRESHOLD]
        if writer is None:
            for f in bigs:
                large(f)
        else:
            with ThreadPoolExecutor(max_workers=1) as copier:
                for f in bigs:
                    if f.path in new_content and not is_secret_file(f.path):
                        copied_while_hashed(f, copier)
                    else:
                        large(f)
        smalls = [f for f in todo if f.key[1] < MMAP_THRESHOLD]
        if len(smalls) > 8:
            workers = min(16, 4 * (os.cpu_count() or 1))
            size = max(1, min(256, len(smalls) // (workers * 4)))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(batch, [smalls[i : i + size] for i in range(0, len(smalls), size)]))
        else:
            batch(smalls)
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
