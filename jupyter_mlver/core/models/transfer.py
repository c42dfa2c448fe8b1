"""Which records a model ref names for ``push`` and ``pull``.

``NAME@ALIAS``: the alias's last event, which links the version it points at (and so its
snapshot, environment and artifact). ``NAME:VERSION``: that version. ``NAME``: every version
of the model and every alias event. Records linked from these travel with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

from .. import records
from ..errors import AmbiguousRef, RecordNotFound
from ..records import AliasRecord, ModelRecord, Record
from ..store.store import Store
from .refs import ModelRef, parse_ref


def _pick(
    ref: ModelRef,
    models: list[ModelRecord],
    events: list[AliasRecord],
    where: str,
    numbers: dict[str, int] | None = None,
) -> list[str]:
    """``numbers`` (record id -> number) overrides the numbers the records carry."""
    mine = [m for m in models if m["name"] == ref.name]
    if not mine:
        raise RecordNotFound(f"{where} has no model named {ref.name!r}")
    moves = sorted(
        (e for e in events if e["model"] == ref.name), key=lambda e: (e["created"], e["id"])
    )
    if ref.alias is not None:
        held = [e for e in moves if e["alias"] == ref.alias]
        if not held:
            raise RecordNotFound(f"model {ref.name} has no alias {ref.alias!r} on {where}")
        return [held[-1]["id"]]
    if ref.version is not None:
        number = numbers or {}
        ids = sorted(m["id"] for m in mine if number.get(m["id"], m["version"]) == ref.version)
        if not ids:
            raise RecordNotFound(f"model {ref.name} has no version {ref.version} on {where}")
        if len(ids) > 1:
            raise AmbiguousRef(
                f"{ref} names {len(ids)} records on {where} ({', '.join(i[:12] for i in ids)})",
                "pull the model by name to get them all",
            )
        return ids
    return [m["id"] for m in mine] + [e["id"] for e in moves]


def local_roots(store: Store, ref: str) -> list[str]:
    """The records a model ref names in this store (for ``push``)."""
    mref = parse_ref(ref)
    ids = [rid for _, rid in store.index.model_versions(mref.name)]
    events = [row.id for row in store.index.alias_events(mref.name)]
    models = [store.get(i, ModelRecord) for i in ids]
    return _pick(mref, models, [store.get(i, AliasRecord) for i in events], "this store")


def remote_roots(
    ref: str,
    markers: dict[str, str],
    read: Callable[[Iterable[str]], list[Record]],
    where: str,
    numbers: dict[str, int] | None = None,
) -> list[str]:
    """The records a model ref names on a remote, whose markers say which records are models
    and alias events; ``read`` fetches records (those this store has are read locally);
    ``numbers`` are the numbers claimed there (a version not claimed keeps its own)."""
    mref = parse_ref(ref)
    found = read([rid for rid, kind in markers.items() if kind in ("model", "alias")])
    # Read without their kind: the schema says which each is.
    models = [cast(ModelRecord, r) for r in found if r.get("schema") == records.MODEL]
    events = [cast(AliasRecord, r) for r in found if r.get("schema") == records.ALIAS]
    return _pick(mref, models, events, where, numbers)


def is_model_name(store: Store, ref: str) -> bool:
    return bool(store.index.model_versions(ref.strip()))
