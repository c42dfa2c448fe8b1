"""What a set of records needs: linked records, plain objects and data copies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import records
from ..records import Record

#: Fields through which one record names another record (not a plain object).
_LINKS = {
    "snapshot": ("environment",),
    "image": ("environment", "snapshot"),
    "tag": ("snapshot",),
    "environment": (),
    "model": ("snapshot",),
    "alias": ("model_record",),
    "deployment": ("model_record",),
}
#: The order records are published and indexed in: what is named before what names it.
KIND_ORDER = {
    "environment": 0,
    "snapshot": 1,
    "image": 2,
    "tag": 3,
    "model": 4,
    "alias": 5,
    "deployment": 6,
}


def linked(record: Record) -> list[str]:
    """Ids of the records this record names (environment, snapshot)."""
    return [record[f] for f in _LINKS.get(records.kind(record), ()) if record.get(f)]


def data_ids(record: Record) -> dict[str, int | None]:
    """Stored data copies (what ``--no-data`` leaves behind) with their sizes."""
    if record.get("schema") != records.SNAPSHOT:
        return {}
    return {e["hash"]: e.get("size") for e in record.get("data") or [] if e.get("stored")}


def plain_ids(record: Record) -> set[str]:
    """Objects the record needs besides records and data copies: notebook, diff, state,
    Dockerfile, lock, build log, wheels."""
    return set(records.references(record)) - set(linked(record)) - set(data_ids(record))


@dataclass
class Needs:
    """One record's direct needs, split the way transfers treat them."""

    record: Record
    links: list[str]
    plain: set[str]
    data: dict[str, int | None]

    @classmethod
    def of(cls, record: Record) -> Needs:
        return cls(record, linked(record), plain_ids(record), data_ids(record))

    @property
    def kind(self) -> str:
        return records.kind(self.record)

    @property
    def id(self) -> str:
        return str(self.record["id"])


@dataclass
class Plan:
    """Records (by id) and everything they need, as found by walking their links."""

    needs: dict[str, Needs] = field(default_factory=dict)

    def add(self, record: Record) -> Needs:
        needs = Needs.of(record)
        self.needs[needs.id] = needs
        return needs

    def plain(self) -> set[str]:
        return {oid for n in self.needs.values() for oid in n.plain}

    def data(self) -> dict[str, int | None]:
        return {oid: size for n in self.needs.values() for oid, size in n.data.items()}

    def ordered(self) -> list[Needs]:
        return sorted(
            self.needs.values(),
            key=lambda n: (KIND_ORDER.get(n.kind, 9), n.record.get("created") or "", n.id),
        )

    def closure_of(self, roots: Iterable[str]) -> set[str]:
        """The record ids reachable from ``roots`` through links (within the plan)."""
        seen: set[str] = set()
        todo = [r for r in roots if r in self.needs]
        while todo:
            rid = todo.pop()
            if rid in seen:
                continue
            seen.add(rid)
            todo.extend(link for link in self.needs[rid].links if link in self.needs)
        return seen
