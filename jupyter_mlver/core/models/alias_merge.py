"""Alias moves from several users, merged: one order, the guard, concurrent moves.

Every store holding the same events computes the same holders. Events are replayed in one
order: event time, then author (name, email), then id. An event names the version it
replaced (``previous_record``; events written before it carry only the number,
``previous``). When that is not the holder the replay has reached, its author had not seen
a colleague's move: the two moves were concurrent. A concurrent move of a guarded alias
(``production``) that the guard refuses against the merged holder is not applied (unless it
was forced); any other concurrent move is applied. Either way it is kept and marked, so
``model history`` shows it (``conflict``, and ``applied: false`` when it was not applied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..records import AliasRecord
from ..store.index.schema import AliasRow
from ..store.store import Store


@dataclass(frozen=True)
class Move:
    """One alias event after the merge: applied or not, and why it is marked."""

    row: AliasRow
    record: AliasRecord
    applied: bool = True
    conflict: str | None = None
    against: str | None = None  # the id of the colleague's event it was concurrent with


def order(record: AliasRecord) -> tuple[str, str, str, str]:
    """Event time, then author (name, email), then id."""
    author = record["author"]
    return (record["created"], author["name"], author.get("email") or "", record["id"])


def _who(record: AliasRecord) -> str:
    return record["author"]["name"] or "?"


def _saw(event: AliasRecord, holder: Move | None) -> bool:
    """Whether the event's author saw ``holder`` as the alias's holder when moving it."""
    if "previous_record" in event:
        return bool(event["previous_record"] == (holder.row.model_record if holder else None))
    return bool(event.get("previous") == (holder.record.get("version") if holder else None))


Refusal = Callable[[AliasRecord, str, str | None], str | None]


def merge(store: Store, name: str, refusal: Refusal, alias: str | None = None) -> list[Move]:
    """The alias events of ``name`` (of one alias, or all) in merged order, each marked.
    ``refusal(event, alias, held_record)`` says why the guard refuses an event's version
    against the version ``held_record`` (None: allowed, or the alias is not guarded)."""
    rows = {row.id: row for row in store.index.alias_events(name, alias)}
    events = sorted((store.get(rid, AliasRecord) for rid in rows), key=order)
    holders: dict[str, Move] = {}
    out: list[Move] = []
    for event in events:
        row, current = rows[event["id"]], holders.get(event["alias"])
        if current is None or _saw(event, current):
            move = Move(row, event)
        else:
            other = (
                f"concurrent with {_who(current.record)}'s move of {event['alias']} to "
                f"{name}:{current.row.version} ({current.row.id[:12]})"
            )
            why = None
            if not (event.get("forced") or event.get("rollback")):
                why = refusal(event, event["alias"], current.row.model_record)
            if why is None:
                move = Move(row, event, True, f"{other}, which it replaced", current.row.id)
            else:
                move = Move(row, event, False, f"not applied: {other}; {why}", current.row.id)
        if move.applied:
            holders[event["alias"]] = move
        out.append(move)
    return out


def shown(move: Move, number: Callable[[str], int | None]) -> AliasRecord:
    """An event as ``model history`` shows it: its numbers are the versions' numbers now
    (a local version renumbered since keeps its aliases), with the merge's marks."""
    record = move.record.copy()
    record["version"] = move.row.version
    previous = record.get("previous_record")
    if previous:
        record["previous"] = number(previous) or record.get("previous")
    if move.conflict is not None:
        record["conflict"] = move.conflict
    if not move.applied:
        record["applied"] = False
    return record
