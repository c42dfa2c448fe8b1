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

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .. import records
from ..errors import InvalidInput
from ..records import Record
from ..store.store import Store
from .aliases import put_locked

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
    model: Record,
    old: int,
    new: int,
    event: str,
    author: dict[str, str | None],
    reason: str | None,
) -> Record:
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


def parse_claim(raw: bytes, name: str, number: int) -> Record | None:
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
    return record


def store_event(store: Store, record: Record) -> Record:
    """Store and index one numbering event (its version record must be indexed)."""
    written: set[str] = set()
    with store.writing():
        try:
            with store.index.transaction():
                return put_locked(store, record, written)
        except BaseException:
            for oid in written:
                store.objects.remove(oid)
            raise


def numbers(store: Store, name: str, *, besides: str | None = None) -> set[int]:
    """Every number a version of ``name`` holds in this store (but ``besides``'s)."""
    return {v for v, rid, _ in store.index.model_rows(name) if rid != besides}


def renumber(
    store: Store,
    version: Record,
    new: int,
    *,
    event: str,
    author: dict[str, str | None],
    reason: str,
) -> Renumbering:
    """Give the local version ``version`` (a record read from the store) number ``new``."""
    if version.get("published"):
        raise InvalidInput(f"{version['name']}:{version['version']} is published: it keeps it")
    old = int(version["version"])
    store_event(
        store,
        number_record(model=version, old=old, new=new, event=event, author=author, reason=reason),
    )
    return Renumbering(version["name"], version["id"], old, new, event, reason)


def make_room(
    store: Store,
    name: str,
    taken: dict[int, str],
    *,
    author: dict[str, str | None],
    why: Iterable[tuple[int, str]] = (),
) -> list[Renumbering]:
    """Move each local version of ``name`` whose number ``taken`` (number -> the record that
    holds it, e.g. on the remote) gives to another record to the next free number, lowest
    first. ``why`` gives a reason per number (default: "taken")."""
    reasons = dict(why)
    out = []
    for number, rid, published in store.index.model_rows(name):
        holder = taken.get(number)
        if published or holder is None or holder == rid:
            continue
        new = 1 + max(numbers(store, name) | set(taken))
        reason = reasons.get(number) or f"{name}:{number} is taken by {holder[:12]}"
        out.append(
            renumber(store, store.get(rid), new, event="renumbered", author=author, reason=reason)
        )
    return out


def _first(record: Record) -> tuple[str, str, str, str]:
    author = record.get("author") or {}
    return (
        record.get("created") or "",
        str(author.get("name") or ""),
        str(author.get("email") or ""),
        record["id"],
    )


def repair(
    store: Store, names: Iterable[str] | None = None, *, author: dict[str, str | None]
) -> list[Renumbering]:
    """Give every version of ``names`` (default: every model) a number of its own. Where
    several records hold one number, a published one keeps it, else the one registered
    first (time, then author name and email, then id); the others take the next free
    numbers in that order, each recorded as a ``repaired`` event. Deterministic: two stores
    holding the same records repair them the same way."""
    todo = [n for n, _, _ in store.index.model_names()] if names is None else sorted(set(names))
    out: list[Renumbering] = []
    for name in todo:
        groups: dict[int, list[tuple[str, bool]]] = {}
        for number, rid, published in store.index.model_rows(name):
            groups.setdefault(number, []).append((rid, published))
        for number in sorted(groups):
            if len(groups[number]) < 2:
                continue
            held = [store.get(rid) for rid, _ in groups[number]]
            held.sort(key=lambda r: (not r.get("published"), _first(r)))
            keeper = held[0]
            for loser in held[1:]:
                if loser.get("published"):
                    continue  # two claims of one number cannot happen on one remote
                new = 1 + max(numbers(store, name))
                out.append(
                    renumber(
                        store,
                        loser,
                        new,
                        event="repaired",
                        author=author,
                        reason=f"{name}:{number} was also held by {keeper['id'][:12]}, "
                        "registered first",
                    )
                )
    return out
