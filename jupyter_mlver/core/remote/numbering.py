"""The registry's numbering on push and pull: claim numbers for local versions, learn the
numbers colleagues claimed, and move local versions out of their way.

Push (``claim``), after a version's objects have landed and before its marker is written:
local versions whose number a colleague claimed move past the highest number known, like a
rebase (``numbers.make_room``: the first one held and every local version after it, in
their order, so the newest keeps the highest number). Then each claims the number it has,
by a conditional create; one that loses a race learns the winner, moves again, and tries
again. A claim that already names the version (a push killed after claiming) is adopted,
so a version never holds two numbers. The publication is stored here; it is the claim's
body, byte for byte.

Pull (``learn``), after the records are indexed: every claim on the remote that names a
version this store has is stored here (the same bytes: every store holds the same
publication), local versions whose number a colleague's claim holds move the same way, and
numbers that two records still share (pulled from a remote written before numbers were
claimed) are repaired (``models.numbers.repair``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from .. import records
from ..capture.git import author as git_author
from ..errors import RemoteError
from ..filelock import exclusive
from ..models import numbers
from ..models.numbers import Renumbering
from ..records import Author, ModelRecord
from ..store.store import Store
from . import claims, conditional
from .backend import RemoteFS
from .claims import Claim
from .ledger import Ledger
from .plan import Plan
from .result import TransferResult

#: How often a create refused for a number nobody holds is tried again before giving up.
_REFUSALS = 5


def local_versions(store: Store, roots: Iterable[str]) -> list[ModelRecord]:
    """The version records ``roots`` name or point at (alias and deployment events name
    theirs) that are not published yet, by name and number."""
    local = store.index.unpublished_models()
    if not local:  # the usual case, and the one a push of nothing new must answer at once
        return []
    found: dict[str, ModelRecord] = {}
    for rid in roots:
        if rid not in local and store.index.kind_of(rid) in ("alias", "deployment", "number"):
            rid = store.get(rid)["model_record"]
        if rid in local and rid not in found:
            found[rid] = store.get(rid, ModelRecord)
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


def _one_publisher(store: Store) -> contextlib.AbstractContextManager[None]:
    """One claiming push at a time from this store (two pushes of one version from one
    store would otherwise race for two numbers)."""
    return exclusive(store.dir / "publish.lock")


def _publication(store: Store, claim: Claim, rfs: RemoteFS) -> None:
    """Store the publication a claim holds (the claim's own bytes) and index it."""
    body = claims.body_of(rfs, claim)
    if body is None or not store.index.has(body["model_record"]) or store.index.has(body["id"]):
        return
    event = body.copy()
    del event["id"]
    numbers.store_event(store, event)


def claim(
    store: Store, rfs: RemoteFS, ledger: Ledger, versions: list[ModelRecord], jobs: int = 16
) -> list[Renumbering]:
    """Claim a number on the remote for each of ``versions`` (local ones, whose objects
    are there); returns every renumbering it made (those versions and the local versions
    after them, moved past numbers colleagues claimed first)."""
    author = git_author(store.root)
    done: list[Renumbering] = []
    with _one_publisher(store):
        for name in sorted({v["name"] for v in versions}):
            held = claims.listing(rfs, ledger, name, jobs).get(name, {})
            ids = {v["id"] for v in versions if v["name"] == name}
            for claim_ in held.values():
                if claim_.record in ids:  # claimed by a push killed before it said so here
                    _publication(store, claim_, rfs)
            done += _rebase(store, rfs, name, held, author)
            for rid in sorted(ids, key=lambda r: store.index.model_number(r) or (0, False)):
                done += _claim_one(store, rfs, ledger, rid, held, author)
    return _collapse(done)


def _collapse(done: list[Renumbering]) -> list[Renumbering]:
    """One line per version: a version moved several times by races (each move recorded)
    is said once, from its first number to its last, with why it had to move."""
    first: dict[str, Renumbering] = {}
    last: dict[str, Renumbering] = {}
    for r in done:
        first.setdefault(r.record, r)
        last[r.record] = r
    return [
        Renumbering(r.model, r.record, r.old, last[rid].new, r.event, r.reason)
        for rid, r in first.items()
    ]


def _rebase(
    store: Store, rfs: RemoteFS, name: str, held: dict[int, Claim], author: Author
) -> list[Renumbering]:
    """Move local versions past the numbers ``held`` on the remote (``numbers.make_room``)."""

    def reason(number: int) -> str:
        claim_ = held.get(number)
        if claim_ is None:
            return f"{name}:{number} is published here"
        body = claims.body_of(rfs, claim_)
        author = body.get("author") if body else None  # a damaged body: "?"
        who = (author.get("name") if author else None) or "?"
        return f"{name}:{number} is published on {rfs.remote.name} by {who}"

    taken = {n: c.record or "" for n, c in held.items()}
    return numbers.make_room(store, name, taken, author=author, reason=reason)


def _claim_one(
    store: Store,
    rfs: RemoteFS,
    ledger: Ledger,
    rid: str,
    held: dict[int, Claim],
    author: Author,
) -> list[Renumbering]:
    """Claim the number a local version has (moving it past every number a colleague
    wins meanwhile); ``held`` (number -> claim) learns each claim seen."""
    moved: list[Renumbering] = []
    refused: dict[int, int] = {}
    while True:
        version = store.get(rid, ModelRecord)
        if version["published"]:
            return moved
        name, want = version["name"], int(version["version"])
        event = numbers.number_record(
            model=version, old=want, new=want, event="published", author=author, reason=None
        )
        _, body = records.encode(event)
        if conditional.create(rfs, claims.key(rfs, name, want), body):
            ledger.add_claims(rfs.remote.ident, [(name, want, rid)])
            held[want] = Claim(name, want, rid, body)
            numbers.store_event(store, event)
            return moved
        found = claims.read(rfs, name, want)  # lost the race: who won?
        if found is None:  # nobody: the upload that made the server refuse ours failed
            refused[want] = refused.get(want, 0) + 1
            if refused[want] > _REFUSALS:
                raise RemoteError(
                    f"remote {rfs.remote.name} refuses to create the claim of {name}:{want} "
                    "but holds none",
                    "run the push again; if it persists, check the remote",
                )
            continue
        ledger.add_claims(rfs.remote.ident, [(name, want, found.record)])
        held[want] = found
        if found.record == rid:  # ours after all: an answer lost and the request retried
            _publication(store, found, rfs)
            return moved
        moved += _rebase(store, rfs, name, held, author)


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
        done += _rebase(store, rfs, name, held, author)
    done += numbers.repair(store, sorted(mine), author=author)
    return done


def claim_landed(
    store: Store,
    rfs: RemoteFS,
    ledger: Ledger,
    plan: Plan,
    versions: list[ModelRecord],
    broken: set[str],
    on_remote: set[str],
    jobs: int,
    result: TransferResult,
) -> None:
    """Number the local versions whose objects have all landed (``claim``); the others
    stay local."""
    landed = [
        v
        for v in versions
        if v["id"] not in broken
        and (v["id"] not in plan.needs or {v["id"], *plan.needs[v["id"]].plain} <= on_remote)
    ]
    result.renumbered += [r.to_json() for r in claim(store, rfs, ledger, landed, jobs)]
