"""One numbering of a model's versions across a team: ``mlver.number/1`` events.

A version record keeps the number it was registered with; its number in a store is set by
events, so records stay immutable and every renumbering is kept:

- ``published``: the number was claimed on a remote by a conditional create that only one
  writer wins (``remote/claims.py``). The event's bytes are the claim's body, so every store
  that learns of it holds the same record. A published number never changes.
- ``renumbered``: a local (unpublished) version moved to the next free number because a
  colleague's published version holds its number (found by a push or a pull).
- ``repaired``: a store made before numbers were claimed held two records under one number;
  the one registered first (time, then author, then id) keeps it, the others move.

A version's number is its publication's, else its last event's, else its own (the index
applies them: ``store/index/models.py``). Aliases and deployments name the version record,
so they follow it. Every change is said in one line (``views.models.text.renumbering``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, cast

from .. import records
from ..capture.git import author as git_author
from ..errors import InvalidInput
from ..records import Author, ModelRecord, NumberRecord
from ..store.store import Store
from .aliases import put_locked
from .records import stamp_after

EVENTS = ("published", "renumbered", "repaired")


@dataclass(frozen=True)
class Renumbering:
    """A version that changed number: ``old`` -> ``new``, and why."""

    model: str
    record: str
    old: int
    new: int
    event: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def number_record(
    *,
    model: ModelRecord,
    old: int,
    new: int,
    event: str,
    author: Author,
    reason: str | None,
) -> NumberRecord:
    """An ``mlver.number/1`` event: ``model`` (a version record) holds ``new`` from now on."""
    if event not in EVENTS:
        raise InvalidInput(f"unknown numbering event {event!r}")
    return {
        "schema": records.NUMBER,
        "model": model["name"],
        "model_record": model["id"],
        "event": event,
        "old": old,
        "new": new,
        "author": author,
        "created": records.now(),
        "reason": reason,
    }


def parse_claim(raw: bytes, name: str, number: int) -> NumberRecord | None:
    """The publication a claim's body holds, or None when it is not one of ``name``'s
    number ``number`` (a foreign or damaged key: the number stays taken all the same)."""
    from ..hashing import hash_bytes

    record = records.decode(hash_bytes(raw), raw)
    if (
        record is None
        or record.get("schema") != records.NUMBER
        or record.get("event") != "published"
        or record.get("model") != name
        or record.get("new") != number
        or not isinstance(record.get("model_record"), str)
    ):
        return None
    return cast(NumberRecord, record)  # its fields checked above


def store_event(store: Store, *events: NumberRecord) -> None:
    """Store and index numbering events in one index transaction (their version records
    must be indexed): a store never shows half a renumbering."""
    written: set[str] = set()
    with store.writing():
        try:
            with store.index.transaction():
                for event in events:
                    put_locked(store, event, written)
        except BaseException:
            for oid in written:
                store.objects.remove(oid)
            raise


def numbers(store: Store, name: str, *, besides: str | None = None) -> set[int]:
    """Every number a version of ``name`` holds in this store (but ``besides``'s)."""
    return {v for v, rid, _ in store.index.model_rows(name) if rid != besides}


def renumber(
    store: Store,
    moves: list[tuple[str, int, str]],
    *,
    event: str,
    author: Author,
) -> list[Renumbering]:
    """Give local versions new numbers, all in one transaction: ``(record id, new number,
    reason)`` each."""
    if not moves:
        return []
    out: list[Renumbering] = []
    events: list[NumberRecord] = []
    for rid, new, reason in moves:
        version = store.get(rid, ModelRecord)
        if version.get("published"):
            raise InvalidInput(f"{version['name']}:{version['version']} is published: it keeps it")
        old = int(version["version"])
        made = number_record(
            model=version, old=old, new=new, event=event, author=author, reason=reason
        )
        if events:  # one batch keeps its order, even within one millisecond
            made["created"] = stamp_after(events[-1]["created"])
        events.append(made)
        out.append(Renumbering(version["name"], rid, old, new, event, reason))
    store_event(store, *events)
    return out


def make_room(
    store: Store,
    name: str,
    taken: dict[int, str],
    *,
    author: Author,
    reason: Callable[[int], str],
) -> list[Renumbering]:
    """Move local versions of ``name`` out of the way of numbers held by other records:
    ``taken`` (number -> the record holding it, e.g. claimed on a remote) and the versions
    published here. Like a rebase: the first local version whose number is held moves past
    the highest number held, and the local versions after it follow in their order (so the
    newest keeps the highest number). ``reason(number)`` says who holds a number."""
    rows = store.index.model_rows(name)
    published = {n: rid for n, rid, pub in rows if pub}
    blocked = set(taken) | set(published)
    moves: list[tuple[str, int, str, int]] = []  # record, new number, why, old number
    stayed: set[int] = set()
    last: int | None = None  # the number the previous moved (or kept) local version has
    for number, rid, is_published in rows:
        if is_published:
            continue
        holder = taken.get(number) or published.get(number)
        clash = holder is not None and holder != rid
        if last is None and not clash:
            stayed.add(number)
            continue
        if last is None:
            last = max(blocked | stayed)
        elif not clash and number > last:
            last = number  # already after the moved ones: it keeps its number
            continue
        new = last + 1
        while new in blocked:
            new += 1
        if clash or not moves:
            why = reason(number)
        else:
            before = moves[-1]
            why = f"it stays after {name}:{before[3]}, now {name}:{before[1]}"
        moves.append((rid, new, why, number))
        last = new
    return renumber(store, [(r, n, w) for r, n, w, _ in moves], event="renumbered", author=author)


def _first(record: ModelRecord) -> tuple[str, str, str, str]:
    author = record["author"]
    return (record["created"], author["name"], author.get("email") or "", record["id"])


def repair(
    store: Store,
    names: Iterable[str] | None = None,
    *,
    author: Author | None = None,
) -> list[Renumbering]:
    """Give every version of ``names`` (default: every model) a number of its own. Where
    several records hold one number, a published one keeps it, else the one registered
    first (time, then author name and email, then id); the others take the next free
    numbers in that order, each recorded as a ``repaired`` event. Deterministic: two stores
    holding the same records repair them the same way."""
    todo = [n for n, _, _ in store.index.model_names()] if names is None else sorted(set(names))
    author = author or git_author(store.root)
    out: list[Renumbering] = []
    for name in todo:
        groups: dict[int, list[str]] = {}
        for number, rid, _ in store.index.model_rows(name):
            groups.setdefault(number, []).append(rid)
        top = max(groups, default=0)
        moves: list[tuple[str, int, str]] = []
        for number in sorted(groups):
            if len(groups[number]) < 2:
                continue
            held = sorted(
                (store.get(rid, ModelRecord) for rid in groups[number]),
                key=lambda r: (not r.get("published"), _first(r)),
            )
            for loser in held[1:]:
                if loser.get("published"):
                    continue  # two claims of one number cannot happen on one remote
                top += 1
                why = f"{name}:{number} was also held by {held[0]['id'][:12]}, registered first"
                moves.append((loser["id"], top, why))
        out += renumber(store, moves, event="repaired", author=author)
    return out
