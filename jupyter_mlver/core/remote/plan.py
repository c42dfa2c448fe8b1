"""What a set of records needs: linked records, plain objects and data copies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import records
from ..records import Record
from ..store.datarefs import Walker

#: Fields through which one record names another record (not a plain object).
_LINKS = {
    "snapshot": ("environment",),
    "image": ("environment", "snapshot"),
    "tag": ("snapshot",),
    "environment": (),
    "model": ("snapshot",),
    "alias": ("model_record",),
    "deployment": ("model_record",),
    "number": ("model_record",),
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
    "number": 7,
}


def linked(record: Mapping[str, Any]) -> list[str]:
    """Ids of the records this record names (environment, snapshot)."""
    return [record[f] for f in _LINKS.get(records.kind(record), ()) if record.get(f)]


@dataclass
class Needs:
    """One record's direct needs, split the way transfers treat them: ``plain`` objects
    travel always (notebook, diff, state, Dockerfile, lock, build log, wheels, the trees of
    its directories), ``data`` copies not with ``--no-data``; ``unreadable`` are trees not
    (yet) in the local store, whose files are still unknown."""

    record: Record
    links: list[str]
    plain: set[str]
    data: dict[str, int | None]
    unreadable: set[str]

    @classmethod
    def of(cls, record: Record, walker: Walker) -> Needs:
        links = linked(record)
        found = walker.record(record)
        return cls(record, links, found.plain - set(links), found.data, found.unreadable)

    @property
    def kind(self) -> str:
        return records.kind(self.record)

    @property
    def id(self) -> str:
        return str(self.record["id"])


@dataclass
class Plan:
    """Records (by id) and everything they need, as found by walking their links."""

    walker: Walker
    needs: dict[str, Needs] = field(default_factory=dict)

    def add(self, record: Record) -> Needs:
        needs = Needs.of(record, self.walker)
        self.needs[needs.id] = needs
        return needs

    def unreadable(self) -> set[str]:
        return {oid for n in self.needs.values() for oid in n.unreadable}

    def reread(self) -> None:
        """Walk again the trees that could not be read (they have arrived since)."""
        for rid, needs in list(self.needs.items()):
            if needs.unreadable:
                self.needs[rid] = Needs.of(needs.record, self.walker)

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
