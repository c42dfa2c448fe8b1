"""Params, metrics, data files and packages of two snapshots, compared."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from packaging.version import InvalidVersion, Version

from .types import FileChange, PackageChange, ValueChange


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


def compare_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[ValueChange]:
    """Every key of either side, sorted, with its status; unchanged keys are kept so a view
    can show the two runs side by side. ``delta`` is ``b - a`` for two numbers."""
    out: list[ValueChange] = []
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


def compare_data(
    a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]
) -> list[FileChange]:
    """Files added, removed or changed (by hash), sorted by path; unchanged ones omitted."""
    by_a = {d["path"]: d for d in a}
    by_b = {d["path"]: d for d in b}
    out: list[FileChange] = []
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


def compare_packages(
    a: Iterable[Mapping[str, Any]], b: Iterable[Mapping[str, Any]]
) -> list[PackageChange]:
    """Packages that differ, sorted by name. "changed" covers a version that is not
    comparable, or the same version from another source or commit (``note`` says how)."""
    by_a = {p["name"]: p for p in a}
    by_b = {p["name"]: p for p in b}
    out: list[PackageChange] = []
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
