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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from .durable import sync_all
from .filebatch import Batch, Failed, Job, Sources, Written, run_batch
from .objects import ObjectStore
from .packs import PACK_MAX_OBJECT, Location
from .placing import Placer, is_temporary
from .verified import Corrupt, copy_large
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
    """What a run wrote, by directory: ``(name, inode, size, mtime_ns, object)`` of each
    file; and what failed, by target."""

    written: dict[str, list[tuple[str, int, int, int, str]]] = field(default_factory=dict)
    corrupt: dict[str, str] = field(default_factory=dict)  # target -> the digest read
    failed: dict[str, str] = field(default_factory=dict)  # target -> why
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, directory: str, jobs: Sequence[Job], written: Written, failed: Failed) -> None:
        done = [(jobs[i][0], ino, size, mtime, jobs[i][2]) for i, ino, size, mtime in written]
        with self._lock:
            if done:
                self.written.setdefault(directory, []).extend(done)
            for i, kind, detail in failed:
                target = os.path.join(directory, jobs[i][0])
                if kind == "corrupt":
                    self.corrupt[target] = detail
                else:
                    self.failed[target] = detail

    def files(self) -> Iterator[tuple[str, tuple[int, int, int], str]]:
        """``(target, (inode, size, mtime_ns), object)`` of every file written."""
        for directory, rows in self.written.items():
            for name, ino, size, mtime, oid in rows:
                yield os.path.join(directory, name), (ino, size, mtime), oid

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

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            for bar in self.bars:
                bar.close()


def sweep(journal: str) -> None:
    """Remove the temporary files of the run the journal describes (a killed one)."""
    token, *dirs = journal.splitlines()
    for d in dirs:
        with contextlib.suppress(OSError), os.scandir(d) as entries:
            for entry in entries:
                if is_temporary(entry.name, token):
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

    def __exit__(self, *exc: object) -> None:
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
        small = len(placements) - len(large)
        with contextlib.ExitStack() as stack:
            # Started first: their start-up overlaps the batching below.
            pool = self._workers(small, stack)
            queues = self._batches(placements, located)
            directories = sorted({os.path.dirname(p.target) for p in placements})
            for d in directories:
                _mkdir(d)
            self._begin(directories)
            meter = stack.enter_context(
                _Progress(
                    self.progress, len(placements), sum(p.size for p in placements), self.label
                )
            )
            with ThreadPoolExecutor(max_workers=min(2, self.jobs)) as copier:
                copies = [copier.submit(self._large, p, placed, meter) for p in large]
                self._small(queues, placed, meter, pool)
                for future in copies:
                    _reraise_unexpected(future)
        sync_all(directories, (Path(target) for target, _, _ in placed.files()))
        return placed

    def _workers(self, files: int, stack: contextlib.ExitStack) -> Workers | None:
        """Writer processes, when there are enough small files to share out."""
        count = min(self.jobs, -(-files // BATCH_FILES))
        if files < PROCESS_MIN_FILES or count < 2:
            return None
        try:
            return stack.enter_context(Workers(count))
        except Workers.Unavailable:
            return None

    def _batches(
        self, placements: Sequence[Placement], located: Mapping[str, Location]
    ) -> list[deque[Batch]]:
        """The small files as batches, one deque per directory, largest directory first."""
        names = {name for name, _, _ in located.values()}
        packs = {name: str(self.objects.packs.pack_path(name)) for name in names}
        by_dir: dict[str, list[Job]] = {}
        split = os.path.split
        for p in placements:
            loc = located.get(p.oid)
            if loc is not None:
                src, offset = packs[loc[0]], loc[1]
            elif p.size <= PACK_MAX_OBJECT:
                src, offset = str(self.objects.path(p.oid)), -1
            else:
                continue  # a large file: copied on its own
            directory, name = split(p.target)
            job = (name, -1 if p.mode is None else p.mode, p.oid, src, offset, p.size)
            jobs = by_dir.get(directory)
            if jobs is None:
                jobs = by_dir[directory] = []
            jobs.append(job)
        out = []
        for directory, jobs in sorted(by_dir.items(), key=lambda kv: -len(kv[1])):
            jobs.sort(key=itemgetter(3, 4))  # pack order: neighbours read together
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

    def _small(
        self, queues: list[deque[Batch]], placed: Placed, meter: _Progress, pool: Workers | None
    ) -> None:
        def done(batch: Batch, result: tuple[Written, Failed]) -> bool:
            placed.add(batch[0], batch[2], *result)
            meter.update(len(result[0]), sum(w[2] for w in result[0]))
            return placed.ok  # stop handing out batches at the first failure

        if pool is not None:
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
        src = str(self.objects.path(p.oid))
        job = (name, -1 if p.mode is None else p.mode, p.oid, src, -1, p.size)
        try:
            st = self._copy(directory, name, src, p, meter)
        except Corrupt as e:
            placed.add(directory, [job], [], [(0, "corrupt", e.digest)])
            return
        except OSError as e:
            placed.add(directory, [job], [], [(0, "error", e.strerror or str(e))])
            return
        placed.add(directory, [job], [(0, st.st_ino, st.st_size, st.st_mtime_ns)], [])
        meter.update(1, 0)

    def _copy(
        self, directory: str, name: str, src: str, p: Placement, meter: _Progress
    ) -> os.stat_result:
        """Copy a large object into place (see ``placing``), checked as it is copied."""
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            placer = Placer(dir_fd, self.token)
            fd, tmp = placer.open(name, p.mode)
            try:
                if tmp is None and p.mode is not None:
                    os.fchmod(fd, p.mode)
                copy_large(src, fd, p.oid, p.size, meter_bytes(meter))
                st = os.fstat(fd)
                placer.commit(fd, name, tmp, new=p.mode is None)
            except BaseException:
                placer.abandon(tmp)
                raise
            finally:
                os.close(fd)
        finally:
            os.close(dir_fd)
        return st


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
