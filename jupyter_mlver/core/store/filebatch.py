"""One batch of small files written into one directory: the unit of work of
``FileWriter``, run in its own process or in a worker (``python -m`` this module).

Each object is read out of its pack with the others of the batch (the batch is in pack
order, and neighbouring objects come in one ranged read), hashed from the buffer that is
then written, written to a temporary name in the target's directory and renamed over the
target. Bytes that do not hash to their object are never written. Nothing is synced here:
the writer makes the whole checkout durable at once.

Messages are marshalled tuples, each preceded by its length, so a worker needs nothing
but the standard library and blake3.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
import sys
from collections.abc import Iterator
from typing import IO, Any

import blake3

from .verified import write_new

#: (name, mode or -1 for a new file, object id, source file, offset or -1, size); a source
#: with an offset is a pack, without one the object's own file.
Job = tuple[str, int, str, str, int, int]
#: (directory, token of the run, jobs)
Batch = tuple[str, str, list[Job]]
#: (name, inode, size, mtime_ns) of each file written
Written = list[tuple[str, int, int, int]]
#: (name, kind: "corrupt" | "missing" | "error", detail)
Failed = list[tuple[str, str, str]]

#: Objects closer than this in a pack are read together; a read is at most ``_RANGE_MAX``.
_RANGE_GAP = 64 * 1024
_RANGE_MAX = 16 * 1024 * 1024
_FRAME = struct.Struct("<Q")
#: Longer names get a temporary name of their hash instead (names are at most 255 bytes).
_LONG_NAME = 200


def temporary_name(name: str, token: str) -> str:
    """The name a file is written under before it is renamed over ``name``."""
    if len(name.encode("utf-8", "surrogateescape")) > _LONG_NAME:
        name = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f".{name}.mlver-{token}.tmp"


def is_temporary(name: str, token: str) -> bool:
    return name.startswith(".") and name.endswith(f".mlver-{token}.tmp")


def _ranges(jobs: list[Job]) -> Iterator[tuple[str, int, int, list[Job]]]:
    """Packed jobs (in pack order) as ``(pack, start, end, jobs)`` read spans."""
    i = 0
    while i < len(jobs):
        src, start = jobs[i][3], jobs[i][4]
        end = start + jobs[i][5]
        k = i + 1
        while k < len(jobs):
            _, _, _, s, off, size = jobs[k]
            if s != src or off - end > _RANGE_GAP or off + size - start > _RANGE_MAX:
                break
            end = max(end, off + size)
            k += 1
        yield src, start, end, jobs[i:k]
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

    def read(self, jobs: list[Job], failed: Failed) -> Iterator[tuple[Job, memoryview]]:
        """Each job with its object's bytes (as read: they may be damaged); a job whose
        source cannot be read goes to ``failed``."""
        packed = sorted((j for j in jobs if j[4] >= 0), key=lambda j: (j[3], j[4]))
        for src, start, end, span in _ranges(packed):
            try:
                view = memoryview(os.pread(self.fd(src), end - start, start))
            except OSError as e:
                failed.extend((j[0], "missing", f"{src}: {e.strerror}") for j in span)
                continue
            for job in span:
                yield job, view[job[4] - start : job[4] - start + job[5]]
        for job in jobs:
            if job[4] < 0:
                try:
                    with open(job[3], "rb", buffering=0) as f:
                        yield job, memoryview(f.read())
                except OSError as e:
                    failed.append((job[0], "missing", f"{job[3]}: {e.strerror}"))


def place(dir_fd: int, token: str, job: Job, data: memoryview) -> tuple[str, int, int, int]:
    """Write one file under its temporary name and rename it over the target."""
    name, mode = job[0], job[1]
    tmp = temporary_name(name, token)
    st = write_new(tmp, data, None if mode < 0 else mode, dir_fd=dir_fd)
    try:
        os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
    return name, st.st_ino, st.st_size, st.st_mtime_ns


def run_batch(batch: Batch, sources: Sources) -> tuple[Written, Failed]:
    directory, token, jobs = batch
    written: Written = []
    failed: Failed = []
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        return written, [(j[0], "error", e.strerror or str(e)) for j in jobs]
    try:
        for job, data in sources.read(jobs, failed):
            digest = blake3.blake3(data).hexdigest()
            if digest != job[2]:
                failed.append((job[0], "corrupt", digest))
                continue
            try:
                written.append(place(dir_fd, token, job, data))
            except OSError as e:
                failed.append((job[0], "error", e.strerror or str(e)))
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
    sources = Sources()
    try:
        while (batch := receive(sys.stdin.buffer)) is not None:
            send(sys.stdout.buffer, run_batch(batch, sources))
    finally:
        sources.close()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
