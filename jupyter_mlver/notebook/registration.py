"""Registering a model from a kernel or a script: ``%mlver model register`` and
``jupyter_mlver.register_model``.

The version is tied to this notebook's HEAD when that snapshot still describes the kernel
(this kernel took it, ran no cell since, logged nothing since); otherwise a new snapshot is
taken first. Everything a user can get wrong (the name, the aliases, the guard, an object
that cannot be saved, a missing path) is checked before that snapshot is taken.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from ..config import Mlver
from ..core.models import registry
from ..core.models.artifacts import Prepared, prepare_object, prepare_path
from ..core.models.options import RegistrationOptions
from ..core.models.registration import describe_outputs, precheck
from ..core.records import ModelRecord
from ..core.store.store import Store
from .session import (
    KernelSession,
    SnapshotRequest,
    notebook_document,
    open_store,
    take_kernel_snapshot,
)


@dataclass
class RegisterRequest:
    """A registration from a kernel: the model (an object or a path) and how to register it."""

    source: Any  # a path (str or os.PathLike) or a model object
    options: RegistrationOptions
    variable: str | None = None  # the variable the object came from, for the record
    snapshot: str | None = None  # a ref; default: HEAD when unchanged, else a new snapshot
    serializer: str | None = None
    notebook: str | None = None
    example: Any = None  # the example the signature was read from: the outputs are run on it


def register_in_kernel(
    session: KernelSession, settings: Mlver, request: RegisterRequest
) -> tuple[Store, ModelRecord]:
    """Register a version; returns the open store (the caller closes it) and the record."""
    options = request.options
    with session.lineage.paused():  # the registry's own reads are not the experiment's
        doc = notebook_document(session, request.notebook, consume=False)
        store = open_store(settings, doc.path if doc else None)
        prepared = None
        try:
            prepared = _prepare(store, request)
            same = registry.registered(store, options.name, prepared)
            if same is not None:  # already registered: no snapshot, no alias moves
                return store, same
            if options.signature is not None and request.example is not None:
                in_memory = (
                    None if isinstance(request.source, (str, os.PathLike)) else request.source
                )
                signature = describe_outputs(
                    options.signature, prepared, request.example, in_memory
                )
                options = replace(options, signature=signature)
            notebook = store.relpath(doc.path) if doc and doc.path else None
            snapshot = (
                store.resolve(request.snapshot, notebook)
                if request.snapshot
                else unchanged_head(session, store, notebook)
            )
            if snapshot is None:
                precheck(store, options, session.pending_metrics())
                store.close()
                store, taken = take_kernel_snapshot(
                    session,
                    settings,
                    SnapshotRequest(message=f"model {options.name}", notebook=request.notebook),
                )
                snapshot = taken["id"]
            record = registry.register(store, prepared, options, snapshot=snapshot)
        except BaseException:
            store.close()
            raise
        finally:
            if prepared is not None:
                prepared.cleanup()
    return store, record


def _prepare(store: Store, request: RegisterRequest) -> Prepared:
    if isinstance(request.source, (str, os.PathLike)):
        return prepare_path(store, request.source, request.options.flavor)
    return prepare_object(
        request.source,
        name=request.variable,
        flavor=request.options.flavor,
        serializer=request.serializer,
    )


def unchanged_head(session: KernelSession, store: Store, notebook: str | None) -> str | None:
    """This notebook's HEAD if it still describes the kernel, else None."""
    head = store.index.latest(notebook)
    if head is None or head not in session.taken or session.params or session.metrics:
        return None
    if session.shell is None:
        return head
    cells = (store.get(head).get("execution") or {}).get("cells") or []
    last = max((c["count"] for c in cells), default=0)
    running = len(session.shell.history_manager.input_hist_raw) - 1
    if any(last < e.count < running for e in session.executions()):
        return None
    return head
