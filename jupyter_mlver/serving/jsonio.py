"""JSON in and out of the server: compact, strict, NaN as null."""

from __future__ import annotations

import json
import math
from typing import Any

from .table import PayloadError

# Values JSON holds as they are; anything else in an answer or a sample is written as text.
JSON_SCALARS = (str, int, float, bool)


def decode(body: bytes, what: str) -> Any:
    if not body.strip():
        raise PayloadError("", f"empty body; expected {what}")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError("", f"the body is not valid JSON ({exc}); expected {what}") from None


def encode(obj: Any) -> bytes:
    try:
        text = json.dumps(obj, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    except ValueError:  # NaN or infinity somewhere in the predictions: JSON has no such numbers
        text = json.dumps(_finite(obj), separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def error(message: str) -> bytes:
    return encode({"error": message})


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj
