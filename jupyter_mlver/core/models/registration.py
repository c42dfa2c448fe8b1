"""Registering from a terminal or a script: the snapshot a version comes from is the one
named, else the latest, else a new one; and the guard checked before a new snapshot is taken."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..records import Record
from ..snapshot.take import SnapshotOptions, take_snapshot
from ..store.index.db import ALL
from ..store.store import Store
from . import aliases as al
from . import registry
from .artifacts import prepare_path
from .records import Gate
from .signature import Signature


def check_path(path: str) -> None:
    """Before a store is created for nothing."""
    if not Path(path).exists():
        raise InvalidInput(
            f"model path {path!r} does not exist",
            "give a model file or directory (relative to the current directory)",
        )


def precheck(
    store: Store,
    name: str,
    aliases: Sequence[str],
    gate: Gate | None,
    metrics: Mapping[str, Any],
    force: bool,
    reason: str | None,
) -> None:
    """The guard on ``aliases`` for a version whose snapshot will have ``metrics``."""
    latest = store.index.latest_model_version(name) or 0
    candidate = al.Candidate(
        name, f"{name}:{latest + 1}", None, gate or registry.inherited_gate(store, name), metrics
    )
    for alias in aliases:
        al.check_allowed(store, candidate, alias, force, reason)


def register_path(
    store: Store,
    name: str,
    path: str,
    *,
    snapshot: str | None,
    new_snapshot: SnapshotOptions,
    flavor: str | None = None,
    gate: Gate | None = None,
    description: str = "",
    aliases: Sequence[str] = (),
    signature: Signature | None = None,
    force: bool = False,
    reason: str | None = None,
) -> Record:
    """A model file or directory as a new version of ``name``, tied to the snapshot
    ``snapshot`` names, else the store's latest, else a new one (``new_snapshot``)."""
    prepared = prepare_path(store, path, flavor)
    try:
        sid = store.resolve(snapshot) if snapshot else store.index.latest(ALL)
        if sid is None:
            precheck(store, name, aliases, gate, new_snapshot.metrics, force, reason)
            sid = str(take_snapshot(store, new_snapshot)["id"])
        return registry.register(
            store,
            name,
            prepared,
            snapshot=sid,
            gate=gate,
            description=description,
            aliases=aliases,
            signature=signature,
            force=force,
            reason=reason,
        )
    finally:
        prepared.cleanup()
