"""The served model: its record (``model.json``), its input columns and the loaded object."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput
from ..core.models import flavors
from .table import Column, PayloadError, Table

RECORD = "model.json"
ARTIFACT = "artifact"
MODEL_SCHEMA = "mlver.model/1"
# KServe's storage initializer downloads a storageUri here; a serving image bakes the model in
# the other place.
KSERVE_MOUNT = Path("/mnt/models")
BAKED_IN = Path("/opt/mlver/model")
METHODS = ("predict", "predict_proba")
# Signature formats whose columns are positions ("0", "1", ...): the model was fitted on an array.
POSITIONAL = ("ndarray", "rows")


@dataclass
class ServedModel:
    name: str
    version: str
    flavor: str
    columns: list[Column]
    model: Any
    positional: bool = False
    #: What each prediction method answers: ``{"name", "dtype", "shape"}`` (the signature's,
    #: else read from the fitted model).
    outputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def methods(self) -> list[str]:
        """The prediction methods the model has (``predict`` first)."""
        return [m for m in METHODS if callable(getattr(self.model, m, None))]

    def check_method(self, method: Any, field: str) -> str:
        if method not in self.methods:
            known = ", ".join(self.methods)
            raise PayloadError(field, f"{method!r} is not a method of this model (it has {known})")
        return str(method)

    def predict(self, table: Table, method: str = "predict") -> Any:
        """``model.<method>(frame)``; anything the model raises becomes a :class:`PredictError`."""
        try:
            return getattr(self.model, method)(table.frame(as_array=self.positional))
        except Exception as exc:
            raise PredictError(f"the model's {method} failed: {type(exc).__name__}: {exc}") from exc


class PredictError(Exception):
    """The model raised while predicting (500, counted as an error)."""


def default_model_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$MLVER_MODEL_DIR``, else KServe's ``/mnt/models`` if it has a model, else the image's."""
    if environ.get("MLVER_MODEL_DIR"):
        return Path(environ["MLVER_MODEL_DIR"])
    if (KSERVE_MOUNT / RECORD).is_file():
        return KSERVE_MOUNT
    return BAKED_IN


def read_record(model_dir: Path) -> dict[str, Any]:
    """The model record in ``model_dir``, checked for what the server needs."""
    path = model_dir / RECORD
    hint = f"a model directory holds {RECORD} (the model record) and {ARTIFACT}/"
    if not path.is_file():
        raise InvalidInput(f"no {RECORD} in {model_dir}", hint)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", hint) from None
    if not isinstance(record, dict):
        raise InvalidInput(f"{path} is not a JSON object", hint)
    schema = record.get("schema", MODEL_SCHEMA)
    if schema != MODEL_SCHEMA:
        raise InvalidInput(f"{path} is a {schema} record, not {MODEL_SCHEMA}", hint)
    for key in ("name", "version", "flavor"):
        if record.get(key) in (None, ""):
            raise InvalidInput(f"{path} has no {key!r}", hint)
    return record


def signature_columns(signature: Any) -> list[Column]:
    """Input columns of a signature: ``{"format", "inputs": [{"name", "dtype"}]}``."""
    if not isinstance(signature, dict):
        return []
    inputs = signature.get("inputs")
    if not isinstance(inputs, list):
        return []
    columns = []
    for item in inputs:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            dtype = item.get("dtype", "")
            columns.append(Column(item["name"], dtype if isinstance(dtype, str) else ""))
    return columns


def signature_outputs(signature: Any, methods: list[str]) -> list[dict[str, Any]]:
    """The outputs a signature records (from running the model on its registration example),
    for the methods the model has."""
    found = signature.get("outputs") if isinstance(signature, dict) else None
    if not isinstance(found, list):
        return []
    out = []
    for item in found:
        if not isinstance(item, dict) or item.get("name") not in methods:
            continue
        shape = item.get("shape")
        if not (isinstance(shape, list) and all(isinstance(d, int) for d in shape)):
            shape = [-1]
        out.append({"name": item["name"], "dtype": str(item.get("dtype") or ""), "shape": shape})
    return out


def model_outputs(model: Any, methods: list[str]) -> list[dict[str, Any]]:
    """Outputs read from a fitted scikit-learn-style model when its signature has none: a
    classifier's labels are of its ``classes_``' dtype and ``predict_proba`` has a column per
    class; anything else predicts numbers."""
    import numpy as np

    classes = getattr(model, "classes_", None)
    out = []
    if "predict" in methods:
        dtype = np.asarray(classes).dtype.name if classes is not None else "float64"
        width = getattr(model, "n_outputs_", 1)
        shape = [-1, width] if isinstance(width, int) and width > 1 else [-1]
        out.append({"name": "predict", "dtype": dtype, "shape": shape})
    if "predict_proba" in methods and classes is not None and np.ndim(classes) == 1:
        out.append({"name": "predict_proba", "dtype": "float64", "shape": [-1, len(classes)]})
    return out


def load(model_dir: Path) -> ServedModel:
    """Read the record and load the artifact with its flavour's loader."""
    record = read_record(model_dir)
    artifact = model_dir / ARTIFACT
    if not artifact.exists():
        raise InvalidInput(
            f"no {ARTIFACT} in {model_dir}", f"{ARTIFACT}/ holds what the model registry saved"
        )
    signature = record.get("signature")
    if isinstance(signature, dict) and signature.get("format") == "tensor":
        raise InvalidInput(
            f"{model_dir / RECORD}: the model takes an N-dimensional tensor",
            "the server serves models of tabular inputs (columns, or rows of numbers)",
        )
    model = flavors.load_model(artifact, record["flavor"])
    if not callable(getattr(model, "predict", None)):
        raise InvalidInput(
            f"the model in {model_dir} ({type(model).__name__}) has no predict method",
            "the server calls model.predict(frame); register an estimator or a pipeline",
        )
    served = ServedModel(
        name=str(record["name"]),
        version=str(record["version"]),
        flavor=str(record["flavor"]),
        columns=signature_columns(signature),
        model=model,
        positional=isinstance(signature, dict) and signature.get("format") in POSITIONAL,
    )
    methods = served.methods
    served.outputs = signature_outputs(signature, methods) or model_outputs(model, methods)
    return served
