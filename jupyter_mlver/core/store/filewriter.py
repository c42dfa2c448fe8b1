"""Writing many store objects out as files, as fast as the disk allows and never torn.

``FileWriter`` is what checkout restores through. Small files go in batches, one directory
per batch, out of their packs with ranged reads (``filebatch``); with many of them in
several directories, batches run in worker processes, one directory at a time each (a
directory's entries are changed under one kernel lock, and threads would queue on the
GIL at every system call). Large files are copied on threads meanwhile, by reflink or
``copy_file_range``. Every file is checked against its object from the bytes written,
written under a temporary name in its own directory and renamed over the target, so a
kill leaves each file old or new; one ``syncfs`` at the end makes the whole lot durable.

A run's temporary names carry its token, and the directories it writes to are listed in
``tmp/checkout.journal`` (locked while it runs), so the next run, or ``gc``, removes what
a killed one left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..errors import StoreError
from . import filebatch
from .durable import sync_all
from .filebatch import Batch, Failed, Job, Sources, Written, run_batch, temporary_name
from .objects import ObjectStore
from .packs import PACK_MAX_OBJECT, Location
from .verified import Corrupt, copy_large, open_new
from .workers import Workers

if TYPE_CHECKING:
    from ..capture.files import ProgressBar, ProgressFactory

#: Below this many small files (or in one directory) batches run in this process.
PROCESS_MIN_FILES = 2000
BATCH_FILES = 512
BATCH_BYTES = 16 * 1024 * 1024
#: Progress bars appear once writing has taken this long.
PROGRESS_AFTER = 1.0
JOURNAL = "checkout.journal"


@dataclass(frozen=True, slots=True)
class Placement:
    """Object ``oid`` to be written at ``target`` (an absolute path), keeping ``mode`` of
    the file it replaces (None: a new file gets the usual mode)."""

    target: str
    oid: str
    size: int
    mode: int | None = None


@dataclass
class Placed:
    """What a run wrote: each target's stat as written, and what failed, by target."""

    written: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    corrupt: dict[str, str] = field(default_factory=dict)  # target -> the digest read
    failed: dict[str, str] = field(default_factory=dict)  # target -> why
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, directory: str, written: Written, failed: Failed) -> None:
        with self._lock:
            for name, ino, size, mtime in written:
                self.written[os.path.join(directory, name)] = (ino, size, mtime)
            for name, kind, detail in failed:
                target = os.path.join(directory, name)
                if kind == "corrupt":
                    self.corrupt[target] = detail
                else:
                    self.failed[target] = detail

    @property
    def ok(self) -> bool:
        return not self.corrupt and not self.failed


class _Progress:
    """Files and bytes done, shown once the work has lasted ``PROGRESS_AFTER``."""

    def __init__(self, factory: ProgressFactory | None, files: int, size: int, label: str):
        self.factory = factory
        self.totals = (files, size)
        self.label = label
        self.started = time.monotonic()
        self.done = [0, 0]
        self.bars: tuple[ProgressBar, ProgressBar] | None = None
        self.lock = threading.Lock()

    def update(self, files: int, size: int) -> None:
        with self.lock:
            self.done[0] += files
            self.done[1] += size
            if self.bars is not None:
                self.bars[0].update(files)
                self.bars[1].update(size)
            elif self.factory is not None and time.monotonic() - self.started >= PROGRESS_AFTER:
                self.bars = (
                    self.factory(total=self.totals[0], desc=f"{self.label} files", unit="file"),
                    self.factory(
                        total=self.totals[1],
                        desc=f"{self.label} bytes",
                        unit="B",
                        unit_scale=True,
                        unit_divisor=1024,
                    ),
                )
                self.bars[0].update(self.done[0])
                self.bars[1].update(self.done[1])

    def close(self) -> None:
        if self.bars is not None:
            for bar in self.bars:
                bar.close()


def sweep(journal: str) -> None:
    """Remove the temporary files of the run the journal describes (a killed one)."""
    token, *dirs = journal.splitlines()
    for d in dirs:
        with contextlib.suppress(OSError), os.scandir(d) as entries:
            for entry in entries:
                if filebatch.is_temporary(entry.name, token):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def sweep_leftovers(tmp_dir: Path) -> None:
    """What a killed run left in the work tree, removed (``gc`` calls this; a run that is
    going on holds the journal's lock, and it is left alone)."""
    with contextlib.suppress(OSError), open(tmp_dir / JOURNAL, "r+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        sweep(f.read())
        f.truncate(0)


class FileWriter:
    """Restores objects of ``objects`` as files (see the module's text). Use as a context
    manager: one run at a time per store, and what a killed run left is swept first."""

    def __init__(
        self,
        objects: ObjectStore,
        jobs: int | None = None,
        progress: ProgressFactory | None = None,
        label: str = "checkout",
    ) -> None:
        self.objects = objects
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.progress = progress
        self.label = label
        self.token = secrets.token_hex(4)
        self._journal = -1

    def __enter__(self) -> FileWriter:
        self.objects.tmp.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.objects.tmp / JOURNAL, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another checkout of this store waits for us
            left = os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "surrogateescape")
            if left:
                sweep(left)
                os.ftruncate(fd, 0)
        except BaseException:
            os.close(fd)
            raise
        self._journal = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            os.ftruncate(self._journal, 0)
        os.close(self._journal)
        self._journal = -1

    def _begin(self, directories: Iterable[str]) -> None:
        """Name the directories about to get temporary files, durably, before the first."""
        text = "\n".join([self.token, *directories]) + "\n"
        os.ftruncate(self._journal, 0)
        os.pwrite(self._journal, text.encode("utf-8", "surrogateescape"), 0)
        os.fsync(self._journal)

    def write(
        self, placements: Sequence[Placement], located: Mapping[str, Location] | None = None
    ) -> Placed:
        """Write every placement; the files written are durable when this returns.
        ``located``: where the packed objects are, if the caller looked already."""
        assert self._journal >= 0, "FileWriter is used as a context manager"
        placed = Placed()
        if not placements:
            return placed
        if located is None:
            located = self.objects.packs.locations({p.oid for p in placements})
        large = [p for p in placements if p.oid not in located and p.size > PACK_MAX_OBJECT]
        queues = self._batches(placements, located)
        directories = sorted({os.path.dirname(p.target) for p in placements})
        for d in directories:
            _mkdir(d)
        self._begin(directories)
        meter = _Progress(
            self.progress, len(placements), sum(p.size for p in placements), self.label
        )
        try:
            with ThreadPoolExecutor(max_workers=min(2, self.jobs)) as pool:
                copies = [pool.submit(self._large, p, placed, meter) for p in large]
                self._small(queues, placed, meter)
                for future in copies:
                    _reraise_unexpected(future)
        finally:
            meter.close()
        sync_all(directories, (Path(t) for t in placed.written))
        return placed

    def _batches(
        self, placements: Sequence[Placement], located: Mapping[str, Location]
    ) -> list[deque[Batch]]:
        """The small files as batches, one deque per directory, largest directory first."""
        packs: dict[str, str] = {}
        by_dir: dict[str, list[Job]] = {}
        for p in placements:
            loc = located.get(p.oid)
            if loc is not None:
                src = packs.get(loc[0])
                if src is None:
                    src = packs[loc[0]] = str(self.objects.packs.pack_path(loc[0]))
                offset = loc[1]
            elif p.size <= PACK_MAX_OBJECT:
                src, offset = str(self.objects.path(p.oid)), -1
            else:
                continue  # a large file: copied on its own
            directory, name = os.path.split(p.target)
            job = (name, -1 if p.mode is None else p.mode, p.oid, src, offset, p.size)
            by_dir.setdefault(directory, []).append(job)
        out = []
        for directory, jobs in sorted(by_dir.items(), key=lambda kv: -len(kv[1])):
            jobs.sort(key=lambda j: (j[3], j[4]))  # pack order: neighbours read together
            queue: deque[Batch] = deque()
            start = size = 0
            for i, job in enumerate(jobs):
                if i > start and (i - start >= BATCH_FILES or size + job[5] > BATCH_BYTES):
                    queue.append((directory, self.token, jobs[start:i]))
                    start, size = i, 0
                size += job[5]
            queue.append((directory, self.token, jobs[start:]))
            out.append(queue)
        return out

    def _small(self, queues: list[deque[Batch]], placed: Placed, meter: _Progress) -> None:
        def done(batch: Batch, result: tuple[Written, Failed]) -> bool:
            placed.add(batch[0], *result)
            meter.update(len(result[0]), sum(w[2] for w in result[0]))
            return placed.ok  # stop handing out batches at the first failure

        files = sum(len(b[2]) for q in queues for b in q)
        workers = min(self.jobs, len(queues)) if files >= PROCESS_MIN_FILES else 0
        if workers >= 2:
            with contextlib.suppress(Workers.Unavailable), Workers(workers) as pool:
                pool.run(queues, done)
                return
        sources = Sources()
        try:
            for queue in queues:
                while queue:
                    batch = queue.popleft()
                    if not done(batch, run_batch(batch, sources)):
                        return
        finally:
            sources.close()

    def _large(self, p: Placement, placed: Placed, meter: _Progress) -> None:
        if not placed.ok:
            return
        directory, name = os.path.split(p.target)
        tmp = os.path.join(directory, temporary_name(name, self.token))
        try:
            fd = open_new(tmp, p.mode)
            try:
                copy_large(str(self.objects.path(p.oid)), fd, p.oid, p.size, meter_bytes(meter))
                st = os.fstat(fd)
            finally:
                os.close(fd)
            os.rename(tmp, p.target)
        except Corrupt as e:
            _unlink(tmp)
            placed.add(directory, [], [(name, "corrupt", e.digest)])
            return
        except OSError as e:
            _unlink(tmp)
            placed.add(directory, [], [(name, "error", e.strerror or str(e))])
            return
        placed.add(directory, [(name, st.st_ino, st.st_size, st.st_mtime_ns)], [])
        meter.update(1, 0)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def meter_bytes(meter: _Progress) -> Callable[[int], None]:
    return lambda n: meter.update(0, n)


def _mkdir(directory: str) -> None:
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise StoreError(
            f"cannot create directory {directory}: {e.strerror}",
            "a file may be in the way of a directory the snapshot has",
        ) from None


def _reraise_unexpected(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        raise exc
