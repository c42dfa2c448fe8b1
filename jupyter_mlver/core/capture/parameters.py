"""Parameters a notebook declares: what its cell tagged ``parameters`` assigns, overridden
by the ``injected-parameters`` cell papermill (or ``jupyter mlver run``) adds.

Only literal values count (numbers, strings, booleans, read with ``ast.literal_eval``);
nothing is evaluated. Names assigned something else are returned so a warning can list
them.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..records.snapshot import ExecutionWarning
from .locate import normalize

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"

Scalar = bool | int | float | str


def _statements(code: str) -> list[ast.stmt]:
    try:
        return ast.parse(code).body
    except SyntaxError:
        # IPython syntax (magics, shell escapes) on some lines: read the others one by one.
        body: list[ast.stmt] = []
        for line in code.splitlines():
            try:
                body += ast.parse(line).body
            except SyntaxError:
                continue
        return body


def _pairs(stmt: ast.stmt) -> list[tuple[str, ast.expr | None]]:
    """``(name, value expression)`` of a simple assignment; value None when the target is
    a name but the value cannot be paired with it (``a, b = f()``)."""
    if isinstance(stmt, ast.AnnAssign):
        if isinstance(stmt.target, ast.Name) and stmt.value is not None:
            return [(stmt.target.id, stmt.value)]
        return []
    if not isinstance(stmt, ast.Assign):
        return []
    out: list[tuple[str, ast.expr | None]] = []
    for target in stmt.targets:
        if isinstance(target, ast.Name):
            out.append((target.id, stmt.value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = [e.id for e in target.elts if isinstance(e, ast.Name)]
            values = stmt.value
            if isinstance(values, (ast.Tuple, ast.List)) and len(values.elts) == len(
                target.elts
            ) == len(names):
                out += list(zip(names, values.elts, strict=True))
            else:
                out += [(name, None) for name in names]
    return out


def _scalar(node: ast.expr | None) -> Scalar | None:
    """The literal number, string or bool an expression is, else None."""
    if node is None:
        return None
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (bool, int, float, str)) else None


def assigned_literals(code: str) -> tuple[dict[str, Scalar], list[str]]:
    """The literal scalars a cell assigns, and the names it assigns anything else."""
    values: dict[str, Scalar] = {}
    other: dict[str, None] = {}
    for stmt in _statements(code):
        for name, node in _pairs(stmt):
            value = _scalar(node)
            if value is not None:
                values[name] = value
                other.pop(name, None)
            else:
                values.pop(name, None)
                other[name] = None
    return values, list(other)


def _tags(cell: Mapping[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in tags if isinstance(t, str)]


def _cell_code(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


class _History:
    """What the kernel ran: sources by cell id, and every source as normalized."""

    def __init__(self, executed: Iterable[tuple[str | None, str]]) -> None:
        self.by_id: dict[str, str] = {}
        self.sources: set[str] = set()
        for cell_id, source in executed:
            if cell_id:
                self.by_id[cell_id] = source
            self.sources.add(normalize(source))

    def as_ran(self, cell: Mapping[str, Any]) -> str | None:
        """A cell's code as it last ran, or None when it never ran."""
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and cell_id in self.by_id:
            return self.by_id[cell_id]
        code = _cell_code(cell)
        return code if normalize(code) in self.sources else None


def _tagged_code(notebook: Mapping[str, Any], tag: str, history: _History | None) -> Iterator[str]:
    for cell in notebook.get("cells") or []:
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        if tag not in _tags(cell):
            continue
        code = _cell_code(cell) if history is None else history.as_ran(cell)
        if code is not None:
            yield code


def notebook_parameters(
    notebook: Mapping[str, Any], executed: Iterable[tuple[str | None, str]] | None = None
) -> tuple[dict[str, Scalar], list[str]]:
    """``(params, skipped names)`` of the ``parameters`` cells, then the injected ones.

    ``executed`` (cell id, source) pairs, when the kernel's history is known, decide what
    counts: a tagged cell is read as it last ran (by its id, else when its saved source
    ran as is); a tagged cell that never ran sets nothing.
    """
    history = _History(executed) if executed is not None else None
    params: dict[str, Scalar] = {}
    skipped: dict[str, None] = {}
    for tag in (PARAMETERS_TAG, INJECTED_TAG):
        for code in _tagged_code(notebook, tag, history):
            values, other = assigned_literals(code)
            for name, value in values.items():
                params[name] = value
                skipped.pop(name, None)
            for name in other:
                params.pop(name, None)
                skipped[name] = None
    return params, list(skipped)


def skipped_warning(names: list[str]) -> ExecutionWarning:
    """The record's warning naming parameters that were not recorded."""
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return {
        "kind": "params-not-recorded",
        "message": f"parameter(s) not recorded, their values are not literal numbers, "
        f"strings or booleans: {shown} (log them with --param K=V)",
        "names": names,
    }
