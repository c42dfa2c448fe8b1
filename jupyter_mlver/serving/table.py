"""A request's rows, held column by column and checked against the model's signature.

Both protocols decode into a :class:`Table`: the model sees a pandas DataFrame with the
signature's columns (a 2-D numpy array when pandas is absent or the columns have no names), and
the sampler sees plain JSON rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

pd: Any
try:
    import pandas as pd
except ImportError:  # the server runs without pandas; models then get numpy arrays
    pd = None

_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


class PayloadError(Exception):
    """A request body the server cannot use (400); the message starts with the field at fault."""

    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)


# A column's values as decoded from a request: a list, or an array already typed.
Values = Sequence[Any] | np.ndarray[Any, Any]


@dataclass(frozen=True)
class Column:
    """One input column of the model: its name and numpy dtype ("" when unknown)."""

    name: str
    dtype: str = ""


@dataclass
class Table:
    names: list[str]
    arrays: list[np.ndarray[Any, Any]]
    # False when the columns are positional and the model has no signature to name them.
    named: bool = True

    @property
    def rows(self) -> int:
        return len(self.arrays[0]) if self.arrays else 0

    def frame(self, as_array: bool = False) -> Any:
        """What ``model.predict`` receives: a DataFrame, or a 2-D array for positional columns."""
        if self.named and not as_array and pd is not None:
            return pd.DataFrame(dict(zip(self.names, self.arrays, strict=True)), copy=False)
        return np.column_stack(self.arrays)


def build_table(
    given: Sequence[tuple[str, Values]],
    signature: Sequence[Column],
    where: str,
    named: bool = True,
) -> Table:
    """Check columns decoded from a request against the signature and give them its dtypes.

    ``given`` is ``(name, values)`` per column; ``where`` prefixes field names in errors.
    Columns the signature does not list are dropped; a missing one is an error.
    """
    if not given:
        raise PayloadError(where, "no columns")
    lengths = {len(values) for _, values in given}
    if len(lengths) > 1:
        counts = ", ".join(f"{name}={len(values)}" for name, values in given)
        raise PayloadError(where, f"columns have different numbers of rows ({counts})")
    if lengths == {0}:
        raise PayloadError(where, "no rows")
    if not signature:
        arrays = [_infer(values, f"{where}.{name}") for name, values in given]
        return Table([name for name, _ in given], arrays, named)
    by_name = dict(given)
    missing = [c.name for c in signature if c.name not in by_name]
    if missing:
        expected = ", ".join(c.name for c in signature)
        raise PayloadError(
            where, f"missing column(s) {', '.join(missing)} (the model expects {expected})"
        )
    arrays = [coerce(by_name[c.name], c.dtype, f"{where}.{c.name}") for c in signature]
    return Table([c.name for c in signature], arrays)


def coerce(values: Values, dtype: str, field: str) -> np.ndarray[Any, Any]:
    """``values`` as a 1-D array of ``dtype``; the first value that does not fit is named."""
    if not dtype:
        return _infer(values, field)
    target = _numpy_dtype(dtype)
    if target is None or target.kind in "OUS":
        return _object_array(values, field)
    types = set() if isinstance(values, np.ndarray) else set(map(type, values))
    if target.kind == "b" and str in types:
        values = [_parse_bool(v, field) for v in values]
    elif target.kind in "iuf" and bool in types:
        raise PayloadError(field, f"true/false given where the model expects {target}")
    try:
        array = np.asarray(values, dtype=target)
    except (ValueError, TypeError, OverflowError):
        raise PayloadError(
            field, f"cannot read {_first_bad(values, target)!r} as {target}"
        ) from None
    if array.ndim != 1:
        raise PayloadError(field, "expected one value per row, got nested lists")
    return array


def _numpy_dtype(dtype: str) -> np.dtype[Any] | None:
    try:
        return np.dtype(dtype)
    except TypeError:  # pandas-only names ("category", "string") are held as objects
        return None


def _object_array(values: Values, field: str) -> np.ndarray[Any, Any]:
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if isinstance(value, (list, dict)):
            raise PayloadError(field, "expected one value per row, got nested lists")
        array[i] = value
    return array


def _infer(values: Values, field: str) -> np.ndarray[Any, Any]:
    """Without a signature: numbers and booleans as numpy infers them, anything else as objects."""
    if isinstance(values, np.ndarray):
        return values
    if all(isinstance(v, (int, float)) for v in values):
        return np.asarray(values)
    return _object_array(values, field)


def _parse_bool(value: Any, field: str) -> bool:
    if not isinstance(value, str):
        return bool(value)
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise PayloadError(field, f"cannot read {value!r} as bool")


def _first_bad(values: Values, target: np.dtype[Any]) -> Any:
    for value in values:
        try:
            np.asarray([value], dtype=target)
        except (ValueError, TypeError, OverflowError):
            return value
    return values[0] if values else None
