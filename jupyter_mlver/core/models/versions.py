"""``model versions NAME``: every version of a model as this store numbers it, published
or local, and a model's history (alias moves merged across users, and its renumberings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import RecordNotFound
from ..records import AliasRecord, Author, ModelRecord, NumberRecord
from ..store.store import Store
from . import aliases as al
from .alias_merge import shown
from .records import Gate
from .refs import check_alias, check_name


@dataclass(frozen=True)
class VersionRow:
    """One version: its number here, whether that number is claimed on a remote (else it
    is local and may still change), who registered it and when, its snapshot, the aliases
    it holds, and its gate metric's value in its snapshot."""

    name: str
    number: int
    published: bool
    record: str
    author: Author
    created: str
    snapshot: str
    aliases: list[str]
    gate: Gate | None
    gate_value: float | None

    def to_json(self) -> dict[str, Any]:
        gate = self.gate.to_json() | {"value": self.gate_value} if self.gate else None
        return {
            "number": self.number,
            "version": self.number,
            "published": self.published,
            "record": self.record,
            "author": self.author,
            "created": self.created,
            "snapshot": self.snapshot,
            "aliases": self.aliases,
            "gate": gate,
        }


@dataclass
class ModelVersions:
    name: str
    versions: list[VersionRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "versions": [v.to_json() for v in self.versions]}


def _value(value: Any) -> float | None:
    if isinstance(value, list):  # a series: where training ended
        value = value[-1] if value else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _require(store: Store, name: str) -> None:
    check_name(name)
    if not store.index.model_rows(name):
        raise RecordNotFound(f"no model named {name!r}", "see `jupyter mlver model list`")


def list_versions(store: Store, name: str) -> ModelVersions:
    """Every version of ``name`` by number (what ``model list`` counts)."""
    _require(store, name)
    held: dict[int, list[str]] = {}
    for alias, number in al.holders(store, name).items():
        held.setdefault(number, []).append(alias)
    out = ModelVersions(name)
    for number, rid, published in store.index.model_rows(name):
        record = store.get(rid, ModelRecord)
        gate = Gate.of(record)
        metrics = al.snapshot_metrics(store, record.get("snapshot"))
        out.versions.append(
            VersionRow(
                name=name,
                number=number,
                published=published,
                record=rid,
                author=record["author"],
                created=record["created"],
                snapshot=record["snapshot"],
                aliases=held.get(number, []),
                gate=gate,
                gate_value=_value(metrics.get(gate.metric)) if gate else None,
            )
        )
    return out


@dataclass
class ModelHistory:
    """A model's alias moves (merged, oldest first; a concurrent move carries ``conflict``,
    one the guard refused after the merge ``applied: false``) and its numbering events."""

    events: list[AliasRecord]
    numbering: list[NumberRecord]

    def to_json(self) -> dict[str, Any]:
        return {"events": self.events, "numbering": self.numbering}


def history(store: Store, name: str, alias: str | None = None) -> ModelHistory:
    _require(store, name)
    if alias is not None:
        check_alias(alias)

    def number(rid: str) -> int | None:
        found = store.index.model_number(rid)
        return found[0] if found else None

    events = [shown(move, number) for move in al.merged(store, name, alias)]
    numbering = [store.get(rid, NumberRecord) for rid in store.index.numbering_events(name)]
    return ModelHistory(events, [] if alias is not None else numbering)
