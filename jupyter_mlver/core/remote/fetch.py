"""Verified reads from a remote for ``pull``: records, loose objects (several in flight,
published in batches), and objects out of the remote's packs (a few ranged reads each).
Nothing enters the store before it hashes to its name: a small object is checked in
memory and staged from the same bytes (``ObjectWriter.add_checked``, the store's writer
that checkout's shares its primitives with), a large one as it lands in ``tmp/``."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from .. import records
from ..errors import MlverError, RemoteError
from ..hashing import hash_bytes, hash_file
from ..records import Record
from ..store.objects import ObjectWriter
from ..store.packs import PACK_MAX_OBJECT
from ..store.verified import Corrupt, check
from . import pack_transfer as remote_packs
from .backend import RemoteFS
from .push import part_jobs
from .result import Meter, ProgressFactory, TransferResult

#: Downloaded objects are published into the store in batches this large (or this many
#: bytes, or after this long), so a killed pull keeps most of what it fetched.
_COMMIT_OBJECTS = 256
_COMMIT_BYTES = 256 * 1024 * 1024
_COMMIT_SECONDS = 1.0
#: Objects up to this size are read into memory, checked there and staged from the same
#: bytes: no file to write, read back and hash.
IN_MEMORY = PACK_MAX_OBJECT


class RemoteReader:
    """Verified reads from one remote."""

    def __init__(self, rfs: RemoteFS, jobs: int) -> None:
        self.rfs = rfs
        self.jobs = jobs
        self.name = rfs.remote.name
        self.bad: set[str] = set()  # objects the remote served corrupt

    def corrupt_message(self, oid: str, digest: str) -> str:
        self.bad.add(oid)
        return (
            f"object {oid} on remote {self.name} is corrupt: its content hashes to "
            f"{digest[:12]}… ({self.rfs.object_key(oid)}); it was not stored"
        )

    def record_bytes(self, oid: str) -> bytes:
        """A record object's bytes, verified; ``FileNotFoundError`` or ``Corrupt``."""
        with self.rfs.translate(f"read record {oid[:12]}", missing_ok=True):
            data = bytes(self.rfs.fs.cat_file(self.rfs.object_key(oid)))
        check(oid, data)
        return data

    def records(
        self, oids: Sequence[str], result: TransferResult, missing_is_problem: bool = True
    ) -> dict[str, tuple[Record, bytes]]:
        def one(oid: str) -> tuple[str, bytes | BaseException]:
            try:
                return oid, self.record_bytes(oid)
            except (FileNotFoundError, Corrupt, RemoteError) as e:
                return oid, e

        out: dict[str, tuple[Record, bytes]] = {}
        if not oids:
            return out
        with ThreadPoolExecutor(max_workers=min(self.jobs, len(oids))) as pool:
            for oid, got in pool.map(one, oids):
                if isinstance(got, Corrupt):
                    result.problems.append(self.corrupt_message(oid, got.digest))
                elif isinstance(got, RemoteError):
                    raise got
                elif isinstance(got, BaseException):
                    if missing_is_problem:
                        result.problems.append(f"record {oid} is missing from remote {self.name}")
                else:
                    record = records.decode(oid, got)
                    if record is None:
                        result.problems.append(
                            f"object {oid} on remote {self.name} is not a record"
                        )
                    else:
                        out[oid] = (record, got)
        return out

    def small(self, oid: str, meter: Meter) -> bytes:
        """A small object's bytes, checked; ``FileNotFoundError`` or ``Corrupt``."""
        with self.rfs.translate(f"read {oid[:12]}", missing_ok=True):
            data = bytes(self.rfs.fs.cat_file(self.rfs.object_key(oid)))
        meter.update(len(data))
        check(oid, data)
        return data

    def download(self, oid: str, tmp: Path, meter: Meter, parts: int = 1) -> int:
        """Fetch one object into ``tmp`` and check its hash; returns its size."""
        got = 0

        def on_bytes(n: int) -> None:
            nonlocal got
            got += n
            meter.update(n)

        try:
            self.rfs.get_file(self.rfs.object_key(oid), tmp, on_bytes, parts)
            size = tmp.stat().st_size
            meter.update(max(0, size - got))
            digest = hash_file(tmp, size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if digest != oid:
            tmp.unlink(missing_ok=True)
            raise Corrupt(oid, digest)
        return size


class _Downloads:
    """One batch of loose objects: several in flight, staged as each lands, published into
    the store every ``_COMMIT_*`` so a killed pull keeps most of what it fetched."""

    def __init__(
        self,
        src: RemoteReader,
        writer: ObjectWriter,
        sizes: dict[str, int],
        result: TransferResult,
        packable: Collection[str],
    ) -> None:
        self.src = src
        self.writer = writer
        self.sizes = sizes
        self.result = result
        self.packable = packable
        self.parts = 1
        self.meter: Meter | None = None
        self.staged = [0, 0]  # objects, bytes since the last commit
        self.last_commit = time.monotonic()
        self.error: BaseException | None = None

    def fetch(self, oid: str) -> bytes | Path:
        """An object's bytes (a small one) or the file it landed in, checked (a thread's)."""
        assert self.meter is not None
        if self.sizes[oid] <= IN_MEMORY:
            return self.src.small(oid, self.meter)
        tmp = self.writer.tmp_path()
        self.src.download(oid, tmp, self.meter, self.parts)
        return tmp

    def land(self, oid: str, got: bytes | Path) -> None:
        if isinstance(got, bytes):
            size = len(got)
            if oid in self.packable:
                self.writer.add_packed(oid, got)  # small data copies join a pack
            else:
                self.writer.add_checked(oid, got)
        else:
            size = got.stat().st_size
            self.writer.adopt(got, oid)
        self.result.moved += 1
        self.result.moved_bytes += size
        self.staged[0] += 1
        self.staged[1] += size

    def failed(self, oid: str, exc: BaseException) -> None:
        if isinstance(exc, Corrupt):
            self.result.problems.append(self.src.corrupt_message(oid, exc.digest))
        elif isinstance(exc, FileNotFoundError):
            self.result.problems.append(f"object {oid} vanished from remote {self.src.name}")
        elif self.error is None:
            self.error = exc

    def maybe_commit(self) -> None:
        objects, size = self.staged
        if objects and (
            objects >= _COMMIT_OBJECTS
            or size >= _COMMIT_BYTES
            or time.monotonic() - self.last_commit >= _COMMIT_SECONDS
        ):
            self.writer.commit()
            self.staged = [0, 0]
            self.last_commit = time.monotonic()

    def run(self, jobs: int, progress: ProgressFactory | None) -> None:
        self.meter = Meter(progress, sum(self.sizes.values()), f"pull {self.src.name}")
        self.parts = part_jobs(self.sizes.values(), jobs)
        todo = iter(sorted(self.sizes, key=lambda oid: -self.sizes[oid]))
        pool = ThreadPoolExecutor(max_workers=jobs)
        futures: dict[Future[bytes | Path], str] = {}

        def submit() -> None:
            oid = next(todo, None)
            if oid is not None and self.error is None:
                futures[pool.submit(self.fetch, oid)] = oid

        try:
            for _ in range(jobs * 4):
                submit()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    oid = futures.pop(future)
                    exc = future.exception()
                    if exc is None:
                        self.land(oid, future.result())
                    else:
                        self.failed(oid, exc)
                    submit()
                self.maybe_commit()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.meter.close()


def download_all(
    src: RemoteReader,
    writer: ObjectWriter,
    sizes: dict[str, int],
    jobs: int,
    progress: ProgressFactory | None,
    result: TransferResult,
    packable: Collection[str] = (),
) -> None:
    if not sizes:
        return
    downloads = _Downloads(src, writer, sizes, result, packable)
    downloads.run(jobs, progress)
    error = downloads.error
    if error is not None:
        if isinstance(error, MlverError):
            raise error
        raise RemoteError(f"pull {src.name}: {type(error).__name__}: {error}") from error


def download_packed(
    src: RemoteReader,
    writer: ObjectWriter,
    located: dict[str, tuple[str, int, int]],
    jobs: int,
    progress: ProgressFactory | None,
    result: TransferResult,
) -> None:
    """Fetch objects out of the remote's packs (a few ranged reads per pack), verify each
    against its name and pack them here."""
    if not located:
        return
    by_pack: dict[str, list[tuple[str, int, int]]] = {}
    for oid, (pack, offset, size) in located.items():
        by_pack.setdefault(pack, []).append((oid, offset, size))
    meter = Meter(progress, sum(size for _, _, size in located.values()), f"pull {src.name}")

    def one(pack: str) -> list[tuple[str, bytes]]:
        got = list(remote_packs.fetch(src.rfs, pack, by_pack[pack]))
        meter.update(sum(len(d) for _, d in got))
        return got

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(by_pack)))) as pool:
            for got in pool.map(one, sorted(by_pack)):
                for oid, data in got:
                    digest = hash_bytes(data)
                    if digest != oid:
                        result.problems.append(src.corrupt_message(oid, digest))
                        continue
                    writer.add_packed(oid, data)
                    result.moved += 1
                    result.moved_bytes += len(data)
    finally:
        meter.close()
