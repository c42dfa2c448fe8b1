"""The Open Inference Protocol (KServe v2) over REST: metadata, request decoding, responses.

A request carries either one tensor per input column (named as in the signature, shape
``[rows]`` or ``[rows, 1]``) or one 2-D tensor ``[rows, columns]`` whose columns are the
signature's, in order. Requested outputs are the model's methods: ``predict`` (the default) and
``predict_proba`` when the model has it.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._version import __version__
from . import jsonio
from .model import ServedModel
from .table import PayloadError, Table, Values, build_table, coerce

# Tensor datatypes of the protocol and the numpy dtypes that hold them.
DATATYPES = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP16": "float16",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}
_KIND_NAMES = {"b": "BOOL", "i": "INT", "u": "UINT", "f": "FP"}


@dataclass
class InferRequest:
    id: str
    table: Table
    outputs: list[str]


@dataclass
class _Tensor:
    name: str
    shape: list[int]
    datatype: str
    data: list[Any]


def server_metadata() -> dict[str, Any]:
    return {"name": "jupyter_mlver", "version": __version__, "extensions": []}


def model_metadata(served: ServedModel) -> dict[str, Any]:
    return {
        "name": served.name,
        "versions": [served.version],
        "platform": served.flavor,
        "inputs": [
            # A signature read from a fitted estimator (no example) has no dtypes: its features
            # are numbers in the common case, and a column of unknown dtype takes any datatype.
            {"name": c.name, "datatype": datatype(c.dtype or "float64"), "shape": [-1]}
            for c in served.columns
        ],
        # The prediction methods a request names in "outputs" (predict is the default).
        "outputs": [
            {"name": o["name"], "datatype": datatype(o["dtype"] or "float64"), "shape": o["shape"]}
            for o in served.outputs
        ],
    }


def datatype(dtype: str | np.dtype[Any]) -> str:
    """The protocol's datatype for a numpy dtype (BYTES for strings, objects and unknowns)."""
    try:
        kind_size = np.dtype(dtype)
    except TypeError:
        return "BYTES"
    name = _KIND_NAMES.get(kind_size.kind)
    if name is None:
        return "BYTES"
    return name if name == "BOOL" else f"{name}{kind_size.itemsize * 8}"


def parse_infer(body: bytes, served: ServedModel) -> InferRequest:
    doc = jsonio.decode(body, 'an inference request {"inputs": [...]}')
    if not isinstance(doc, dict):
        raise PayloadError("", 'expected a JSON object with "inputs"')
    request_id = doc.get("id", str(uuid.uuid4()))
    if not isinstance(request_id, str):
        raise PayloadError("id", "expected a string")
    if not isinstance(doc.get("parameters", {}), dict):
        raise PayloadError("parameters", "expected an object")
    inputs = doc.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise PayloadError("inputs", "expected a non-empty list of input tensors")
    tensors = [_tensor(t, f"inputs[{i}]") for i, t in enumerate(inputs)]
    return InferRequest(request_id, _table(tensors, served), _outputs(doc.get("outputs"), served))


def infer_response(served: ServedModel, request_id: str, results: dict[str, Any]) -> dict[str, Any]:
    return {
        "model_name": served.name,
        "model_version": served.version,
        "id": request_id,
        "outputs": [_output(name, result) for name, result in results.items()],
    }


def _tensor(doc: Any, where: str) -> _Tensor:
    if not isinstance(doc, dict):
        raise PayloadError(where, "expected an object with name, shape, datatype and data")
    name, shape, dtype, data = (doc.get(k) for k in ("name", "shape", "datatype", "data"))
    if not isinstance(name, str) or not name:
        raise PayloadError(f"{where}.name", "expected a non-empty string")
    if (
        not isinstance(shape, list)
        or not shape
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise PayloadError(f"{where}.shape", "expected a list of non-negative integers")
    if dtype not in DATATYPES:
        raise PayloadError(f"{where}.datatype", f"expected one of {', '.join(DATATYPES)}")
    if not isinstance(data, list):
        raise PayloadError(f"{where}.data", "expected a list")
    flat = _flatten(data) if data and isinstance(data[0], list) else data
    if len(flat) != math.prod(shape):
        raise PayloadError(
            f"{where}.data", f"{len(flat)} value(s) for shape {shape} ({math.prod(shape)} needed)"
        )
    return _Tensor(name, shape, dtype, flat)


def _flatten(data: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in data:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        else:
            flat.append(item)
    return flat


def _table(tensors: list[_Tensor], served: ServedModel) -> Table:
    columns = served.columns
    known = {c.name for c in columns}
    single = tensors[0]
    if len(tensors) == 1 and len(single.shape) == 2 and single.name not in known:
        return _matrix(single, served)
    given: list[tuple[str, Values]] = []
    for i, t in enumerate(tensors):
        if len(t.shape) > 2 or (len(t.shape) == 2 and t.shape[1] != 1):
            raise PayloadError(
                f"inputs[{i}].shape",
                f"{t.shape}: a tensor per column has shape [rows] or [rows, 1]; "
                "send every column in one tensor of shape [rows, columns] instead",
            )
        values = t.data if columns else coerce(t.data, DATATYPES[t.datatype], f"inputs[{i}]")
        given.append((t.name, values))
    return build_table(given, columns, "inputs")


def _matrix(tensor: _Tensor, served: ServedModel) -> Table:
    width = tensor.shape[1]
    columns = served.columns
    if columns and width != len(columns):
        expected = ", ".join(c.name for c in columns)
        raise PayloadError(
            "inputs[0].shape",
            f"{width} column(s); the model expects {len(columns)} ({expected})",
        )
    names = [c.name for c in columns] if columns else [str(j) for j in range(width)]
    data = tensor.data
    given: list[tuple[str, Values]]
    if columns:
        given = [(names[j], data[j::width]) for j in range(width)]
    else:
        dtype = DATATYPES[tensor.datatype]
        given = [(names[j], coerce(data[j::width], dtype, "inputs[0]")) for j in range(width)]
    return build_table(given, columns, "inputs", named=bool(columns))


def _outputs(requested: Any, served: ServedModel) -> list[str]:
    if requested is None:
        return ["predict"]
    if not isinstance(requested, list) or not requested:
        raise PayloadError("outputs", 'expected a non-empty list of {"name": ...}')
    names = []
    for i, item in enumerate(requested):
        name = item.get("name") if isinstance(item, dict) else None
        names.append(served.check_method(name, f"outputs[{i}].name"))
    return names


def _output(name: str, result: Any) -> dict[str, Any]:
    array = np.asarray(result.to_numpy() if hasattr(result, "to_numpy") else result)
    data = array.ravel().tolist()
    if array.dtype.kind in "OUS":
        data = [v if v is None or isinstance(v, jsonio.JSON_SCALARS) else str(v) for v in data]
    return {
        "name": name,
        "datatype": datatype(array.dtype),
        "shape": list(array.shape),
        "data": data,
    }
