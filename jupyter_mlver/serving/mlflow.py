"""MLflow's scoring protocol, as SageMaker calls it: ``POST /invocations``.

JSON bodies carry exactly one of ``dataframe_split``, ``dataframe_records``, ``instances`` or
``inputs`` (plus optional ``params``, of which ``method`` picks ``predict_proba``); ``text/csv``
bodies are a header row and rows. Answers are ``{"predictions": [...]}``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import jsonio
from .model import ServedModel
from .table import Column, PayloadError, Table, build_table

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
JSON_TYPES = ("application/json", "text/json")
CSV_TYPES = ("text/csv", "application/csv")


class UnsupportedMediaType(PayloadError):
    status = 415


def parse(body: bytes, content_type: str, served: ServedModel) -> tuple[Table, str]:
    """The rows of a request and the method to call."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in CSV_TYPES:
        return _csv(body, served.columns), "predict"
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(
            "Content-Type",
            f"{media or 'none'} is not supported; send application/json or text/csv",
        )
    doc = jsonio.decode(body, f"an object with one of {', '.join(FORMATS)}")
    if not isinstance(doc, dict):
        raise PayloadError("", f"expected a JSON object with one of {', '.join(FORMATS)}")
    present = [k for k in FORMATS if k in doc]
    if len(present) != 1:
        got = ", ".join(sorted(doc)) or "no fields"
        raise PayloadError("", f"expected exactly one of {', '.join(FORMATS)}; got {got}")
    for key in doc:
        if key not in FORMATS and key != "params":
            raise PayloadError(key, f"unknown field (expected one of {', '.join(FORMATS)})")
    key = present[0]
    columns = served.columns
    if key == "dataframe_split":
        table = _split(doc[key], columns)
    elif key == "dataframe_records":
        table = _records(doc[key], columns, key)
    else:
        table = _tensor(doc[key], columns, key)
    return table, _method(doc.get("params"), served)


def response(result: Any) -> dict[str, Any]:
    if hasattr(result, "to_dict") and hasattr(result, "columns"):  # a pandas DataFrame
        predictions = result.to_dict(orient="records")
    elif hasattr(result, "tolist"):
        predictions = result.tolist()
    else:
        predictions = list(result)
    return {"predictions": predictions}


def _method(params: Any, served: ServedModel) -> str:
    if params is None:
        return "predict"
    if not isinstance(params, dict):
        raise PayloadError("params", "expected an object")
    for key in params:
        if key != "method":
            raise PayloadError(f"params.{key}", "unknown parameter (known: method)")
    return served.check_method(params.get("method", "predict"), "params.method")


def _split(doc: Any, columns: Sequence[Column]) -> Table:
    where = "dataframe_split"
    if not isinstance(doc, dict):
        raise PayloadError(where, 'expected an object with "columns" and "data"')
    data = doc.get("data")
    if not isinstance(data, list) or not data:
        raise PayloadError(f"{where}.data", "expected a non-empty list of rows")
    names = doc.get("columns")
    if names is None:
        return _rows(data, columns, f"{where}.data")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise PayloadError(f"{where}.columns", "expected a list of column names")
    _check_rows(data, len(names), f"{where}.data")
    return build_table(list(zip(names, zip(*data, strict=False), strict=True)), columns, where)


def _records(rows: Any, columns: Sequence[Column], where: str) -> Table:
    if not isinstance(rows, list) or not rows:
        raise PayloadError(where, "expected a non-empty list of {column: value} objects")
    names: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise PayloadError(f"{where}[{i}]", "expected an object {column: value}")
        names.update(dict.fromkeys(row))
    given = [(name, [row.get(name) for row in rows]) for name in names]
    return build_table(given, columns, where)


def _tensor(doc: Any, columns: Sequence[Column], where: str) -> Table:
    """``instances``/``inputs``: ``{column: values}``, records, rows, or one column's values."""
    if isinstance(doc, dict):
        if not doc:
            raise PayloadError(where, "expected {column: [values]}")
        given = [(k, v if isinstance(v, list) else [v]) for k, v in doc.items()]
        return build_table(given, columns, where)
    if not isinstance(doc, list) or not doc:
        raise PayloadError(where, "expected a non-empty list of rows or {column: [values]}")
    if isinstance(doc[0], dict):
        return _records(doc, columns, where)
    if isinstance(doc[0], list):
        return _rows(doc, columns, where)
    if len(columns) > 1:
        raise PayloadError(
            where, f"a flat list is one column; the model expects {len(columns)} per row"
        )
    name = columns[0].name if columns else "0"
    return build_table([(name, doc)], columns, where, named=bool(columns))


def _rows(rows: list[Any], columns: Sequence[Column], where: str) -> Table:
    """Positional rows: the signature names their columns, in order."""
    width = len(rows[0]) if isinstance(rows[0], list) else 0
    if columns and width != len(columns):
        expected = ", ".join(c.name for c in columns)
        raise PayloadError(
            f"{where}[0]", f"{width} value(s); the model expects {len(columns)} ({expected})"
        )
    _check_rows(rows, width, where)
    names = [c.name for c in columns] if columns else [str(j) for j in range(width)]
    return build_table(
        list(zip(names, zip(*rows, strict=False), strict=True)), columns, where, bool(columns)
    )


def _check_rows(rows: list[Any], width: int, where: str) -> None:
    if set(map(type, rows)) == {list} and set(map(len, rows)) == {width}:
        return
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            raise PayloadError(f"{where}[{i}]", f"expected a list of {width} value(s)")


def _csv(body: bytes, columns: Sequence[Column]) -> Table:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError("csv", "the body is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise PayloadError("csv", "empty body; expected a header row, then rows")
    rows = [row for row in reader if row]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise PayloadError(
                f"csv line {i + 2}", f"{len(row)} value(s) for {len(header)} column(s)"
            )
    if not rows:
        raise PayloadError("csv", "a header row but no rows")
    dtypes = {c.name: c.dtype for c in columns}
    given = [
        (name, _csv_values(list(values), dtypes.get(name, "")))
        for name, values in zip(header, zip(*rows, strict=False), strict=True)
    ]
    return build_table(given, columns, "csv")


def _csv_values(values: list[str], dtype: str) -> Any:
    """CSV cells are text: empty cells are missing, and numbers are read as numbers."""
    if dtype:
        try:
            kind = np.dtype(dtype).kind
        except TypeError:
            kind = "O"
        return [v if v.strip() else "nan" for v in values] if kind == "f" else values
    for target in (np.int64, np.float64):
        try:
            return np.asarray([v if v.strip() else "nan" for v in values], dtype=target)
        except (ValueError, OverflowError):
            continue
    return [v if v != "" else None for v in values]
