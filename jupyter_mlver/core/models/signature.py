"""A model's signature: its input columns (names and numpy dtype names) from an example
input, and its outputs from running the model on that example.

``{"format": ..., "inputs": [{"name", "dtype"}], "outputs": [{"name", "dtype", "shape"}]}``.
``format`` says where the names come from: ``dataframe``, ``columns`` (a dict of columns)
and ``records`` (a list of dicts) carry the user's column names; ``ndarray`` and ``rows``
(a list of lists) name columns by position ("0", "1", ...), and a model fitted on them
expects an array, not a table. A server turns each input into an array of ``dtype``
(strings, categories and mixed values are ``object``).
"""

from __future__ import annotations

import csv
import importlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from ..errors import InvalidInput
from ..records import Signature as Signature  # the record's; imported from here too
from ..records import SignatureOutput

_POSITIONAL = ("ndarray", "rows")
#: Rows of an example file read for its signature.
EXAMPLE_ROWS = 100


def infer_signature(example: object) -> Signature:
    """The signature of an example input (a few rows are enough)."""
    if hasattr(example, "columns") and hasattr(example, "dtypes"):  # a pandas DataFrame
        dtypes = example.dtypes
        return _signature("dataframe", [(str(c), _dtype_name(dtypes[c])) for c in example.columns])
    if hasattr(example, "to_frame") and hasattr(example, "dtype"):  # a pandas Series
        return infer_signature(example.to_frame())
    if hasattr(example, "dtype") and hasattr(example, "shape"):  # a numpy array
        return _array_signature(example)
    if isinstance(example, Mapping):
        if not example:
            raise InvalidInput("the example has no columns", "give at least one column")
        return _signature(
            "columns",
            [(str(k), _values_dtype(_as_list(v))) for k, v in example.items()],
        )
    if isinstance(example, Sequence) and not isinstance(example, (str, bytes)) and example:
        if all(isinstance(row, Mapping) for row in example):
            keys = list(dict.fromkeys(str(k) for row in example for k in row))
            return _signature(
                "records",
                [(k, _values_dtype([row.get(k) for row in example])) for k in keys],
            )
        rows = [r if _is_row(r) else [r] for r in example] if _is_row(example[0]) else [example]
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise InvalidInput("the example's rows have different lengths")
        return _signature(
            "rows", [(str(i), _values_dtype([r[i] for r in rows])) for i in range(width)]
        )
    raise InvalidInput(
        f"cannot read a signature from a {type(example).__name__} example",
        "give a pandas DataFrame, a numpy array, a dict of columns or a list of rows",
    )


def signature_from_model(model: object) -> Signature | None:
    """What a fitted scikit-learn-style model says about its inputs (names, else count);
    dtypes are unknown (empty) without an example."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return _signature("dataframe", [(str(n), "") for n in names])
    count = getattr(model, "n_features_in_", None)
    if isinstance(count, int) and count > 0:
        return _signature("ndarray", [(str(i), "") for i in range(count)])
    return None


#: The methods a server answers with, and what a signature's outputs describe.
OUTPUT_METHODS = ("predict", "predict_proba")
#: Rows of the example the model runs on to describe its outputs.
OUTPUT_ROWS = 5


def with_outputs(signature: Signature, model: object, example: object) -> Signature:
    """The signature with ``outputs``: each prediction method's answer on the first rows of
    the registration example, as ``{"name", "dtype", "shape"}`` (the batch dimension -1).
    A method that fails on the example (``predict_proba`` of a model fitted without
    probabilities) is left out; the inputs are what the server would pass."""
    rows = _model_input(example, signature)
    if rows is None:
        return signature
    import numpy as np

    outputs: list[SignatureOutput] = []
    for method in OUTPUT_METHODS:
        call = getattr(model, method, None)
        if not callable(call):
            continue
        try:
            result = np.asarray(call(rows))
        except Exception:  # the model's own failure: this method is not described
            continue
        shape = [-1, *(int(d) for d in result.shape[1:])] if result.ndim else [-1]
        outputs.append({"name": method, "dtype": _dtype_name(result.dtype), "shape": shape})
    return {**signature, "outputs": outputs} if outputs else signature


def _model_input(example: object, signature: Signature) -> Any:
    """The first rows of an example as the model takes them: a table (pandas) for named
    columns, an array for positional ones; None when that cannot be made here."""
    import numpy as np

    if is_positional(signature):
        array = np.asarray(example)
        return array[:OUTPUT_ROWS] if array.ndim == 2 else array.reshape(1, -1)
    if hasattr(example, "iloc"):  # a DataFrame (or Series)
        frame: Any = example.to_frame() if hasattr(example, "to_frame") else example
        return frame.iloc[:OUTPUT_ROWS]
    try:
        pd: Any = importlib.import_module("pandas")
    except ImportError:
        return None
    if isinstance(example, Mapping):
        return pd.DataFrame({k: _as_list(v) for k, v in example.items()}).iloc[:OUTPUT_ROWS]
    if isinstance(example, Sequence):
        return pd.DataFrame(list(example)[:OUTPUT_ROWS])
    return None


def is_positional(signature: Signature) -> bool:
    return signature.get("format") in _POSITIONAL


def _signature(kind: str, columns: list[tuple[str, str]]) -> Signature:
    return {"format": kind, "inputs": [{"name": n, "dtype": d} for n, d in columns]}


def _array_signature(array: Any) -> Signature:
    names = getattr(array.dtype, "names", None)
    if names:  # a structured array: named fields
        return _signature("dataframe", [(n, _dtype_name(array.dtype[n])) for n in names])
    shape = tuple(array.shape)
    if len(shape) == 0:
        raise InvalidInput("the example is a single number", "give at least one row")
    dtype = _dtype_name(array.dtype)
    if len(shape) > 2:  # an image batch or another tensor: one input of that shape
        return {
            "format": "tensor",
            "inputs": [{"name": "input", "dtype": dtype, "shape": [-1, *shape[1:]]}],
        }
    # 2-D: rows of columns; 1-D: one row.
    return _signature("ndarray", [(str(i), dtype) for i in range(shape[-1])])


def _dtype_name(dtype: Any) -> str:
    """A numpy dtype name a server can build arrays of."""
    numpy_dtype = getattr(dtype, "numpy_dtype", None)  # pandas' nullable Int64, boolean...
    if numpy_dtype is not None and getattr(numpy_dtype, "kind", "O") not in "OSU":
        return str(numpy_dtype.name)
    kind = getattr(dtype, "kind", "O")
    if type(dtype).__module__.startswith("numpy") and kind not in "OSUV":
        return str(dtype.name)
    return "object"


def _as_list(values: object) -> list[Any]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        return [values]
    return list(cast(Iterable[Any], values))


def _is_row(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _values_dtype(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    if not kinds:
        return "object"
    if all(issubclass(k, bool) for k in kinds):
        return "bool"
    if all(issubclass(k, int) and not issubclass(k, bool) for k in kinds):
        return "int64" if len(present) == len(values) else "float64"
    if all(issubclass(k, (int, float)) and not issubclass(k, bool) for k in kinds):
        return "float64"
    dtype = getattr(present[0], "dtype", None)  # numpy scalars
    if dtype is not None and len(kinds) == 1:
        return _dtype_name(dtype)
    return "object"


def read_example(path: str | Path) -> Any:
    """The first rows of an example input file: ``.csv``, ``.json`` (records or columns),
    ``.jsonl`` or ``.parquet`` (pandas reads them when installed)."""
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(f"example {str(path)!r} does not exist", "give a .csv or .json file")
    suffix = file.suffix.lower()
    pd: Any
    try:
        pd = importlib.import_module("pandas")  # optional, and untyped
    except ImportError:
        pd = None
    if suffix == ".csv":
        if pd is not None:
            return pd.read_csv(file, nrows=EXAMPLE_ROWS)
        with open(file, newline="", encoding="utf-8") as f:
            rows = list(itertools.islice(csv.DictReader(f), EXAMPLE_ROWS))
        return [{k: _parse(v) for k, v in row.items()} for row in rows]
    if suffix == ".json":
        return json.loads(file.read_text(encoding="utf-8"))
    if suffix == ".jsonl":
        with open(file, encoding="utf-8") as f:
            lines = [line for line in itertools.islice(f, EXAMPLE_ROWS) if line.strip()]
        return [json.loads(line) for line in lines]
    if suffix == ".parquet" and pd is not None:
        return pd.read_parquet(file).head(EXAMPLE_ROWS)
    raise InvalidInput(
        f"cannot read an example from {file.name}", "give a .csv, .json, .jsonl or .parquet file"
    )


def _parse(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text if text != "" else None
