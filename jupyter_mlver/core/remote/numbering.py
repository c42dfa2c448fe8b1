"""The registry's numbering on push and pull: claim numbers for local versions, learn the
numbers colleagues claimed, and move local versions out of their way.

Push (``claim``), after a version's objects have landed and before its marker is written:
a version that is still local here claims its own number, else the next free one (one past
every number claimed there and every number this store holds), until a conditional create
wins. A claim that already names the version (a push killed after claiming) is adopted, so
a version never holds two numbers. The publication is then stored here, and local versions
whose number a claim now holds move to the next free number.

Pull (``learn``), after the records are indexed: every claim on the remote that names a
version this store has is stored here (the same bytes: every store holds the same
publication), local versions whose number a colleague's claim holds move, and numbers that
two records still share (pulled from a remote written before numbers were claimed) are
repaired (``models.numbers.repair``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator

from .. import records
from ..capture.git import author as git_author
from ..models import numbers
from ..models.numbers import Renumbering
from ..records import Record
from ..store.store import Store
from . import claims, conditional
from .backend import RemoteFS
from .claims import Claim
from .ledger import Ledger
from .plan import Plan
from .result import TransferResult


def local_versions(store: Store, roots: Iterable[str]) -> list[Record]:
    """The version records ``roots`` name or point at (alias and deployment events name
    theirs) that are not published yet, by name and number."""
    found: dict[str, Record] = {}
    for rid in roots:
        kind = store.index.kind_of(rid)
        if kind in ("alias", "deployment", "number"):
            rid = store.get(rid)["model_record"]
            kind = store.index.kind_of(rid)
        if kind == "model" and rid not in found:
            number = store.index.model_number(rid)
            if number is not None and not number[1]:
                found[rid] = store.get(rid)
    return sorted(found.values(), key=lambda r: (r["name"], r["version"], r["created"], r["id"]))


def check_can_claim(rfs: RemoteFS, ledger: Ledger) -> None:
    """Refuse (one line, ``RemoteError``) a remote that cannot create a key only if absent;
    an S3 server is checked once per store (``conditional.verify``)."""
    if ledger.conditional_ok(rfs.remote.ident):
        return
    conditional.require(rfs)
    if rfs.s3:
        conditional.verify(rfs)
    ledger.set_conditional_ok(rfs.remote.ident)


@contextlib.contextmanager
def _one_publisher(store: Store) -> Iterator[None]:
    """One claiming push at a time from this store (two pushes of one version from one
    store would otherwise race for two numbers)."""
    fd = os.open(store.dir / "publish.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _publication(store: Store, claim: Claim, rfs: RemoteFS) -> None:
    """Store the publication a claim holds (the claim's own bytes) and index it."""
    body = claims.body_of(rfs, claim)
    if body is None or not store.index.has(body["model_record"]) or store.index.has(body["id"]):
        return
    numbers.store_event(store, {k: v for k, v in body.items() if k != "id"})


def claim(
    store: Store, rfs: RemoteFS, ledger: Ledger, versions: list[Record], jobs: int = 16
) -> tuple[list[Renumbering], dict[str, str]]:
    """Claim a number on the remote for each of ``versions`` (local ones); returns the
    renumberings (their own, and other local versions moved out of the way) and the
    versions that could not be published, with why."""
    if not versions:
        return [], {}
    author = git_author(store.root)
    done: list[Renumbering] = []
    failed: dict[str, str] = {}
    with _one_publisher(store):
        for name in sorted({v["name"] for v in versions}):
            held = claims.listing(rfs, ledger, name, jobs).get(name, {})
            mine = [store.get(v["id"]) for v in versions if v["name"] == name]
            for version in mine:
                if version.get("published"):
                    continue  # adopted from a claim meanwhile
                outcome = _claim_one(store, rfs, ledger, version, held, author)
                if isinstance(outcome, str):
                    failed[version["id"]] = outcome
                elif outcome is not None:
                    done.append(outcome)
            taken = {n: c.record or "" for n, c in held.items()}
            done += numbers.make_room(
                store, name, taken, author=author, why=_reasons(rfs, name, held)
            )
    return done, failed


def _claim_one(
    store: Store,
    rfs: RemoteFS,
    ledger: Ledger,
    version: Record,
    held: dict[int, Claim],
    author: dict[str, str | None],
) -> Renumbering | str | None:
    """Claim a number for one local version; ``held`` (number -> claim) is updated."""
    name, rid, own = version["name"], version["id"], int(version["version"])
    for claim_ in held.values():
        if claim_.record == rid:  # claimed by a push that did not finish
            _publication(store, claim_, rfs)
            return _as_renumbering(version, claim_.number, "claimed by an earlier push")
    want = own
    while True:
        if want in held:
            want = 1 + max(set(held) | numbers.numbers(store, name, besides=rid))
            continue
        why = None if want == own else f"{name}:{own} is taken on {rfs.remote.name}"
        event = numbers.number_record(
            model=version, old=own, new=want, event="published", author=author, reason=why
        )
        _, body = records.encode(event)
        if conditional.create(rfs, claims.key(rfs, name, want), body):
            ledger.add_claims(rfs.remote.ident, [(name, want, rid)])
            held[want] = Claim(name, want, rid, body)
            numbers.store_event(store, event)
            return _as_renumbering(version, want, why or "")
        found = claims.read(rfs, name, want)  # lost the race: who won?
        ledger.add_claims(rfs.remote.ident, [(name, want, found.record)])
        held[want] = found
        if found.record == rid:  # ours after all: an answer lost and the request retried
            _publication(store, found, rfs)
            return _as_renumbering(version, want, why or "")


def _as_renumbering(version: Record, new: int, reason: str) -> Renumbering | None:
    old = int(version["version"])
    if old == new:
        return None
    return Renumbering(version["name"], version["id"], old, new, "published", reason)


def _reasons(rfs: RemoteFS, name: str, held: dict[int, Claim]) -> list[tuple[int, str]]:
    return [
        (n, f"{name}:{n} is published on {rfs.remote.name} ({(c.record or '?')[:12]})")
        for n, c in held.items()
    ]


def learn(store: Store, rfs: RemoteFS, ledger: Ledger, jobs: int = 16) -> list[Renumbering]:
    """After a pull: adopt the remote's claims for the versions this store has, move local
    versions out of the way of colleagues' claims, and repair numbers still shared."""
    mine = {name for name, _, _ in store.index.model_names()}
    if not mine:
        return []
    author = git_author(store.root)
    done: list[Renumbering] = []
    every = claims.listing(rfs, ledger, None, jobs)
    for name in sorted(mine):
        held = every.get(name, {})
        for claim_ in held.values():
            if claim_.record is not None and store.index.has(claim_.record):
                known = store.index.model_number(claim_.record)
                if known is not None and not known[1]:
                    _publication(store, claim_, rfs)
        taken = {n: c.record or "" for n, c in held.items()}
        done += numbers.make_room(store, name, taken, author=author, why=_reasons(rfs, name, held))
    done += numbers.repair(store, sorted(mine), author=author)
    return done


def claim_landed(
    store: Store,
    rfs: RemoteFS,
    ledger: Ledger,
    plan: Plan,
    versions: list[Record],
    broken: set[str],
    on_remote: set[str],
    jobs: int,
    result: TransferResult,
) -> None:
    """Number the local versions whose objects have all landed (``numbering.claim``); a
    version that could not claim one is left unpublished, and so is what needs it."""
    landed = [
        v
        for v in versions
        if v["id"] not in broken
        and (v["id"] not in plan.needs or {v["id"], *plan.needs[v["id"]].plain} <= on_remote)
    ]
    renumbered, failed = claim(store, rfs, ledger, landed, jobs)
    result.renumbered += [r.to_json() for r in renumbered]
    for rid, why in failed.items():
        broken.add(rid)
        result.problems.append(f"model {rid} not published: {why}")
