"""Registering from a terminal or a script: the snapshot a version comes from is the one
named, else the latest, else a new one; and the guard checked before a new snapshot is taken."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..records import ModelRecord
from ..snapshot.take import SnapshotOptions, take_snapshot
from ..store.index.db import ALL
from ..store.store import Store
from . import aliases as al
from . import flavors, registry
from .artifacts import Prepared, prepare_path
from .options import RegistrationOptions
from .signature import Signature, with_outputs


def check_path(path: str) -> None:
    """Before a store is created for nothing."""
    if not Path(path).exists():
        raise InvalidInput(
            f"model path {path!r} does not exist",
            "give a model file or directory (relative to the current directory)",
        )


def precheck(store: Store, options: RegistrationOptions, metrics: Mapping[str, Any]) -> None:
    """The guard on the aliases for a version whose snapshot will have ``metrics``."""
    name = options.name
    latest = store.index.latest_model_version(name) or 0
    gate = options.gate or registry.inherited_gate(store, name)
    candidate = al.Candidate(name, f"{name}:{latest + 1}", None, gate, metrics)
    for alias in options.aliases:
        al.check_allowed(store, candidate, alias, options.force, options.reason)


def describe_outputs(
    signature: Signature, prepared: Prepared, example: object, model: object = None
) -> Signature:
    """``with_outputs`` on the model (loaded from the prepared artifact, as a server loads
    it, unless given); a model this process cannot load keeps a signature of inputs only."""
    if model is None:
        try:
            model = flavors.load_model(prepared.source, prepared.flavor)
        except Exception:  # a library this process lacks: the server will say so
            return signature
    return with_outputs(signature, model, example)


def register_path(
    store: Store,
    path: str,
    options: RegistrationOptions,
    *,
    snapshot: str | None,
    new_snapshot: SnapshotOptions,
    example: object = None,
) -> ModelRecord:
    """A model file or directory as a new version, tied to the snapshot ``snapshot`` names,
    else the store's latest, else a new one (``new_snapshot``). With an ``example`` (the one
    the signature was read from), the model is loaded and run on it to describe its
    outputs."""
    prepared = prepare_path(store, path, options.flavor)
    try:
        same = registry.registered(store, options.name, prepared)
        if same is not None:
            return same
        if options.signature is not None and example is not None:
            signature = describe_outputs(options.signature, prepared, example)
            options = replace(options, signature=signature)
        sid = store.resolve(snapshot) if snapshot else store.index.latest(ALL)
        if sid is None:
            precheck(store, options, new_snapshot.metrics)
            sid = str(take_snapshot(store, new_snapshot)["id"])
        return registry.register(store, prepared, options, snapshot=sid)
    finally:
        prepared.cleanup()
