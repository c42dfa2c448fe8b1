"""Compare two snapshots: params, metrics, data, packages, python/platform, git, notebook cells.

``diff_snapshots`` returns plain JSON-able dicts (schema ``mlver.diff/1``) that the CLI,
the magics and the side panel's compare view all render. Everything here is a comparison
of two already-stored records; the only outside call is ``git log`` for the commit range.
"""

from __future__ import annotations

import difflib
import json
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from . import records
from .datarefs import differing_files
from .errors import InvalidInput, StoreError
from .records import Record
from .store import Store

SCHEMA = "mlver.diff/1"
#: Commits listed between two snapshots at most (the count beyond is in ``commits_omitted``).
MAX_COMMITS = 200

Json = dict[str, Any]


# -- values: params and metrics --------------------------------------------------------


def _is_number(value: Any) -> bool:
    # bool is an int subclass, but True -> 1 is not a change of 1 in any useful sense.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same kind: 1 == 1.0 (numbers), but True != 1 and "1" != 1."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _last(value: Any) -> Any:
    """A metric series is compared by its last value (where the run ended)."""
    return value[-1] if isinstance(value, list) and value else value


def compare_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Json]:
    """Every key of either side, sorted, with its status; unchanged keys are kept so a view
    can show the two runs side by side. ``delta`` is ``b - a`` for two numbers."""
    out = []
    for key in sorted(a.keys() | b.keys()):
        in_a, in_b = key in a, key in b
        va, vb = a.get(key), b.get(key)
        delta = None
        if in_a and in_b:
            la, lb = _last(va), _last(vb)
            status = "unchanged" if _same(la, lb) else "changed"
            if _is_number(la) and _is_number(lb):
                delta = lb - la
        else:
            status = "added" if in_b else "removed"
        out.append({"key": key, "a": va, "b": vb, "status": status, "delta": delta})
    return out


# -- data files ------------------------------------------------------------------------


def compare_data(a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]) -> list[Json]:
    """Files added, removed or changed (by hash), sorted by path; unchanged ones omitted."""
    by_a = {d["path"]: d for d in a}
    by_b = {d["path"]: d for d in b}
    out = []
    for path in sorted(by_a.keys() | by_b.keys()):
        da, db = by_a.get(path), by_b.get(path)
        if da is not None and db is not None and da["hash"] == db["hash"]:
            continue
        status = "changed" if da is not None and db is not None else "added" if db else "removed"
        out.append(
            {
                "path": path,
                "status": status,
                "a": {"hash": da["hash"], "size": da["size"]} if da else None,
                "b": {"hash": db["hash"], "size": db["size"]} if db else None,
            }
        )
    return out


# -- packages --------------------------------------------------------------------------


def _version_order(a: str, b: str) -> str | None:
    """``upgraded``/``downgraded``, or None when equal or not comparable (not PEP 440)."""
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        return None
    if vb > va:
        return "upgraded"
    if vb < va:
        return "downgraded"
    return None


def _origin(pkg: Mapping[str, Any]) -> str:
    source = pkg.get("source") or "index"
    if pkg.get("commit"):
        return f"{source} {pkg.get('url') or ''}@{str(pkg['commit'])[:12]}".replace(" @", "@")
    if pkg.get("url"):
        return f"{source} {pkg['url']}"
    return str(source)


def compare_packages(a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]) -> list[Json]:
    """Packages that differ, sorted by name. "changed" covers a version that is not
    comparable, or the same version from another source or commit (``note`` says how)."""
    by_a = {p["name"]: p for p in a}
    by_b = {p["name"]: p for p in b}
    out = []
    for name in sorted(by_a.keys() | by_b.keys()):
        pa, pb = by_a.get(name), by_b.get(name)
        note = None
        if pa is None or pb is None:
            status = "added" if pa is None else "removed"
        else:
            same_origin = all(pa.get(k) == pb.get(k) for k in ("source", "url", "commit"))
            if pa["version"] == pb["version"] and same_origin:
                continue
            order = (
                _version_order(pa["version"], pb["version"])
                if pa["version"] != pb["version"]
                else None
            )
            status = order or "changed"
            if not same_origin:
                note = f"{_origin(pa)} -> {_origin(pb)}"
        out.append(
            {
                "name": name,
                "status": status,
                "a": pa["version"] if pa else None,
                "b": pb["version"] if pb else None,
                "note": note,
            }
        )
    return out


# -- python, platform, git -------------------------------------------------------------


def _python(env: Record) -> str:
    py = env.get("python") or {}
    impl = py.get("implementation") or ""
    return f"{py.get('version', '?')}" + (f" ({impl})" if impl and impl != "CPython" else "")


def _platform(env: Record) -> str:
    p = env.get("platform") or {}
    parts = [p.get("system"), p.get("release"), p.get("machine"), p.get("libc")]
    text = " ".join(str(x) for x in parts if x)
    return text + (f" ({p['os_release']})" if p.get("os_release") else "")


def _pair(a: str, b: str) -> Json | None:
    return None if a == b else {"a": a, "b": b}


def _git_side(record: Record) -> Json | None:
    git = record.get("git")
    if not git:
        return None
    return {
        "commit": git.get("commit"),
        "branch": git.get("branch"),
        "dirty": bool(git.get("dirty")),
        "diff": git.get("diff"),
    }


def commit_range(repo_dir: Path, a: str, b: str, limit: int = MAX_COMMITS) -> list[Json] | None:
    """The commits ``a..b`` (newest first) from the local repository, or None when either
    commit is not there (a shallow clone, another machine's store)."""
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(repo_dir),
                "log",
                "--no-color",
                f"--max-count={limit + 1}",
                "--format=%H%x1f%s",
                f"{a}..{b}",
                "--",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    out = []
    for line in proc.stdout.splitlines():
        sha, _, summary = line.partition("\x1f")
        out.append({"sha": sha, "summary": summary})
    return out


def compare_git(store: Store, a: Record, b: Record) -> Json:
    ga, gb = _git_side(a), _git_side(b)
    ca = ga["commit"] if ga else None
    cb = gb["commit"] if gb else None
    same_commit = ca is not None and ca == cb
    commits: list[Json] = []
    omitted = 0
    if ca and cb and not same_commit:
        root = (b.get("git") or {}).get("root") or "."
        found = commit_range((store.root / root).resolve(), ca, cb)
        if found:
            commits = found[:MAX_COMMITS]
            omitted = len(found) - len(commits)
    return {
        "a": ga,
        "b": gb,
        "same_commit": same_commit,
        # Same commit and the same uncommitted diff (or none): the code was the same.
        "same_code": same_commit and bool(ga and gb and ga["diff"] == gb["diff"]),
        "commits": commits,
        "commits_omitted": omitted,
    }


# -- notebook cells --------------------------------------------------------------------


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def summarize_outputs(outputs: list[Mapping[str, Any]]) -> str:
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


def _cell_entry(status: str, a: _Cell | None, b: _Cell | None) -> Json:
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


def _align_by_id(ca: list[_Cell], cb: list[_Cell]) -> list[Json]:
    """Cells matched by their nbformat ≥ 4.5 id; removed cells are listed where they were."""
    b_ids = {c.id for c in cb}
    a_by_id = {c.id: c for c in ca}
    out: list[Json] = []
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


def _align_by_source(ca: list[_Cell], cb: list[_Cell]) -> list[Json]:
    """Without ids, a sequence diff of the sources; replaced runs pair up cell by cell."""
    matcher = difflib.SequenceMatcher(
        None, [c.source for c in ca], [c.source for c in cb], autojunk=False
    )
    out: list[Json] = []
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


def compare_cells(ca: list[_Cell], cb: list[_Cell]) -> list[Json]:
    if ca and cb and all(c.id for c in ca) and all(c.id for c in cb):
        return _align_by_id(ca, cb)
    return _align_by_source(ca, cb)


def compare_notebooks(store: Store, a: Record, b: Record) -> Json:
    ha = (a.get("notebook") or {}).get("hash")
    hb = (b.get("notebook") or {}).get("hash")
    cells: list[Json] = []
    if ha != hb:
        ca = _load_notebook(store, ha) if ha else []
        cb = _load_notebook(store, hb) if hb else []
        cells = compare_cells(ca, cb)
    return {
        "a": ha,
        "b": hb,
        "a_path": (a.get("notebook") or {}).get("path"),
        "b_path": (b.get("notebook") or {}).get("path"),
        "cells": cells,
    }


# -- the whole comparison --------------------------------------------------------------


def _header(store: Store, record: Record) -> Json:
    return {
        "id": record["id"],
        "created": record.get("created"),
        "message": record.get("message", ""),
        "notebook": (record.get("notebook") or {}).get("path"),
        # Tags added after the snapshot live in the index, not in the record.
        "tags": sorted(set(record.get("tags") or []) | set(store.index.tags_of(record["id"]))),
    }


def _snapshot(store: Store, rid: str) -> Record:
    record = store.get(rid)
    if record.get("schema") != records.SNAPSHOT:
        raise InvalidInput(
            f"{rid[:12]} is a {records.kind(record)} record, not a snapshot",
            "compare two snapshots (see `jupyter mlver list`)",
        )
    return record


def _warnings(record: Record) -> list[Json]:
    return list((record.get("execution") or {}).get("warnings") or [])


def diff_snapshots(store: Store, a_id: str, b_id: str) -> Json:
    """The structured comparison of snapshot ``a_id`` (before) with ``b_id`` (after)."""
    a, b = _snapshot(store, a_id), _snapshot(store, b_id)
    if a["environment"] == b["environment"]:
        # One environment record: nothing in it can differ, and it need not be read.
        packages: list[Json] = []
        python = platform = None
    else:
        ea, eb = store.get(a["environment"]), store.get(b["environment"])
        packages = compare_packages(ea.get("packages") or [], eb.get("packages") or [])
        python = _pair(_python(ea), _python(eb))
        platform = _pair(_platform(ea), _platform(eb))
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


def diff_refs(store: Store, a_ref: str, b_ref: str) -> Json:
    """``diff_snapshots`` for refs (``HEAD~1``, a tag, an id prefix)."""
    return diff_snapshots(store, store.resolve(a_ref), store.resolve(b_ref))
