"""Alias moves as append-only events, the guard on ``production``, and rollback.

Every move is written inside one ``BEGIN IMMEDIATE`` transaction of the index that also
reads the alias's current holder, so concurrent moves (from any number of processes) are
serialised: each sees the one before it as ``previous``, all are recorded, the last wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from .. import records
from ..errors import InvalidInput, PromotionRefused, RecordNotFound
from ..records import AliasRecord, Author, ModelRecord, SnapshotRecord
from ..store.index.db import AliasRow
from ..store.store import Store
from .alias_merge import Move, merge
from .records import Gate, alias_record

M = TypeVar("M", bound=Mapping[str, Any])

#: Aliases a version may only take when its gate metric is no worse than the holder's.
GUARDED = frozenset({"production"})
FORCE_HINT = "to move it anyway: --force --reason TEXT"


@dataclass(frozen=True)
class Candidate:
    """A version about to take an alias (it may not be stored yet: ``id`` is then None)."""

    name: str
    label: str  # "churn:3"
    id: str | None
    gate: Gate | None
    metrics: Mapping[str, Any]

    @classmethod
    def of(cls, store: Store, record: ModelRecord) -> Candidate:
        return cls(
            record["name"],
            f"{record['name']}:{record['version']}",
            record.get("id"),
            Gate.of(record),
            snapshot_metrics(store, record.get("snapshot")),
        )


def snapshot_metrics(store: Store, snapshot: str | None) -> dict[str, Any]:
    if not snapshot or not store.index.has(snapshot):
        return {}
    return dict(store.get(snapshot, SnapshotRecord).get("metrics") or {})


def _number(value: Any) -> float | None:
    if isinstance(value, list):  # a series: its last value is where training ended
        value = value[-1] if value else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def check_force(force: bool, reason: str | None) -> None:
    if force and not (reason and reason.strip()):
        raise InvalidInput("--force needs --reason TEXT", "say why the guard is overridden")


def refusal(store: Store, candidate: Candidate, alias: str, holder: AliasRow | None) -> str | None:
    """Why the guard refuses moving ``alias`` to ``candidate``, or None when it allows it."""
    return refusal_against(store, candidate, alias, holder.model_record if holder else None)


def refusal_against(
    store: Store, candidate: Candidate, alias: str, held_record: str | None
) -> str | None:
    """``refusal`` against the version record ``held_record`` holding ``alias``."""
    if alias not in GUARDED or held_record is None or held_record == candidate.id:
        return None
    held = store.get(held_record, ModelRecord)
    gate = candidate.gate or Gate.of(held)
    if gate is None:
        return None
    metric = gate.metric
    old = _number(snapshot_metrics(store, held.get("snapshot")).get(metric))
    if old is None:  # nothing to be worse than
        return None
    held_label = f"{held['name']}:{held['version']}"
    new = _number(candidate.metrics.get(metric))
    if new is None:
        return (
            f"refused: {candidate.label} has no {metric} in its snapshot, and {held_label} "
            f"(which holds {alias}) has {metric}={old:g}"
        )
    worse = new < old if gate.higher_is_better else new > old
    if not worse:
        return None
    better = "higher" if gate.higher_is_better else "lower"
    return (
        f"refused: {candidate.label} has {metric}={new:g}, worse than {metric}={old:g} of "
        f"{held_label}, which holds {alias} ({better} is better)"
    )


def merged(store: Store, model: str, alias: str | None = None) -> list[Move]:
    """The model's alias events merged across users (``alias_merge``), the guard applied."""

    def refuse(event: AliasRecord, name: str, held: str | None) -> str | None:
        target = (
            store.get(event["model_record"], ModelRecord)
            if store.index.has(event["model_record"])
            else None
        )
        if target is None:
            return None
        return refusal_against(store, Candidate.of(store, target), name, held)

    return merge(store, model, refuse, alias)


def conflicts(store: Store, names: Iterable[str], among: set[str]) -> list[str]:
    """What a pull says of concurrent moves it brought together: one line per marked move
    that is, or was concurrent with, one of the events ``among``."""
    out = []
    for name in sorted(set(names)):
        for move in merged(store, name):
            if move.conflict and (move.row.id in among or move.against in among):
                who = move.record["author"]["name"] or "?"
                out.append(
                    f"{name}@{move.row.alias}: {who}'s move to {name}:{move.row.version} "
                    f"{'was not applied' if not move.applied else 'was concurrent'} "
                    f"({move.conflict}); see `jupyter mlver model history {name}`"
                )
    return out


def applied(store: Store, model: str, alias: str | None = None) -> list[AliasRow]:
    """The alias events that took effect, in merged order."""
    return [m.row for m in merged(store, model, alias) if m.applied]


def holder(store: Store, model: str, alias: str) -> AliasRow | None:
    events = applied(store, model, alias)
    return events[-1] if events else None


def holders(store: Store, model: str) -> dict[str, int]:
    """Alias -> the version holding it now (its number now: aliases follow renumbering)."""
    current: dict[str, int] = {}
    for row in applied(store, model):
        current[row.alias] = row.version
    return dict(sorted(current.items()))


def replay(events: list[AliasRow]) -> list[AliasRow]:
    """The stack of holders: a move pushes, a rollback pops back to the one before."""
    stack: list[AliasRow] = []
    for row in events:
        if row.rollback and len(stack) >= 2:
            stack.pop()
            stack[-1] = row
        else:
            stack.append(row)
    return stack


def check_allowed(
    store: Store, candidate: Candidate, alias: str, force: bool, reason: str | None
) -> str | None:
    """The refusal that ``force`` overrides (None if the guard allows it); raises when
    refused without ``force``."""
    check_force(force, reason)
    why = refusal(store, candidate, alias, holder(store, candidate.name, alias))
    if why is not None and not force:
        raise PromotionRefused(why, FORCE_HINT)
    return why


def move_locked(
    store: Store,
    target: ModelRecord,
    alias: str,
    *,
    force: bool,
    reason: str | None,
    author: Author,
    written: set[str],
) -> AliasRecord:
    """Record a move of ``alias`` to the stored version ``target``. The caller holds
    ``store.writing()`` and an index transaction; new objects are added to ``written``.
    An alias already on ``target`` is not moved: its last event is returned."""
    name = target["name"]
    current = holder(store, name, alias)
    if current is not None and current.model_record == target["id"]:
        return store.get(current.id, AliasRecord)
    why = check_allowed(store, Candidate.of(store, target), alias, force, reason)
    event = alias_record(
        model=target,
        alias=alias,
        previous=current.version if current else None,
        previous_record=current.model_record if current else None,
        author=author,
        reason=reason,
        forced=why is not None,
        rollback=False,
        after=_last_created(store, name),
    )
    return put_locked(store, event, written)


def rollback_locked(
    store: Store,
    name: str,
    alias: str,
    *,
    reason: str | None,
    author: Author,
    written: set[str],
) -> AliasRecord:
    events = applied(store, name, alias)
    if not events:
        raise RecordNotFound(
            f"model {name} has no alias {alias!r}", f"see `jupyter mlver model history {name}`"
        )
    stack = replay(events)
    if len(stack) < 2:
        raise InvalidInput(
            f"{name}@{alias} has no earlier version to roll back to "
            f"(version {stack[-1].version} is its first holder)",
            f"see `jupyter mlver model history {name}`",
        )
    current, back = stack[-1], stack[-2]
    event = alias_record(
        model=store.get(back.model_record, ModelRecord),
        alias=alias,
        previous=current.version,
        previous_record=current.model_record,
        author=author,
        reason=reason or f"rollback from version {current.version}",
        forced=False,
        rollback=True,
        after=_last_created(store, name),
    )
    return put_locked(store, event, written)


def _last_created(store: Store, name: str) -> str | None:
    events = store.index.alias_events(name)
    return max((e.created for e in events), default=None)


def put_locked(store: Store, record: M, written: set[str]) -> M:
    """Store a record's object and index it inside the caller's transaction; the stored
    record (with its ``id``), of the type it was given."""
    rid, data = records.encode(record)
    if not store.objects.exists(rid):
        written.add(rid)
    store.objects.put_bytes(data)
    stored = {"id": rid, **record}
    store.index.insert(stored)
    return cast(M, stored)


@dataclass
class AliasMove:
    """An alias event; ``moved`` is False when the alias already pointed there."""

    event: AliasRecord
    moved: bool = True
