"""Compare two snapshots: params, metrics, data, packages, python/platform, git, notebook cells.

``diff_snapshots`` returns an ``mlver.diff/1`` structure (``types.Diff``) that the CLI, the
magics and the side panel's compare view all render. Everything here compares two stored
records; the only outside call is ``git log`` for the commit range.
"""

from __future__ import annotations

from typing import cast

from .. import records
from ..errors import InvalidInput
from ..records import EnvironmentRecord, ExecutionWarning, SnapshotRecord
from ..store.datarefs import differing_files
from ..store.store import Store
from .cells import compare_cells, compare_notebooks, summarize_outputs
from .code import MAX_COMMITS, commit_range, compare_git, pair, platform_text, python_text
from .types import Diff, Header, PackageChange
from .values import compare_data, compare_packages, compare_values

SCHEMA = "mlver.diff/1"

__all__ = [
    "MAX_COMMITS",
    "SCHEMA",
    "Diff",
    "commit_range",
    "compare_cells",
    "compare_data",
    "compare_git",
    "compare_notebooks",
    "compare_packages",
    "compare_values",
    "diff_refs",
    "diff_snapshots",
    "summarize_outputs",
]


def _header(store: Store, record: SnapshotRecord) -> Header:
    notebook = record.get("notebook")
    return {
        "id": record["id"],
        "created": record.get("created"),
        "message": record.get("message", ""),
        "notebook": notebook["path"] if notebook else None,
        # Tags added after the snapshot live in the index, not in the record.
        "tags": sorted(set(record.get("tags") or []) | set(store.index.tags_of(record["id"]))),
    }


def _snapshot(store: Store, rid: str) -> SnapshotRecord:
    record = store.get(rid)
    if record.get("schema") != records.SNAPSHOT:
        raise InvalidInput(
            f"{rid[:12]} is a {records.kind(record)} record, not a snapshot",
            "compare two snapshots (see `jupyter mlver list`)",
        )
    return cast(SnapshotRecord, record)


def _warnings(record: SnapshotRecord) -> list[ExecutionWarning]:
    execution = record.get("execution")
    return list(execution["warnings"]) if execution else []


def diff_snapshots(store: Store, a_id: str, b_id: str) -> Diff:
    """The structured comparison of snapshot ``a_id`` (before) with ``b_id`` (after)."""
    a, b = _snapshot(store, a_id), _snapshot(store, b_id)
    if a["environment"] == b["environment"]:
        # One environment record: nothing in it can differ, and it need not be read.
        packages: list[PackageChange] = []
        python = platform = None
    else:
        ea = store.get(a["environment"], EnvironmentRecord)
        eb = store.get(b["environment"], EnvironmentRecord)
        packages = compare_packages(ea.get("packages") or [], eb.get("packages") or [])
        python = pair(python_text(ea), python_text(eb))
        platform = pair(platform_text(ea), platform_text(eb))
    params = compare_values(a.get("params") or {}, b.get("params") or {})
    metrics = compare_values(a.get("metrics") or {}, b.get("metrics") or {})
    data = compare_data(*differing_files(store.objects.get_bytes, a, b))
    notebook = compare_notebooks(store, a, b)
    return {
        "schema": SCHEMA,
        "a": _header(store, a),
        "b": _header(store, b),
        "params": params,
        "metrics": metrics,
        "data": data,
        "packages": packages,
        "python": python,
        "platform": platform,
        "git": compare_git(store, a, b),
        "notebook": notebook,
        "warnings": {"a": _warnings(a), "b": _warnings(b)},
        "summary": {
            "params": sum(1 for p in params if p["status"] != "unchanged"),
            "metrics": sum(1 for m in metrics if m["status"] != "unchanged"),
            "data": len(data),
            "packages": len(packages),
            "cells": len(notebook["cells"]),
        },
    }


def diff_refs(store: Store, a_ref: str, b_ref: str) -> Diff:
    """``diff_snapshots`` for refs (``HEAD~1``, a tag, an id prefix)."""
    return diff_snapshots(store, store.resolve(a_ref), store.resolve(b_ref))
