"""What a kernel knows about its notebook: the document, the executions, the namespace.

Pure functions over plain data (the history, the namespace dict, the notebook JSON), so
the magics pass in what IPython holds and nothing here imports IPython.
"""

from __future__ import annotations

import itertools
import json
import os
import reprlib
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..hashing import hash_bytes
from ..records.snapshot import ExecutedCell, ExecutionInfo, ExecutionWarning, NamespaceEntry
from .locate import normalize as _norm
from .secrets import Redactor

#: Names IPython and the kernel put in the user namespace that are not the user's state.
IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlong = 40


@dataclass(frozen=True)
class Execution:
    """One stored execution: its count, its source, and the cell it came from when known."""

    count: int
    source: str
    cell_id: str | None = None


def find_notebook_path(
    environ: Mapping[str, str], user_ns: Mapping[str, Any], cwd: Path
) -> Path | None:
    """The kernel's notebook on disk: VS Code's ``__vsc_ipynb_file__``, else the session
    name Jupyter Server gives the kernel (absolute, or relative to the server root)."""
    candidates: list[str] = []
    vsc = user_ns.get("__vsc_ipynb_file__")
    if isinstance(vsc, str):
        candidates.append(vsc)
    session = environ.get("JPY_SESSION_NAME")
    if session:
        candidates += [
            session,
            os.path.join(cwd, session),
            os.path.join(cwd, os.path.basename(session)),
        ]
    for candidate in candidates:
        path = Path(candidate)
        if path.suffix == ".ipynb" and path.is_file():
            return path.absolute()
    return None


def rebuild_from_history(
    executions: list[Execution], outputs: Mapping[int, Any], language: str = "python"
) -> bytes:
    """An nbformat 4 notebook of the executed code, in order, when there is no file."""
    cells = []
    for ex in executions:
        outs = []
        if ex.count in outputs:
            outs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": ex.count,
                    "data": {"text/plain": _SHORT.repr(outputs[ex.count])},
                    "metadata": {},
                }
            )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": ex.count,
                "id": f"history-{ex.count}",
                "metadata": {},
                "outputs": outs,
                "source": ex.source,
            }
        )
    doc = {
        "cells": cells,
        "metadata": {"language_info": {"name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1, ensure_ascii=False).encode()


def analyse_execution(
    executions: list[Execution],
    notebook: Mapping[str, Any] | None,
    restarted_since: str | None = None,
    session: str = "",
) -> ExecutionInfo:
    """``{cells: [{count, code_hash}], warnings: [{kind, message}], session}`` for the record.

    Warnings a reader of the record needs: cells whose last runs are out of document
    order, cells edited after they ran, state from code no longer in the notebook, and a
    kernel restart since the previous snapshot.
    """
    cells_out = []
    for ex in executions:
        entry: ExecutedCell = {"count": ex.count, "code_hash": hash_bytes(ex.source.encode())}
        if ex.cell_id:
            entry["cell_id"] = ex.cell_id
        cells_out.append(entry)
    warnings: list[ExecutionWarning] = []
    if restarted_since:
        warnings.append(
            {
                "kind": "kernel-restarted",
                "message": f"the kernel restarted since the last snapshot "
                f"({restarted_since[:12]}): state from before it is gone",
            }
        )
    if notebook is not None:
        warnings += _document_warnings(executions, notebook)
    return {"cells": cells_out, "warnings": warnings, "session": session}


def _document_warnings(
    executions: list[Execution], notebook: Mapping[str, Any]
) -> list[ExecutionWarning]:
    code_cells = [
        (i, c) for i, c in enumerate(notebook.get("cells", [])) if c.get("cell_type") == "code"
    ]
    by_id = {c.get("id"): (i, c) for i, c in code_cells if c.get("id")}
    by_source: dict[str, list[int]] = {}
    for i, c in code_cells:
        by_source.setdefault(_norm(c.get("source", "")), []).append(i)
    last_run: dict[int, Execution] = {}
    orphans: list[Execution] = []
    edited: dict[int, Execution] = {}
    for ex in executions:
        if ex.cell_id and ex.cell_id in by_id:
            index, cell = by_id[ex.cell_id]
            last_run[index] = ex
            if _norm(cell.get("source", "")) != _norm(ex.source):
                edited[index] = ex
            else:
                edited.pop(index, None)
            continue
        matches = by_source.get(_norm(ex.source))
        if matches:
            # Several identical cells: the first one after the last cell run is the likeliest.
            after = [i for i in matches if i >= max(last_run, default=-1)]
            index = (after or matches)[0]
            last_run[index] = ex
            edited.pop(index, None)
        elif _norm(ex.source):
            orphans.append(ex)
    warnings: list[ExecutionWarning] = []
    ordered = sorted(last_run.items())
    for (i_prev, ex_prev), (i_next, ex_next) in itertools.pairwise(ordered):
        if ex_next.count < ex_prev.count:
            warnings.append(
                {
                    "kind": "out-of-order",
                    "message": f"cells ran out of order: cell {i_prev + 1} ran as "
                    f"[{ex_prev.count}], after cell {i_next + 1} below it ([{ex_next.count}])",
                    "cells": [i_prev, i_next],
                }
            )
            break
    for index, ex in sorted(edited.items()):
        warnings.append(
            {
                "kind": "edited-after-run",
                "message": f"cell {index + 1} was edited after it ran as [{ex.count}]: "
                "its saved source is not what executed",
                "cells": [index],
            }
        )
    if orphans:
        counts = ", ".join(f"[{ex.count}]" for ex in orphans[:8])
        more = f" and {len(orphans) - 8} more" if len(orphans) > 8 else ""
        warnings.append(
            {
                "kind": "deleted-cells",
                "message": f"state from code that is no longer in the notebook "
                f"(deleted or edited cells, or another client): {counts}{more}",
                "counts": [ex.count for ex in orphans],
            }
        )
    return warnings


def type_name(obj: Any) -> str:
    cls = type(obj)
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    return f"{module.split('.')[0]}.{cls.__qualname__}"


def summarize_value(obj: Any) -> str:
    """shape/dtype for arrays and frames, length for containers, the value of small scalars."""
    try:
        if isinstance(obj, (bool, int, float, complex)) or obj is None:
            return _SHORT.repr(obj)
        if isinstance(obj, str):
            return _SHORT.repr(obj) if len(obj) <= 60 else f"str of length {len(obj)}"
        if isinstance(obj, (bytes, bytearray)):
            return f"{len(obj)} bytes"
        shape = getattr(obj, "shape", None)
        if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
            dtype = getattr(obj, "dtype", None)
            if dtype is not None and not callable(dtype):
                return f"shape {shape}, dtype {dtype}"
            dtypes = getattr(obj, "dtypes", None)
            columns = getattr(obj, "columns", None)
            if dtypes is not None and columns is not None:
                names = ", ".join(map(str, list(columns)[:6])) + (", …" if len(columns) > 6 else "")
                return f"shape {shape}, columns: {names}"
            return f"shape {shape}"
        if isinstance(obj, (list, tuple, set, frozenset, dict)):
            return f"length {len(obj)}"
        if hasattr(obj, "__len__") and not isinstance(obj, type):
            return f"length {len(obj)}"
        return _SHORT.repr(obj)
    except Exception as e:  # a broken __repr__ or __len__ must not break the snapshot
        return f"<unavailable: {type(e).__name__}>"


def user_variables(user_ns: Mapping[str, Any], hidden: Iterable[str]) -> dict[str, Any]:
    """The user's own variables: no modules, functions, classes or IPython names."""
    hidden_set = set(hidden)
    out = {}
    for name, value in user_ns.items():
        if name.startswith("_") or name in IPYTHON_NAMES or name in hidden_set:
            continue
        if isinstance(
            value,
            (
                types.ModuleType,
                types.FunctionType,
                types.BuiltinFunctionType,
                types.MethodType,
                type,
            ),
        ):
            continue
        out[name] = value
    return out


def summarize_namespace(variables: Mapping[str, Any]) -> dict[str, NamespaceEntry]:
    return {
        name: {"type": type_name(value), "summary": summarize_value(value)}
        for name, value in sorted(variables.items())
    }


def pickle_state(
    variables: Mapping[str, Any], names: list[str] | None, redactor: Redactor, max_bytes: int
) -> tuple[dict[str, bytes], dict[str, str]]:
    """cloudpickle the chosen variables (all when ``names`` is None); say why others were not."""
    import cloudpickle

    chosen = sorted(variables) if names is None else names
    pickled: dict[str, bytes] = {}
    skipped: dict[str, str] = {}
    for name in chosen:
        if name not in variables:
            skipped[name] = "no such user variable"
            continue
        try:
            blob = cloudpickle.dumps(variables[name])
        except Exception as e:
            skipped[name] = f"cannot be pickled: {type(e).__name__}: {str(e)[:120]}"
            continue
        if len(blob) > max_bytes:
            skipped[name] = f"too large: {len(blob)} bytes pickled (limit {max_bytes})"
        elif redactor.contains(blob):
            skipped[name] = "holds the value of a secret environment variable"
        else:
            pickled[name] = blob
    return pickled, skipped
