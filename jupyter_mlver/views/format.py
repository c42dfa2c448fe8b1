"""Small formatting rules every view shares: sizes, values, times, aligned tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: How a change is marked, in text and HTML alike.
MARK = {
    "added": "+",
    "removed": "-",
    "changed": "~",
    "upgraded": "↑",
    "downgraded": "↓",
    "unchanged": " ",
}


def human_bytes(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def format_value(value: Any) -> str:
    if isinstance(value, list):
        if len(value) <= 4:
            return "[" + ", ".join(format_value(v) for v in value) + "]"
        return f"[{format_value(value[0])} … {format_value(value[-1])}] ({len(value)})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_assignments(values: dict[str, Any]) -> str:
    return "  ".join(f"{k}={format_value(v)}" for k, v in sorted(values.items())) or "-"


def short_time(created: str) -> str:
    return created[:19].replace("T", " ")


def table(rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Rows as left-aligned columns, two spaces apart, without trailing blanks."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def key_values(lines: Sequence[tuple[str, str]]) -> str:
    """``key  value`` lines with the keys padded to one width."""
    width = max((len(k) for k, _ in lines), default=0)
    return "\n".join(f"{k:<{width}}  {v}".rstrip() for k, v in lines)


def data_path(entry: dict[str, Any]) -> str:
    """A data entry's path as shown: a directory recorded as a tree says how many files."""
    if entry.get("kind") == "tree":
        return f"{entry['path']}/ (tree of {entry['files']} files)"
    return str(entry["path"])


def file_count(data: list[dict[str, Any]]) -> int:
    return sum(int(entry.get("files", 1)) for entry in data)
