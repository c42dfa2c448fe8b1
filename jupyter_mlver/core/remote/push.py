"""push(): send records and the objects they need to a remote, then mark them published."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from .. import records
from ..errors import MlverError, RemoteError
from ..hashing import MMAP_THRESHOLD, hash_bytes, hash_file
from ..store.datarefs import Walker
from ..store.index.db import ALL
from ..store.packs import PACK_MAX_OBJECT
from ..store.store import Store
from . import numbering
from . import pack_transfer as remote_packs
from .backend import MULTIPART_SIZE, RemoteFS
from .config import get_remote
from .ledger import TRUST_SECONDS, Ledger
from .plan import Plan
from .result import Meter, ProgressFactory, TransferResult, default_jobs

#: Ledger rows are committed in batches this large, so a killed push loses little.
_LEDGER_BATCH = 2000


def tag_names(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(tag name, snapshot id)`` pairs a record declares: a snapshot's own ``tags`` or a
    tag record."""
    if record.get("schema") == records.TAG:
        return [(record["name"], record["snapshot"])]
    if record.get("schema") == records.SNAPSHOT:
        return [(name, record["id"]) for name in record.get("tags") or []]
    return []


class _LocalCorrupt(Exception):
    pass


def push_roots(store: Store, refs: Sequence[str], notebook: object = ALL) -> list[str]:
    """Every indexed record, or the records ``refs`` name plus the tag records naming them
    (``HEAD`` is the latest snapshot of ``notebook``, as in ``Store.resolve``); a model ref
    names model versions and alias events (see ``models.transfer``)."""
    if not refs:
        # Numbering events stay in the store that made them; a publication travels as its
        # claim (see ``numbering.py``).
        return store.index.record_ids(besides="number")
    from ..models import transfer
    from ..models.refs import looks_like_model_ref

    out: list[str] = []
    for ref in refs:
        # A model ref (churn@production, churn:3, or a model's name that is no tag).
        if looks_like_model_ref(ref) or (
            store.index.tag_target(ref) is None and transfer.is_model_name(store, ref)
        ):
            out.extend(transfer.local_roots(store, ref))
            continue
        rid = store.resolve(ref, notebook, kind=None)
        out.append(rid)
        rows = store.index.conn.execute(
            "SELECT record FROM tags WHERE snapshot = ? AND record IS NOT NULL", (rid,)
        )
        out.extend(r[0] for r in rows)
    return list(dict.fromkeys(out))


def _walk(
    store: Store, roots: Iterable[str], complete: Callable[[str], bool], result: TransferResult
) -> tuple[Plan, set[str]]:
    """The plan for ``roots`` and what they link to, stopping at records ``complete`` on
    the remote already; returns the records that cannot be read here as well."""
    plan = Plan(Walker(store.objects.get_bytes))
    broken: set[str] = set()
    todo = [r for r in roots if not complete(r)]
    while todo:
        rid = todo.pop()
        if rid in plan.needs or rid in broken:
            continue
        try:
            needs = plan.add(store.get(rid))
        except MlverError:
            broken.add(rid)
            result.problems.append(
                f"record {rid} cannot be read from this store (run `jupyter mlver fsck`)"
            )
            continue
        todo.extend(link for link in needs.links if not complete(link))
    return plan, broken


def part_jobs(sizes: Iterable[int], jobs: int) -> int:
    """Parts in flight per large object: all the jobs for one large object, fewer when
    several share them (and at most 16, so buffered parts stay under 256 MiB each)."""
    large = sum(1 for size in sizes if size >= MULTIPART_SIZE)
    return max(1, min(16, jobs // max(1, min(large, jobs))))


def _upload_one(
    store: Store, rfs: RemoteFS, oid: str, size: int, meter: Meter, parts: int = 1
) -> None:
    """Check the local bytes against the name, then upload them (never a corrupt object)."""
    path = store.objects.local_path(oid)
    if size < MMAP_THRESHOLD or path is None:
        data = store.objects.get_bytes(oid)
        if hash_bytes(data) != oid:
            raise _LocalCorrupt(oid)
        rfs.put_bytes(data, rfs.object_key(oid))
        meter.update(size)
        return
    if hash_file(path, size) != oid:
        raise _LocalCorrupt(oid)
    sent = 0

    def on_bytes(n: int) -> None:
        nonlocal sent
        sent += n
        meter.update(n)

    rfs.put_file(path, rfs.object_key(oid), on_bytes, parts)
    meter.update(max(0, size - sent))


def push(
    store: Store,
    name: str | None = None,
    refs: Sequence[str] = (),
    *,
    data: bool = True,
    jobs: int | None = None,
    verify: bool = False,
    progress: ProgressFactory | None = None,
    notebook: object = ALL,
) -> TransferResult:
    """Push ``refs`` (default: every record) to the remote ``name`` (default: the default).

    Objects go first, in parallel; a record's marker is written only once all it needs is
    there, so readers never see half a record. ``verify`` ignores the local ledger and asks
    the remote about every object. ``progress`` is a tqdm-like factory (bytes).
    """
    started = time.monotonic()
    remote = get_remote(store, name)
    jobs = jobs or default_jobs()
    result = TransferResult("push", remote.name, remote.url)
    roots = push_roots(store, refs, notebook)
    versions = numbering.local_versions(store, roots)
    with Ledger(store.dir) as ledger:
        published = ledger.records(remote.ident)

        def complete(rid: str) -> bool:
            return rid in published and (published[rid] or not data)

        # Nothing to send, and the remote was checked against the ledger a moment ago:
        # answer without a request (and without importing the storage library).
        ago = ledger.checked_ago(remote.ident)
        trusted = ago is not None and ago < TRUST_SECONDS and not versions
        if not verify and trusted and all(map(complete, roots)):
            result.records = len(roots)
            result.checked_ago = ago
            result.seconds = time.monotonic() - started
            return result
        rfs = RemoteFS(remote, jobs)
        if versions:  # before anything is sent: a remote that cannot number is refused
            numbering.check_can_claim(rfs, ledger)
        listed_at = time.time()
        markers = rfs.markers()
        lost = [rid for rid in published if rid not in markers]
        if verify or lost:
            if lost and not verify:
                result.warnings.append(
                    f"remote {remote.name} no longer has {len(lost)} record(s) pushed earlier "
                    "(wiped or replaced?): checking every object again"
                )
            ledger.forget(remote.ident)
            published = {}
        ledger.checked(remote.ident, listed_at)  # the ledger now claims nothing unseen

        plan, broken = _walk(store, roots, complete, result)
        result.records = len(set(roots) | set(plan.needs))
        wanted = set(plan.needs) | plan.plain()
        data_sizes = plan.data() if data else {}
        if not data:
            result.data_skipped = len(plan.data())
        needed = wanted | set(data_sizes)
        local_sizes = store.objects.sizes(needed)
        local_missing = needed - local_sizes.keys()
        for oid in sorted(local_missing & wanted):
            result.problems.append(f"object {oid} is missing from this store")
        absent_data = local_missing & set(data_sizes)
        if absent_data:
            result.data_skipped += len(absent_data)
            result.warnings.append(
                f"{len(absent_data)} data cop(ies) are not in this store (pulled with "
                "--no-data?) and were not pushed"
            )
        candidates = needed - local_missing
        result.objects = len(candidates)
        remote_packs.learn(rfs, ledger, jobs)
        on_remote = ledger.known_objects(remote.ident, candidates)
        # A listed object counts only at its full size: a truncated one (another writer's
        # interrupted upload on a filesystem remote) is sent again, not vouched for.
        listed = rfs.sizes(candidates - on_remote, jobs)
        whole = {oid for oid, size in listed.items() if size == local_sizes[oid]}
        ledger.add_objects(remote.ident, whole)
        on_remote |= whole
        result.present = len(on_remote)
        todo = {oid: local_sizes[oid] for oid in candidates - on_remote}
        # Small data copies go many to a pack: a few requests instead of one per file.
        # (One found short as a loose object is replaced in place, so none stays behind.)
        packed = {
            o: n
            for o, n in todo.items()
            if o in data_sizes and n <= PACK_MAX_OBJECT and o not in listed
        }
        if todo or any(rid not in markers for rid in plan.needs):
            rfs.write_format()
        loose = {o: n for o, n in todo.items() if o not in packed}
        meter = Meter(progress, sum(todo.values()), f"push {rfs.remote.name}")
        uploads = _Uploads(store, rfs, ledger, meter, result)
        try:
            uploads.loose(loose, jobs)
            uploads.packed(packed, jobs)
        finally:
            meter.close()
        on_remote |= uploads.uploaded
        for oid in sorted(uploads.corrupt):
            result.problems.append(
                f"object {oid} in this store is corrupt (its content does "
                "not match its name): not pushed; run `jupyter mlver fsck`"
            )
        numbering.claim_landed(store, rfs, ledger, plan, versions, broken, on_remote, jobs, result)
        _publish(rfs, ledger, plan, broken, on_remote, markers, complete, result)
    result.seconds = time.monotonic() - started
    return result


class _Uploads:
    """Objects sent to one remote, loose or in packs, several at once; the ledger learns
    each one as it lands. Afterwards ``uploaded`` holds what landed and ``corrupt`` what was
    not sent because its bytes here do not match its name."""

    def __init__(
        self, store: Store, rfs: RemoteFS, ledger: Ledger, meter: Meter, result: TransferResult
    ) -> None:
        self.store, self.rfs, self.ledger = store, rfs, ledger
        self.meter, self.result = meter, result
        self.uploaded: set[str] = set()
        self.corrupt: set[str] = set()
        self._unrecorded: list[str] = []  # landed, not in the ledger yet

    def loose(self, todo: dict[str, int], jobs: int) -> None:
        """Upload ``todo`` (oid -> size) one object each, in parallel."""
        if not todo:
            return
        # Large objects first: they set the wall time, small ones fill the gaps.
        order = iter(sorted(todo, key=lambda oid: -todo[oid]))
        parts = part_jobs(todo.values(), jobs)
        pool = ThreadPoolExecutor(max_workers=jobs)
        futures: dict[Future[None], str] = {}

        def submit(oid: str) -> None:
            future = pool.submit(
                _upload_one, self.store, self.rfs, oid, todo[oid], self.meter, parts
            )
            futures[future] = oid

        error: BaseException | None = None
        try:
            # A bounded window keeps memory flat with millions of objects.
            for oid in itertools.islice(order, jobs * 4):
                submit(oid)
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    failed = self._land(futures.pop(future), future, todo)
                    error = error or failed
                    nxt = next(order, None) if error is None else None
                    if nxt is not None:
                        submit(nxt)
                if len(self._unrecorded) >= _LEDGER_BATCH:
                    self._record()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._record()
        if isinstance(error, MlverError):
            raise error
        if error is not None:
            raise RemoteError(
                f"push {self.rfs.remote.name}: {type(error).__name__}: {error}"
            ) from error

    def _land(self, oid: str, future: Future[None], todo: dict[str, int]) -> BaseException | None:
        """Count one finished upload; the error it failed with, if it was not this store's
        corrupt copy."""
        exc = future.exception()
        if exc is None:
            self.uploaded.add(oid)
            self.result.moved += 1
            self.result.moved_bytes += todo[oid]
            self._unrecorded.append(oid)
        elif isinstance(exc, _LocalCorrupt):
            self.corrupt.add(oid)
        else:
            return exc
        return None

    def _record(self) -> None:
        self.ledger.add_objects(self.rfs.remote.ident, self._unrecorded)
        self._unrecorded.clear()

    def packed(self, todo: dict[str, int], jobs: int) -> None:
        """Upload ``todo`` (small objects) as packs, several at once; the ledger learns each
        pack's objects once its index has landed."""
        if not todo:
            return

        def one(group: list[str]) -> remote_packs.BuiltPack:
            contents = []
            for oid in group:
                data = self.store.objects.get_bytes(oid)
                if hash_bytes(data) != oid:
                    self.corrupt.add(oid)  # never a corrupt object on the remote
                    continue
                contents.append((oid, data))
            pack = remote_packs.build_pack(contents)
            remote_packs.upload(self.rfs, pack)
            self.meter.update(sum(len(d) for _, d in contents))
            return pack

        groups = remote_packs.group(todo)
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(groups)))) as pool:
            for pack in pool.map(one, groups):
                self.ledger.add_pack(self.rfs.remote.ident, pack.name, pack.entries)
                self.uploaded.update(oid for oid, _, _ in pack.entries)
                self.result.moved += len(pack.entries)
                self.result.moved_bytes += sum(size for _, _, size in pack.entries)


def _publish(
    rfs: RemoteFS,
    ledger: Ledger,
    plan: Plan,
    broken: set[str],
    on_remote: set[str],
    markers: dict[str, str],
    complete: Callable[[str], bool],
    result: TransferResult,
) -> None:
    """Write the marker of every record whose needs have all landed, in link order."""
    ok: dict[str, bool] = {}
    rows: list[tuple[str, str, bool]] = []
    to_mark: list[tuple[str, str]] = []
    for needs in plan.ordered():
        missing = sorted(({needs.id} | needs.plain) - on_remote)
        bad_links = [
            link for link in needs.links if link in broken or not (ok.get(link) or complete(link))
        ]
        ok[needs.id] = not missing and not bad_links
        if not ok[needs.id]:
            why = (
                f"object(s) {', '.join(m[:12] for m in missing)} did not land"
                if missing
                else f"it needs record {bad_links[0][:12]}, which was not pushed"
            )
            result.problems.append(f"{needs.kind} {needs.id} not published: {why}")
            continue
        with_data = set(needs.data) <= on_remote
        rows.append((needs.id, needs.kind, with_data))
        if markers.get(needs.id) != needs.kind:
            to_mark.append((needs.kind, needs.id))
    names = [
        rfs.tag_key(name, snapshot)
        for kind, rid in to_mark
        for name, snapshot in tag_names(plan.needs[rid].record)
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(to_mark)))) as pool:
        # Names first: a record marker promises its tag markers are there too.
        list(pool.map(lambda key: rfs.put_bytes(b"", key), names))
        list(pool.map(lambda km: rfs.put_bytes(b"", rfs.marker_key(*km)), to_mark))
    result.published = len(to_mark)
    ledger.add_records(rfs.remote.ident, rows)
