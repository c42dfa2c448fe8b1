"""``K=V`` assignments from flags and magics, typed like a user would expect."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import InvalidInput

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/]*$")


def parse_value(text: str) -> int | float | bool | str:
    """``3`` -> 3, ``0.1`` -> 0.1, ``true`` -> True; anything else (``nan`` too) stays a string."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return text


def parse_assignments(items: Iterable[str], flag: str, series: bool = False) -> dict[str, Any]:
    """``["lr=0.1", "acc=0.8", "acc=0.9"]`` -> ``{"lr": 0.1, "acc": [0.8, 0.9]}`` (series only
    when ``series``; otherwise the last value wins)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput(
                f"{flag} expects KEY=VALUE, got {item!r}", f"for example {flag} lr=0.01"
            )
        if not KEY.match(key):
            raise InvalidInput(
                f"{flag}: invalid name {key!r}",
                "use letters, digits, _ . - /, starting with a letter or _",
            )
        value = parse_value(raw.strip())
        if series and key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out
