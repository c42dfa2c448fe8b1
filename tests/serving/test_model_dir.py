"""Reading a model directory: the record, the artifact, the signature, the default place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.serving import model as served_model
from jupyter_mlver.serving import table as table_module
from jupyter_mlver.serving.mlflow import parse
from tests.serving.helpers import write_model_dir


def test_load_reads_record_signature_and_artifact(model_dir: Path, churn: Any) -> None:
    served = served_model.load(model_dir)
    assert (served.name, served.version, served.flavor) == ("churn", "2", "sklearn")
    assert [(c.name, c.dtype) for c in served.columns] == [
        ("age", "int64"),
        ("income", "float64"),
        ("plan", "object"),
        ("active", "bool"),
    ]
    assert served.methods == ["predict", "predict_proba"]
    assert not served.positional
    assert type(served.model) is type(churn)


def test_a_model_fitted_on_an_array_gets_an_array(tmp_path: Path) -> None:
    x = np.random.default_rng(0).random((20, 2))
    model = LinearRegression().fit(x, x @ [1.0, 2.0])
    signature = {
        "format": "ndarray",
        "inputs": [{"name": "0", "dtype": "float64"}, {"name": "1", "dtype": "float64"}],
    }
    served = served_model.load(write_model_dir(tmp_path, model, "lin", 1, signature))
    assert served.positional
    table, _ = parse(b'{"instances": [[1, 1], [2, 0]]}', "application/json", served)
    assert isinstance(table.frame(as_array=served.positional), np.ndarray)
    np.testing.assert_allclose(served.predict(table), [3.0, 2.0])


def test_without_a_signature_columns_are_taken_as_sent(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    model = LinearRegression().fit(frame, frame["a"] + 10 * frame["b"])
    served = served_model.load(write_model_dir(tmp_path, model, "lin", 1, None))
    assert served.columns == []
    table, _ = parse(b'{"dataframe_records": [{"a": 4, "b": 1}]}', "application/json", served)
    np.testing.assert_allclose(served.predict(table), [14.0])


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (None, "no model.json in"),
        ("{not json", "cannot read"),
        ("[1]", "is not a JSON object"),
        (
            {"schema": "mlver.snapshot/1", "name": "m", "version": 1, "flavor": "sklearn"},
            "is a mlver.snapshot/1 record",
        ),
        ({"name": "m", "version": 1}, "has no 'flavor'"),
        ({"name": "m", "flavor": "sklearn"}, "has no 'version'"),
    ],
)
def test_bad_records_are_one_line_errors(tmp_path: Path, record: Any, message: str) -> None:
    if record is not None:
        text = record if isinstance(record, str) else json.dumps(record)
        (tmp_path / "model.json").write_text(text)
    with pytest.raises(InvalidInput, match=message) as info:
        served_model.read_record(tmp_path)
    assert info.value.hint
    assert "model.json" in info.value.hint


def test_missing_artifact_and_tensor_models_are_refused(model_dir: Path, tmp_path: Path) -> None:
    record = json.loads((model_dir / "model.json").read_text())
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "model.json").write_text(json.dumps(record))
    with pytest.raises(InvalidInput, match="no artifact in"):
        served_model.load(empty)
    record["signature"] = {"format": "tensor", "inputs": [{"name": "input", "dtype": "float32"}]}
    (model_dir / "model.json").write_text(json.dumps(record))
    with pytest.raises(InvalidInput, match="N-dimensional tensor"):
        served_model.load(model_dir)


def test_a_model_without_predict_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\(dict\) has no predict method"):
        served_model.load(write_model_dir(tmp_path, {"weights": [1, 2]}, "d", 1, None))


def test_default_model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert served_model.default_model_dir({"MLVER_MODEL_DIR": str(tmp_path)}) == tmp_path
    monkeypatch.setattr(served_model, "KSERVE_MOUNT", tmp_path / "mnt")
    assert served_model.default_model_dir({}) == Path("/opt/mlver/model")
    (tmp_path / "mnt").mkdir()
    (tmp_path / "mnt" / "model.json").write_text("{}")
    assert served_model.default_model_dir({}) == tmp_path / "mnt"


def test_without_pandas_the_model_gets_an_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = np.random.default_rng(1).random((20, 2))
    model = LinearRegression().fit(x, x @ [3.0, -1.0])
    signature = {
        "format": "dataframe",
        "inputs": [{"name": "a", "dtype": "float64"}, {"name": "b", "dtype": "float64"}],
    }
    served = served_model.load(write_model_dir(tmp_path, model, "lin", 1, signature))
    monkeypatch.setattr(table_module, "pd", None)
    table, _ = parse(b'{"dataframe_records": [{"b": 1, "a": 2}]}', "application/json", served)
    assert isinstance(table.frame(), np.ndarray)
    np.testing.assert_allclose(served.predict(table), [5.0])
