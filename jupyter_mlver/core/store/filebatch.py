"""One batch of small files written into one directory: the unit of work of
``FileWriter``, run in its own process or in a worker (``python -m`` this module).

Each object is read out of its pack with the others of the batch (the batch is in pack
order, and neighbouring objects come in one ranged read), hashed from the buffer that is
then written, and put in place whole (``placing``). Bytes that do not hash to their object
are never written. Nothing is synced here: the writer makes the whole checkout durable at
once.

Messages are marshalled tuples, each preceded by its length, so a worker needs nothing
but the standard library and blake3.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import struct
import sys
from collections.abc import Iterator
from typing import IO, Any

import blake3

from .placing import Placer

#: (name, mode or -1 for a new file, object id, source file, offset or -1, size); a source
#: with an offset is a pack, without one the object's own file.
Job = tuple[str, int, str, str, int, int]
#: (directory, token of the run, jobs)
Batch = tuple[str, str, list[Job]]
#: (job's index in its batch, inode, size, mtime_ns) of each file written
Written = list[tuple[int, int, int, int]]
#: (job's index in its batch, kind: "corrupt" | "missing" | "error", detail)
Failed = list[tuple[int, str, str]]

#: Objects closer than this in a pack are read together; a read is at most ``_RANGE_MAX``.
_RANGE_GAP = 64 * 1024
_RANGE_MAX = 16 * 1024 * 1024
_FRAME = struct.Struct("<Q")


class _PackOrder:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    def __call__(self, i: int) -> tuple[str, int]:
        return self.jobs[i][3], self.jobs[i][4]


def _ranges(jobs: list[Job], order: list[int]) -> Iterator[tuple[str, int, int, list[int]]]:
    """The packed jobs (indexes, in pack order) as ``(pack, start, end, indexes)`` spans
    each read at once."""
    i = 0
    while i < len(order):
        _, _, _, src, start, size = jobs[order[i]]
        end = start + size
        k = i + 1
        while k < len(order):
            _, _, _, s, off, size = jobs[order[k]]
            if s != src or off - end > _RANGE_GAP or off + size - start > _RANGE_MAX:
                break
            end = max(end, off + size)
            k += 1
        yield src, start, end, order[i:k]
        i = k


class Sources:
    """Open pack files, kept for the batches that follow."""

    def __init__(self) -> None:
        self._fds: dict[str, int] = {}

    def fd(self, path: str) -> int:
        fd = self._fds.get(path)
        if fd is None:
            fd = self._fds[path] = os.open(path, os.O_RDONLY)
        return fd

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def read(self, jobs: list[Job], failed: Failed) -> Iterator[tuple[int, memoryview]]:
        """Each job's index with its object's bytes (as read: they may be damaged), the
        packed ones in pack order; a job whose source cannot be read goes to ``failed``."""
        packed = sorted((i for i, j in enumerate(jobs) if j[4] >= 0), key=_PackOrder(jobs))
        for src, start, end, span in _ranges(jobs, packed):
            try:
                view = memoryview(os.pread(self.fd(src), end - start, start))
            except OSError as e:
                failed.extend((i, "missing", f"{src}: {e.strerror}") for i in span)
                continue
            for i in span:
                offset = jobs[i][4] - start
                yield i, view[offset : offset + jobs[i][5]]
        for i, job in enumerate(jobs):
            if job[4] < 0:
                try:
                    with open(job[3], "rb", buffering=0) as f:
                        yield i, memoryview(f.read())
                except OSError as e:
                    failed.append((i, "missing", f"{job[3]}: {e.strerror}"))


def place(placer: Placer, job: Job, data: memoryview) -> os.stat_result:
    """Put one file in place."""
    return placer.place(job[0], data, None if job[1] < 0 else job[1])


def run_batch(batch: Batch, sources: Sources) -> tuple[Written, Failed]:
    directory, token, jobs = batch
    written: Written = []
    failed: Failed = []
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        return written, [(i, "error", e.strerror or str(e)) for i in range(len(jobs))]
    placer = Placer(dir_fd, token)
    try:
        for i, data in sources.read(jobs, failed):
            job = jobs[i]
            digest = blake3.blake3(data).hexdigest()
            if digest != job[2]:
                failed.append((i, "corrupt", digest))
                continue
            try:
                st = place(placer, job, data)
            except OSError as e:
                failed.append((i, "error", e.strerror or str(e)))
                continue
            written.append((i, st.st_ino, st.st_size, st.st_mtime_ns))
    finally:
        os.close(dir_fd)
    return written, failed


def send(stream: IO[bytes], message: Any) -> None:
    body = marshal.dumps(message)
    stream.write(_FRAME.pack(len(body)) + body)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return marshal.loads(body)


def _die_with(parent: int) -> None:
    """A worker whose checkout is killed is killed too (Linux); elsewhere it stops at the
    end of its batch, when it finds its input closed."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def serve(parent: int) -> None:
    """A worker: batches in on stdin, results out on stdout, until stdin closes."""
    _die_with(parent)
    gc.disable()  # a batch makes thousands of small objects and no cycles
    sources = Sources()
    try:
        while (batch := receive(sys.stdin.buffer)) is not None:
            send(sys.stdout.buffer, run_batch(batch, sources))
    finally:
        sources.close()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
