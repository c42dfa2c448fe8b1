"""pull(): fetch records and what they need from a remote, verified, then index them."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Sequence

from .. import records
from ..errors import AmbiguousRef, Conflict, InvalidInput, MlverError, RecordNotFound
from ..hashing import hash_bytes
from ..models import aliases as al
from ..models import transfer as model_transfer
from ..models.refs import looks_like_model_ref, parse_ref
from ..records import Record
from ..store.datarefs import Walker
from ..store.objects import ObjectWriter
from ..store.store import MIN_PREFIX, Store
from . import claims, numbering
from . import pack_transfer as remote_packs
from .backend import RemoteFS
from .config import get_remote
from .fetch import RemoteReader, download_all, download_packed
from .ledger import Ledger
from .plan import Needs, Plan
from .result import ProgressFactory, TransferResult, default_jobs

_HEAD = re.compile(r"^HEAD(~\d+)?$")
_HEX = re.compile(r"^[0-9a-f]+$")


def _tag_records(
    src: RemoteReader,
    store: Store,
    markers: dict[str, str],
    snapshots: set[str],
    result: TransferResult,
) -> list[str]:
    """The tag records on the remote that name one of ``snapshots`` (tag records are few
    and small; those this store has are read here)."""
    found: list[str] = []
    fetch = []
    for rid, kind in markers.items():
        if kind != "tag":
            continue
        if store.objects.exists(rid):
            with contextlib.suppress(MlverError):
                if store.get(rid).get("snapshot") in snapshots:
                    found.append(rid)
                continue
        fetch.append(rid)
    for rid, (record, _) in src.records(fetch, result).items():
        if record.get("snapshot") in snapshots:
            found.append(rid)
    return found


Numbers = Callable[[str], dict[str, int]]


def _model_roots(
    src: RemoteReader,
    store: Store,
    ref: str,
    markers: dict[str, str],
    result: TransferResult,
    numbers: Numbers,
) -> list[str]:
    """The records a model ref names on the remote (model and alias records are small);
    ``numbers`` gives a model's claimed numbers there (version record id -> number)."""

    def read(ids: Iterable[str]) -> list[Record]:
        here = [r for r in (_local_record(store, rid) for rid in ids) if r is not None]
        have = {r["id"] for r in here}
        fetched = src.records([rid for rid in ids if rid not in have], result)
        return here + [record for record, _ in fetched.values()]

    name = parse_ref(ref).name
    return model_transfer.remote_roots(ref, markers, read, f"remote {src.name}", numbers(name))


def pull_roots(
    src: RemoteReader,
    store: Store,
    refs: Sequence[str],
    markers: dict[str, str],
    result: TransferResult,
    numbers: Numbers,
) -> list[str]:
    """Resolve ``refs`` against what the remote has, like ``Store.resolve``: a tag, else an
    id prefix (≥ 4 hex), else a model ref. A snapshot brings the tag records that name it."""
    if not refs:
        return list(markers)
    names = src.rfs.tags()
    out: list[str] = []
    for ref in refs:
        ref = ref.strip()
        if looks_like_model_ref(ref):
            out.extend(_model_roots(src, store, ref, markers, result, numbers))
            continue
        if _HEAD.match(ref):
            raise InvalidInput(
                f"{ref} names a snapshot in this store, not on the remote",
                "pull a tag or an id prefix (see `list` where it was pushed)",
            )
        rid = None
        if ref in names:
            # Two people may have pushed the same tag name for different snapshots.
            if len(names[ref]) > 1:
                shown = ", ".join(sorted(s[:12] for s in names[ref]))
                raise AmbiguousRef(
                    f"tag {ref!r} names several snapshots on remote {src.name}: {shown}",
                    "pull by id prefix",
                )
            rid = next(iter(names[ref]))
        elif _HEX.match(ref.lower()) and len(ref) >= MIN_PREFIX:
            prefix = ref.lower()
            matches = [r for r, kind in markers.items() if r.startswith(prefix) and kind != "tag"]
            if len(matches) > 1:
                shown = ", ".join(m[:12] for m in sorted(matches)[:5])
                raise AmbiguousRef(
                    f"ref {ref!r} is ambiguous on remote {src.name}: {shown}",
                    "give more hex digits",
                )
            rid = matches[0] if matches else None
        if rid is None and ref not in names and not _HEX.match(ref.lower()):
            with contextlib.suppress(RecordNotFound):  # not a model's name either: said below
                out.extend(_model_roots(src, store, ref, markers, result, numbers))
                continue
        if rid is None or rid not in markers:
            raise RecordNotFound(
                f"remote {src.name} has no record or tag {ref!r}",
                "check the name, or pull everything with no ref",
            )
        out.append(rid)
    out.extend(_tag_records(src, store, markers, set(out), result))
    return list(dict.fromkeys(out))


def pull(
    store: Store,
    name: str | None = None,
    refs: Sequence[str] = (),
    *,
    data: bool = True,
    jobs: int | None = None,
    progress: ProgressFactory | None = None,
) -> TransferResult:
    """Pull ``refs`` (default: everything) from the remote ``name`` (default: the default).

    Every object is checked against its blake3 name before it enters the store; a corrupt
    or missing one is named in ``problems`` and the records needing it are not indexed.
    """
    started = time.monotonic()
    remote = get_remote(store, name)
    jobs = jobs or default_jobs()
    result = TransferResult("pull", remote.name, remote.url)
    rfs = RemoteFS(remote, jobs)
    src = RemoteReader(rfs, jobs)
    if not rfs.check_format():
        if refs:
            raise RecordNotFound(
                f"remote {remote.name} ({remote.url}) is empty", "push to it first"
            )
        result.seconds = time.monotonic() - started
        return result
    with Ledger(store.dir) as ledger, store.writing(), store.objects.writer() as writer:
        listed_at = time.time()
        markers = rfs.markers()
        lost = [rid for rid in ledger.records(remote.ident) if rid not in markers]
        if lost:
            ledger.forget(remote.ident)
        ledger.checked(remote.ident, listed_at)

        def claimed(name: str) -> dict[str, int]:
            listed = claims.listing(rfs, ledger, name, jobs).get(name, {})
            return {c.record: n for n, c in listed.items() if c.record is not None}

        roots = pull_roots(src, store, refs, markers, result, claimed)
        plan, fetched = _walk(src, store, roots, result)
        _fetch_trees(src, writer, plan, jobs, progress, result)
        result.records = len(plan.needs)
        plain = plan.plain()
        data_sizes = plan.data()
        if not data:
            result.data_skipped = len(data_sizes.keys() - store.objects.present(data_sizes))
            data_sizes = {}
        needed = writer.wanted(plain | set(data_sizes))
        result.objects = len(plain | set(data_sizes))
        result.present = result.objects - len(needed)
        remote_packs.learn(rfs, ledger, jobs)
        located = ledger.locations(remote.ident, needed & data_sizes.keys())
        sizes = rfs.sizes(needed - located.keys(), jobs)
        available = set(sizes) | set(located)
        for oid in sorted(needed - available):
            if oid in plain:
                result.problems.append(f"object {oid} is missing from remote {remote.name}")
            else:
                result.data_skipped += 1
        if set(data_sizes) & (needed - available):
            result.warnings.append(
                f"{len(set(data_sizes) & (needed - available))} data cop(ies) are not on "
                f"remote {remote.name} (pushed with --no-data?)"
            )
        download_all(src, writer, sizes, jobs, progress, result, packable=data_sizes.keys())
        download_packed(src, writer, located, jobs, progress, result)
        writer.commit()
        all_data = plan.data()
        here = store.objects.present(all_data)
        ledger.leave_out(
            remote.ident,
            [oid for oid in all_data if oid not in here and oid not in src.bad],
            here,
        )
        # What the remote served intact is known to be there (a later push skips it).
        ledger.add_objects(remote.ident, (set(sizes) | set(plan.needs)) - src.bad)
        _index(store, plan, fetched, src.bad, result)
        ledger.add_records(
            remote.ident,
            [
                (n.id, n.kind, all(oid in available or oid in here for oid in n.data))
                for n in plan.needs.values()
                if n.id in markers and store.index.has(n.id)
            ],
        )
        result.renumbered += [r.to_json() for r in numbering.learn(store, rfs, ledger, jobs)]
        moves = [n.record for n in plan.needs.values() if n.kind == "alias" and n.id in fetched]
        result.warnings += al.conflicts(store, {m["model"] for m in moves}, set(fetched))
    result.seconds = time.monotonic() - started
    return result


def _local_record(store: Store, rid: str) -> Record | None:
    """The record if this store has it intact (records are small: checking costs little)."""
    try:
        raw = store.objects.get_bytes(rid)
    except MlverError:
        return None
    return records.decode(rid, raw) if hash_bytes(raw) == rid else None


def _walk(
    src: RemoteReader, store: Store, roots: Sequence[str], result: TransferResult
) -> tuple[Plan, dict[str, bytes]]:
    """Fetch the records in ``roots`` and those they link to, wave by wave; records this
    store already has are read here. The fetched records' bytes are only returned: a record
    enters the store once everything it needs has arrived (see ``_index``)."""
    plan = Plan(Walker(store.objects.get_bytes))
    fetched: dict[str, bytes] = {}
    wave = list(dict.fromkeys(roots))
    while wave:
        fetch = []
        for rid in wave:
            if rid in plan.needs:
                continue
            local = _local_record(store, rid)
            if local is not None:
                plan.add(local)
                continue
            fetch.append(rid)  # absent or damaged here: a good copy replaces it if it verifies
        for rid, (record, raw) in src.records(fetch, result).items():
            plan.add(record)
            fetched[rid] = raw
            result.moved += 1
            result.moved_bytes += len(raw)
        wave = [
            link
            for rid in wave
            if rid in plan.needs
            for link in plan.needs[rid].links
            if link not in plan.needs
        ]
    return plan, fetched


def _fetch_trees(
    src: RemoteReader,
    writer: ObjectWriter,
    plan: Plan,
    jobs: int,
    progress: ProgressFactory | None,
    result: TransferResult,
) -> None:
    """Bring the trees of the records' directories, level by level: what a tree holds is
    known only once it is here. A tree the remote lacks leaves its record incomplete."""
    tried: set[str] = set()
    while wanted := plan.unreadable() - tried:
        tried |= wanted
        sizes = src.rfs.sizes(wanted, jobs)
        download_all(src, writer, sizes, jobs, progress, result)
        writer.commit()
        plan.reread()


def _complete(store: Store, plan: Plan, corrupt: set[str], result: TransferResult) -> list[Needs]:
    """The records whose objects and linked records are all here, needed records first.
    A data copy may be absent by choice (``--no-data``), but not because the remote served
    it ``corrupt``."""
    ok: dict[str, bool] = {}
    out = []
    for needs in plan.ordered():
        missing = [oid for oid in needs.plain if not store.objects.exists(oid)]
        missing += sorted(corrupt.intersection(needs.data))
        bad = [
            link
            for link in needs.links
            if not (
                ok.get(link)
                or store.index.has(link)
                or (link not in plan.needs and store.objects.exists(link))
            )
        ]
        ok[needs.id] = not missing and not bad
        if ok[needs.id]:
            out.append(needs)
        else:
            result.problems.append(
                f"{needs.kind} {needs.id} not added: it needs "
                f"{'object ' + missing[0] if missing else 'record ' + bad[0]}, which did not "
                "arrive"
            )
    return out


def _index(
    store: Store, plan: Plan, fetched: dict[str, bytes], corrupt: set[str], result: TransferResult
) -> None:
    """Store and index each record whose needs have all arrived, needed records first; a
    record that cannot be completed leaves no object behind (``fsck`` stays clean)."""
    complete = _complete(store, plan, corrupt, result)
    with store.objects.writer() as writer:
        for needs in complete:
            raw = fetched.get(needs.id)
            if raw is None:
                continue
            if store.objects.exists(needs.id):
                store.objects.remove(needs.id)  # the damaged copy; the verified one replaces it
            writer.add_bytes(raw)
    fingerprints = {
        n.id: n.record.get("fingerprint") for n in plan.needs.values() if n.kind == "environment"
    }
    for needs in complete:
        if store.index.has(needs.id):
            continue
        fingerprint = fingerprints.get(needs.record.get("environment", ""))
        try:
            store.index.add(needs.record, fingerprint=fingerprint)
        except Conflict as e:
            _index_despite_tags(store, needs.record, fingerprint, result, e)
            continue
        result.published += 1


def _index_despite_tags(
    store: Store,
    record: Record,
    fingerprint: str | None,
    result: TransferResult,
    conflict: Conflict,
) -> None:
    """A pulled tag that names another snapshot here: the local tag wins, and the record
    is still indexed (the remote's tag stays in the record itself)."""
    rid = record["id"]
    if records.kind(record) == "tag":
        result.warnings.append(
            f"tag {record['name']!r} from the remote was not applied: {conflict.message}"
        )
        return
    free = [t for t in record.get("tags", []) if store.index.tag_target(t) in (None, rid)]
    taken = sorted(set(record.get("tags", [])) - set(free))
    store.index.add({**record, "tags": free}, fingerprint=fingerprint)
    result.published += 1
    result.warnings.append(
        f"{records.kind(record)} {rid[:12]}: tag(s) {', '.join(taken)} "
        "already name other snapshots here and were not applied"
    )
