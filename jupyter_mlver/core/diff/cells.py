"""Notebook cells of two snapshots, aligned by cell id (nbformat >= 4.5) or by source."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import StoreError
from ..records import SnapshotRecord
from ..store.store import Store
from .types import CellChange, NotebookChange


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def summarize_outputs(outputs: Sequence[Mapping[str, Any]]) -> str:
    """``"2 outputs: stream, execute_result(text/plain)"``; the MIME types tell which view
    a rich output had without carrying its payload."""
    if not outputs:
        return "no outputs"
    parts = []
    for out in outputs:
        kind = str(out.get("output_type", "?"))
        data = out.get("data")
        if isinstance(data, Mapping) and data:
            kind += "(" + ", ".join(sorted(data)) + ")"
        elif kind == "error":
            kind += f"({out.get('ename', '?')})"
        parts.append(kind)
    n = len(outputs)
    return f"{n} output{'s' if n != 1 else ''}: " + ", ".join(parts)


def _outputs_key(cell: Mapping[str, Any]) -> str:
    """Outputs without what changes on every run of the same code (execution counts,
    metadata), so re-running a cell that prints the same thing is not a change."""
    norm = []
    for out in cell.get("outputs") or []:
        norm.append(
            {k: v for k, v in out.items() if k not in ("execution_count", "metadata", "transient")}
        )
    return json.dumps(norm, sort_keys=True, default=str)


class _Cell:
    __slots__ = ("id", "index", "outputs", "outputs_key", "raw", "source", "type")

    def __init__(self, index: int, raw: Mapping[str, Any]) -> None:
        self.index = index
        self.raw = raw
        self.id = raw.get("id")
        self.type = str(raw.get("cell_type", "code"))
        self.source = _source(raw)
        outputs = raw.get("outputs")
        self.outputs = (
            summarize_outputs(outputs) if self.type == "code" and outputs is not None else ""
        )
        self.outputs_key = _outputs_key(raw)

    def differs(self, other: _Cell) -> bool:
        return (
            self.source != other.source
            or self.type != other.type
            or self.outputs_key != other.outputs_key
        )


def _cell_entry(status: str, a: _Cell | None, b: _Cell | None) -> CellChange:
    return {
        "status": status,
        "a_index": a.index if a else None,
        "b_index": b.index if b else None,
        "cell_type": b.type if b else a.type if a else "code",
        "a_source": a.source if a else None,
        "b_source": b.source if b else None,
        "source_changed": bool(a and b and a.source != b.source),
        "outputs": {"a": a.outputs if a else None, "b": b.outputs if b else None},
    }


def _align_by_id(ca: list[_Cell], cb: list[_Cell]) -> list[CellChange]:
    """Cells matched by their nbformat ≥ 4.5 id; removed cells are listed where they were."""
    b_ids = {c.id for c in cb}
    a_by_id = {c.id: c for c in ca}
    out: list[CellChange] = []
    pending = 0  # the next cell of ``a`` not yet accounted for

    def flush_removed(upto: int) -> None:
        nonlocal pending
        while pending < upto:
            cell = ca[pending]
            if cell.id not in b_ids:
                out.append(_cell_entry("removed", cell, None))
            pending += 1

    for cell in cb:
        match = a_by_id.get(cell.id)
        if match is None:
            # Cells removed right here come first, as in a unified diff.
            while pending < len(ca) and ca[pending].id not in b_ids:
                out.append(_cell_entry("removed", ca[pending], None))
                pending += 1
            out.append(_cell_entry("added", None, cell))
            continue
        flush_removed(match.index)
        pending = max(pending, match.index + 1)
        if match.differs(cell):
            out.append(_cell_entry("changed", match, cell))
    flush_removed(len(ca))
    return out


def _align_by_source(ca: list[_Cell], cb: list[_Cell]) -> list[CellChange]:
    """Without ids, a sequence diff of the sources; replaced runs pair up cell by cell."""
    matcher = difflib.SequenceMatcher(
        None, [c.source for c in ca], [c.source for c in cb], autojunk=False
    )
    out: list[CellChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for a, b in zip(ca[i1:i2], cb[j1:j2], strict=True):
                if a.differs(b):
                    out.append(_cell_entry("changed", a, b))
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            out.append(_cell_entry("changed", ca[i1 + k], cb[j1 + k]))
        for a in ca[i1 + pairs : i2]:
            out.append(_cell_entry("removed", a, None))
        for b in cb[j1 + pairs : j2]:
            out.append(_cell_entry("added", None, b))
    return out


def _load_notebook(store: Store, oid: str) -> list[_Cell]:
    try:
        doc = json.loads(store.objects.get_bytes(oid))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise StoreError(f"notebook object {oid[:12]} is not valid JSON") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    return [_Cell(i, c) for i, c in enumerate(cells or []) if isinstance(c, Mapping)]


def compare_cells(ca: list[_Cell], cb: list[_Cell]) -> list[CellChange]:
    if ca and cb and all(c.id for c in ca) and all(c.id for c in cb):
        return _align_by_id(ca, cb)
    return _align_by_source(ca, cb)


def compare_notebooks(store: Store, a: SnapshotRecord, b: SnapshotRecord) -> NotebookChange:
    na, nb = a.get("notebook"), b.get("notebook")
    ha = na["hash"] if na else None
    hb = nb["hash"] if nb else None
    cells: list[CellChange] = []
    if ha != hb:
        ca = _load_notebook(store, ha) if ha else []
        cb = _load_notebook(store, hb) if hb else []
        cells = compare_cells(ca, cb)
    return {
        "a": ha,
        "b": hb,
        "a_path": na["path"] if na else None,
        "b_path": nb["path"] if nb else None,
        "cells": cells,
    }
