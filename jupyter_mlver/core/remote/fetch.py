"""Verified reads from a remote for ``pull``: records, loose objects (several in flight,
published in batches), and objects out of the remote's packs (a few ranged reads each).
Nothing enters the store before it hashes to its name."""

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
from . import pack_transfer as remote_packs
from .backend import RemoteFS
from .push import part_jobs
from .result import Meter, ProgressFactory, TransferResult

#: Downloaded objects are published into the store in batches this large (or this many
#: bytes, or after this long), so a killed pull keeps most of what it fetched.
_COMMIT_OBJECTS = 256
_COMMIT_BYTES = 256 * 1024 * 1024
_COMMIT_SECONDS = 1.0


class Corrupt(Exception):
    def __init__(self, oid: str, digest: str) -> None:
        super().__init__(oid)
        self.digest = digest


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
        digest = hash_bytes(data)
        if digest != oid:
            raise Corrupt(oid, digest)
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
    meter = Meter(progress, sum(sizes.values()), f"pull {src.name}")
    order = sorted(sizes, key=lambda oid: -sizes[oid])
    parts = part_jobs(sizes.values(), jobs)
    it = iter(order)
    staged_objects = staged_bytes = 0
    last_commit = time.monotonic()
    error: BaseException | None = None
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures: dict[Future[int], tuple[str, Path]] = {}

        def submit() -> bool:
            oid = next(it, None)
            if oid is None:
                return False
            tmp = writer.tmp_path()
            futures[pool.submit(src.download, oid, tmp, meter, parts)] = (oid, tmp)
            return True

        while len(futures) < jobs * 4 and submit():
            pass
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                oid, tmp = futures.pop(future)
                exc = future.exception()
                if exc is None:
                    if oid in packable and future.result() <= PACK_MAX_OBJECT:
                        # Small data copies join a pack, as a snapshot's would.
                        writer.add_packed(oid, tmp.read_bytes())
                        tmp.unlink()
                    else:
                        writer.adopt(tmp, oid)
                    result.moved += 1
                    result.moved_bytes += future.result()
                    staged_objects += 1
                    staged_bytes += future.result()
                elif isinstance(exc, Corrupt):
                    result.problems.append(src.corrupt_message(oid, exc.digest))
                elif isinstance(exc, FileNotFoundError):
                    result.problems.append(f"object {oid} vanished from remote {src.name}")
                elif error is None:
                    error = exc
                if error is None:
                    submit()
            if staged_objects and (
                staged_objects >= _COMMIT_OBJECTS
                or staged_bytes >= _COMMIT_BYTES
                or time.monotonic() - last_commit >= _COMMIT_SECONDS
            ):
                writer.commit()
                staged_objects = staged_bytes = 0
                last_commit = time.monotonic()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        meter.close()
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
