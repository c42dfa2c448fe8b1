"""The registry's operations: register a version, find versions by ref, move aliases, load.

Front doors (CLI, magics, REST, the Python API) call these and only decide how to show the
result. Every failure a user can cause is raised before anything is written, or undone.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..capture.git import author as git_author
from ..errors import AmbiguousRef, InvalidInput, RecordNotFound
from ..records import AliasRecord, ImageRecord, ModelRecord, SnapshotRecord
from ..store.store import Store
from . import aliases as al
from . import flavors
from .artifacts import Prepared, artifact_hash, materialize, store_artifact
from .options import RegistrationOptions
from .records import Gate, model_record
from .refs import ModelRef, check_alias, parse_ref

T = TypeVar("T")
#: In an exported model directory: the record, and the artifact's files.
EXPORT_RECORD = "model.json"
EXPORT_ARTIFACT = "artifact"


def register(
    store: Store, prepared: Prepared, options: RegistrationOptions, *, snapshot: str
) -> ModelRecord:
    """Store the artifact and a new version of ``options.name`` (1 + the latest), tied to
    ``snapshot`` (a snapshot id); then move each of ``options.aliases`` to it (``production``
    guarded). Without a gate the version keeps the gate of the model's latest version that
    has one. An artifact a version of the model already has is not registered again: that
    version is returned, its aliases unchanged."""
    name = options.name
    if store.index.kind_of(snapshot) != "snapshot":
        raise RecordNotFound(f"{snapshot[:12]} is not a snapshot in this store")
    same = registered(store, name, prepared)
    if same is not None:
        return same
    latest = store.index.latest_model_version(name) or 0
    gate = options.gate or inherited_gate(store, name)
    candidate = al.Candidate(
        name, f"{name}:{latest + 1}", None, gate, al.snapshot_metrics(store, snapshot)
    )
    for alias in options.aliases:  # refuse before the artifact is copied: nothing to undo
        al.check_allowed(store, candidate, alias, options.force, options.reason)
    author = git_author(store.root)
    with store.writing():
        artifact, written = store_artifact(store, prepared)

        def write() -> ModelRecord:
            record = model_record(
                name=name,
                version=(store.index.latest_model_version(name) or 0) + 1,
                artifact=artifact,
                flavor=prepared.flavor,
                signature=options.signature or prepared.signature,
                snapshot=snapshot,
                gate=gate,
                author=author,
                description=options.description,
            )
            stored = al.put_locked(store, record, written)
            for alias in options.aliases:
                al.move_locked(
                    store,
                    stored,
                    alias,
                    force=options.force,
                    reason=options.reason,
                    author=author,
                    written=written,
                )
            return stored

        return _locked(store, written, write)


def registered(store: Store, name: str, prepared: Prepared) -> ModelRecord | None:
    """The newest version of ``name`` whose artifact is the same as ``prepared``'s, if any
    (a notebook run again registers the same model again)."""
    versions = store.index.model_versions(name)
    if not versions:
        return None
    digest = artifact_hash(prepared)
    for _, rid in reversed(versions):
        record = store.get(rid, ModelRecord)
        if record["artifact"]["hash"] == digest:
            return record
    return None


def inherited_gate(store: Store, name: str) -> Gate | None:
    """The gate is the model's: a version registered without ``--gate`` keeps the last one."""
    for _, rid in reversed(store.index.model_versions(name)):
        gate = Gate.of(store.get(rid, ModelRecord))
        if gate is not None:
            return gate
    return None


def _locked(store: Store, written: set[str], write: Callable[[], T]) -> T:
    """Run ``write`` in one index transaction; if it fails, the objects it added go too."""
    try:
        with store.index.transaction():
            return write()
    except BaseException:
        for oid in written:
            store.objects.remove(oid)
        raise


def resolve(store: Store, ref: str | ModelRef) -> ModelRecord:
    """The version record a ref names: ``NAME`` (latest), ``NAME:VERSION``, ``NAME@ALIAS``."""
    mref = parse_ref(ref) if isinstance(ref, str) else ref
    versions = store.index.model_versions(mref.name)
    if not versions:
        raise RecordNotFound(f"no model named {mref.name!r}", "see `jupyter mlver model list`")
    if mref.alias is not None:
        row = al.holder(store, mref.name, mref.alias)
        if row is None:
            held = ", ".join(al.holders(store, mref.name)) or "none"
            raise RecordNotFound(
                f"model {mref.name} has no alias {mref.alias!r}", f"its aliases: {held}"
            )
        return store.get(row.model_record, ModelRecord)
    version = mref.version if mref.version is not None else versions[-1][0]
    ids = [rid for v, rid in versions if v == version]
    if not ids:
        raise RecordNotFound(
            f"model {mref.name} has no version {version}",
            f"its versions: {_span([v for v, _ in versions])}",
        )
    if len(ids) > 1:
        shown = ", ".join(rid[:12] for rid in ids)
        raise AmbiguousRef(
            f"{mref.name}:{version} names {len(ids)} records registered in different stores "
            f"({shown})",
            "register it again to give it a new version, or use an alias",
        )
    return store.get(ids[0], ModelRecord)


def _span(versions: list[int]) -> str:
    unique = sorted(set(versions))
    if unique == list(range(unique[0], unique[-1] + 1)) and len(unique) > 2:
        return f"{unique[0]}-{unique[-1]}"
    return ", ".join(map(str, unique))


def list_models(store: Store) -> list[dict[str, Any]]:
    """``[{name, latest, versions, aliases: {alias: version}}]`` by name."""
    return [
        {"name": name, "latest": latest, "versions": count, "aliases": al.holders(store, name)}
        for name, latest, count in store.index.model_names()
    ]


def history(store: Store, name: str, alias: str | None = None) -> list[AliasRecord]:
    """A model's alias events (of one alias, or all), merged across users, oldest first
    (see ``versions.history`` for the marks and the numbering events)."""
    from .versions import history as full

    return full(store, name, alias).events


def images(store: Store, record: ModelRecord) -> list[ImageRecord]:
    """The serving images built for a version (``model build``), newest first."""
    return [
        store.get(rid, ImageRecord)
        for rid in store.index.images_of_model(record["id"])
        if store.objects.exists(rid)
    ]


def describe(store: Store, name: str) -> dict[str, Any]:
    """Everything a view of one model shows: its versions, aliases, alias history, the
    snapshots the versions came from (message, time, metrics) and each version's serving
    images (by version record id)."""
    from .versions import history as full

    past = full(store, name)
    events = past.events
    versions = [store.get(rid, ModelRecord) for _, rid in store.index.model_versions(name)]
    snapshots = {}
    for record in versions:
        sid = record.get("snapshot")
        if sid and sid not in snapshots and store.index.has(sid):
            snap = store.get(sid, SnapshotRecord)
            notebook = snap.get("notebook")
            snapshots[sid] = {
                "created": snap.get("created"),
                "message": snap.get("message", ""),
                "metrics": snap.get("metrics") or {},
                "notebook": notebook.get("path") if notebook else None,
            }
    return {
        "name": name,
        "latest": versions[-1]["version"],
        "aliases": al.holders(store, name),
        "guarded": sorted(al.GUARDED),
        "versions": versions,
        "events": events,
        "numbering": past.numbering,
        "snapshots": snapshots,
        "images": {v["id"]: images(store, v) for v in versions},
    }


def move_alias(
    store: Store, ref: str, alias: str, *, force: bool = False, reason: str | None = None
) -> AliasRecord:
    """Point ``alias`` at the version ``ref`` names; the alias event."""
    check_alias(alias)
    target = resolve(store, ref)
    al.check_force(force, reason)
    al.check_allowed(store, al.Candidate.of(store, target), alias, force, reason)
    author = git_author(store.root)
    return _event(
        store,
        lambda written: al.move_locked(
            store, target, alias, force=force, reason=reason, author=author, written=written
        ),
    )


def rollback(store: Store, ref: str, *, reason: str | None = None) -> AliasRecord:
    """Move ``NAME@ALIAS`` back to the version that held it before its last move."""
    mref = parse_ref(ref)
    if mref.alias is None:
        raise InvalidInput(f"rollback needs NAME@ALIAS, got {ref!r}", "e.g. churn@production")
    resolve(store, mref)  # unknown model or alias: the same message as everywhere
    author = git_author(store.root)
    alias = mref.alias
    return _event(
        store,
        lambda written: al.rollback_locked(
            store, mref.name, alias, reason=reason, author=author, written=written
        ),
    )


def _event(store: Store, write: Callable[[set[str]], AliasRecord]) -> AliasRecord:
    """Write one alias event under the store's write lock, in one index transaction."""
    written: set[str] = set()
    with store.writing():
        return _locked(store, written, lambda: write(written))


def export(store: Store, ref: str | ModelRecord, dest: Path) -> ModelRecord:
    """Write a version as a model directory a server loads: ``model.json`` and ``artifact/``."""
    record = resolve(store, ref) if isinstance(ref, str) else ref
    dest.mkdir(parents=True, exist_ok=True)
    materialize(store, record["artifact"], dest / EXPORT_ARTIFACT)
    (dest / EXPORT_RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def load(store: Store, ref: str) -> object:
    """The model object of a version, loaded with its flavour's loader."""
    record = resolve(store, ref)
    with tempfile.TemporaryDirectory(prefix="mlver-load-") as tmp:
        path = materialize(store, record["artifact"], Path(tmp))
        return flavors.load_model(path, record["flavor"])
