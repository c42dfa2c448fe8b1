"""The registry's two record kinds: ``mlver.model/1`` (a version) and ``mlver.alias/1`` (a move).

A model version: ``{name, version, artifact: {hash, kind, path, size[, files]}, flavor,
signature, snapshot, gate, author, created, description}``. ``artifact.files`` lists a
directory's files (``{path, hash, size}``) so every one of them is kept, checked and pushed.

An alias event: ``{model, alias, version, previous, previous_record, author, created, reason,
forced, model_record, rollback}``. ``model_record`` is the id of the version record it points
at (so a push or pull of the event carries that version), ``previous_record`` the one it
replaced (how a merge of several users' events finds concurrent moves, ``alias_merge``);
``rollback`` marks a move made by ``rollback``, which undoes the move before it. Events are
never rewritten: an alias's holder is the version of its last applied event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .. import records
from ..errors import InvalidInput
from ..records import AliasRecord, Artifact, Author, GateSpec, ModelRecord, Signature

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class Gate:
    """The metric that guards ``production``: read from each version's snapshot."""

    metric: str
    higher_is_better: bool = True

    @classmethod
    def of(cls, record: ModelRecord) -> Gate | None:
        gate = record.get("gate")
        if not gate:
            return None
        return cls(gate["metric"], bool(gate.get("higher_is_better", True)))

    def to_json(self) -> GateSpec:
        return {"metric": self.metric, "higher_is_better": self.higher_is_better}


def check_gate(metric: str | None, lower: bool) -> Gate | None:
    if metric is None:
        if lower:
            raise InvalidInput("--gate-lower needs --gate METRIC", "name the metric that guards")
        return None
    if not metric.strip():
        raise InvalidInput("--gate needs a metric name", "e.g. --gate auc")
    return Gate(metric.strip(), higher_is_better=not lower)


def model_record(
    *,
    name: str,
    version: int,
    artifact: Artifact,
    flavor: str,
    signature: Signature | None,
    snapshot: str,
    gate: Gate | None,
    author: Author,
    description: str,
) -> ModelRecord:
    return {
        "schema": records.MODEL,
        "name": name,
        "version": version,
        "artifact": artifact,
        "flavor": flavor,
        "signature": signature,
        "snapshot": snapshot,
        "gate": gate.to_json() if gate else None,
        "author": author,
        "created": records.now(),
        "description": description,
    }


def alias_record(
    *,
    model: ModelRecord,
    alias: str,
    previous: int | None,
    previous_record: str | None,
    author: Author,
    reason: str | None,
    forced: bool,
    rollback: bool,
    after: str | None,
) -> AliasRecord:
    """An event moving ``alias`` to the version ``model``; stamped after ``after`` (the
    alias's last event), so events keep their order even within one millisecond."""
    return {
        "schema": records.ALIAS,
        "model": model["name"],
        "alias": alias,
        "version": model["version"],
        "previous": previous,
        "previous_record": previous_record,
        "author": author,
        "created": stamp_after(after),
        "reason": reason,
        "forced": forced,
        "model_record": model["id"],
        "rollback": rollback,
    }


def stamp_after(last: str | None) -> str:
    """Now, or one millisecond after ``last`` when the clock has not moved past it."""
    now = records.now()
    if last is None or now > last:
        return now
    later = datetime.strptime(last, _STAMP).replace(tzinfo=timezone.utc) + timedelta(milliseconds=1)
    return later.strftime(_STAMP)[:-4] + "Z"
