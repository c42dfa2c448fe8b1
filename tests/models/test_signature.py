"""Input signatures from examples: column names and numpy dtype names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.models.signature import (
    infer_signature,
    is_positional,
    signature_from_model,
    with_outputs,
)


def cols(sig: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(c["name"], c["dtype"]) for c in sig["inputs"]]


def test_dataframe_columns_and_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "age": [30, 40],
            "income": [1.5, 2.5],
            "city": ["Paris", "Lyon"],
            "member": [True, False],
            "visits": pd.array([1, None], dtype="Int64"),
            "plan": pd.Categorical(["a", "b"]),
            "since": pd.to_datetime(["2024-01-01", "2024-02-01"]),
        }
    )
    sig = infer_signature(frame)
    assert sig["format"] == "dataframe"
    assert not is_positional(sig)
    assert cols(sig) == [
        ("age", "int64"),
        ("income", "float64"),
        ("city", "object"),
        ("member", "bool"),
        ("visits", "int64"),
        ("plan", "object"),
        ("since", "datetime64[us]"),  # pandas 3 parses to microseconds
    ]
    assert cols(infer_signature(frame["age"])) == [("age", "int64")]


def test_arrays_are_positional() -> None:
    sig = infer_signature(np.zeros((5, 3), dtype=np.float32))
    assert sig["format"] == "ndarray"
    assert is_positional(sig)
    assert cols(sig) == [("0", "float32"), ("1", "float32"), ("2", "float32")]
    assert cols(infer_signature(np.array([1, 2]))) == [("0", "int64"), ("1", "int64")]
    images = infer_signature(np.zeros((2, 28, 28), dtype=np.uint8))
    assert images == {
        "format": "tensor",
        "inputs": [{"name": "input", "dtype": "uint8", "shape": [-1, 28, 28]}],
    }
    structured = np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])
    assert cols(infer_signature(structured)) == [("a", "int32"), ("b", "float64")]


def test_plain_python_examples() -> None:
    assert cols(infer_signature({"a": [1, 2], "b": ["x", "y"], "c": 0.5})) == [
        ("a", "int64"),
        ("b", "object"),
        ("c", "float64"),
    ]
    records = infer_signature([{"a": 1, "b": True}, {"a": None, "c": "z"}])
    assert records["format"] == "records"
    assert cols(records) == [("a", "float64"), ("b", "bool"), ("c", "object")]
    rows = infer_signature([[1, 2.5], [3, 4.0]])
    assert rows["format"] == "rows"
    assert cols(rows) == [("0", "int64"), ("1", "float64")]


@pytest.mark.parametrize("bad", [42, "text", {}, [[1, 2], [3]], np.float64(1.0)])
def test_unusable_examples_are_one_line(bad: object) -> None:
    with pytest.raises(InvalidInput) as err:
        infer_signature(bad)
    assert "\n" not in str(err.value)


def test_a_fitted_model_names_its_features() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "z": [0.0, 1.0, 0.0]})
    named = signature_from_model(LinearRegression().fit(frame, [1, 2, 3]))
    assert named is not None
    assert cols(named) == [("x", ""), ("z", "")]
    unnamed = signature_from_model(LinearRegression().fit(frame.to_numpy(), [1, 2, 3]))
    assert unnamed is not None
    assert is_positional(unnamed)
    assert cols(unnamed) == [("0", ""), ("1", "")]
    assert signature_from_model(object()) is None


def test_outputs_come_from_running_the_model_on_the_example() -> None:
    from sklearn.svm import SVC

    x = np.random.default_rng(0).normal(size=(40, 3))
    y = (x[:, 0] > 0).astype(int)
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    regression = LinearRegression().fit(frame, x[:, 1])
    sig = with_outputs(infer_signature(frame.head(3)), regression, frame.head(3))
    assert sig["outputs"] == [{"name": "predict", "dtype": "float64", "shape": [-1]}]
    # predict_proba of an SVC fitted without probabilities raises: it is not described.
    svc = SVC().fit(x, y)
    sig = with_outputs(infer_signature(x[:3]), svc, x[:3])
    assert sig["outputs"] == [{"name": "predict", "dtype": "int64", "shape": [-1]}]
    # Records (a list of dicts) reach the model as a table, like the server sends them.
    records = frame.head(2).to_dict(orient="records")
    sig = with_outputs(infer_signature(records), regression, records)
    assert sig["outputs"][0]["name"] == "predict"
    # A model that fails on the example keeps a signature of inputs only.
    broken = with_outputs(infer_signature(x[:3, :2]), regression, x[:3, :2])
    assert "outputs" not in broken
