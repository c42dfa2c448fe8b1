"""KServe's InferenceService schema (v1beta1), vendored from kserve/kserve's CRD, as a strict
JSON Schema: an object that lists its properties accepts no others, as `kubectl apply` with
strict field validation (its default) refuses unknown fields."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = Path(__file__).parent / "kserve" / "inferenceservice-v1beta1.json.gz"


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        if out.get("x-kubernetes-int-or-string"):
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def validator() -> jsonschema.Draft7Validator:
    schema = _strict(json.loads(gzip.decompress(SCHEMA.read_bytes())))
    return jsonschema.Draft7Validator(schema)


def errors(manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator().iter_errors(manifest)
    ]
