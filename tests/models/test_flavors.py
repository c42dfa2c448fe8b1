"""Saving and loading model objects in each library's own format, and a path's flavour."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.models.flavors import (
    MANIFEST,
    detect_flavor,
    detect_path_flavor,
    load_model,
    save_model,
)

X, Y = make_classification(n_samples=120, n_features=5, random_state=0)


def _fitted_sklearn() -> LogisticRegression:
    return LogisticRegression(max_iter=200).fit(X, Y)


def _manifest(dest: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((dest / MANIFEST).read_text())
    return data


def test_sklearn_object_round_trips_with_joblib(tmp_path: Path) -> None:
    model = _fitted_sklearn()
    assert save_model(model, tmp_path / "m") == "sklearn"
    manifest = _manifest(tmp_path / "m")
    assert manifest["flavor"] == "sklearn"
    assert manifest["serializer"] == "joblib"
    assert manifest["files"] == ["model.joblib"]
    assert manifest["class"] == "sklearn.linear_model._logistic.LogisticRegression"
    assert manifest["python"] == ".".join(map(str, sys.version_info[:3]))
    assert manifest["libraries"]["scikit-learn"] == "1.9.1"
    loaded: Any = load_model(tmp_path / "m")
    assert type(loaded) is LogisticRegression
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_sklearn_object_with_skops_when_asked(tmp_path: Path) -> None:
    model = _fitted_sklearn()
    save_model(model, tmp_path / "m", serializer="skops")
    manifest = _manifest(tmp_path / "m")
    assert manifest["serializer"] == "skops"
    assert manifest["files"] == ["model.skops"]
    assert "skops" in manifest["libraries"]
    loaded: Any = load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_xgboost_native_format(tmp_path: Path) -> None:
    import xgboost

    model = xgboost.XGBClassifier(n_estimators=5, max_depth=2).fit(X, Y)
    assert detect_flavor(model) == "xgboost"  # before sklearn, which it subclasses
    save_model(model, tmp_path / "m")
    assert _manifest(tmp_path / "m")["files"] == ["model.ubj"]
    loaded: Any = load_model(tmp_path / "m")
    assert type(loaded) is xgboost.XGBClassifier
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))

    booster = model.get_booster()
    save_model(booster, tmp_path / "b")
    loaded_booster: Any = load_model(tmp_path / "b")
    assert type(loaded_booster) is xgboost.Booster
    matrix = xgboost.DMatrix(X)
    np.testing.assert_allclose(loaded_booster.predict(matrix), booster.predict(matrix))


def test_lightgbm_native_format(tmp_path: Path) -> None:
    import lightgbm

    model = lightgbm.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, Y)
    assert detect_flavor(model) == "lightgbm"
    save_model(model, tmp_path / "m")
    files = _manifest(tmp_path / "m")["files"]
    assert set(files) == {"model.pkl", "model.txt"}
    assert (tmp_path / "m" / "model.txt").read_text().startswith("tree\n")
    loaded: Any = load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    save_model(model.booster_, tmp_path / "b")
    assert _manifest(tmp_path / "b")["files"] == ["model.txt"]
    booster: Any = load_model(tmp_path / "b")
    expected = model.booster_.predict(X)
    assert isinstance(expected, np.ndarray)
    np.testing.assert_allclose(booster.predict(X), expected)


def test_torch_module_and_torchscript(tmp_path: Path) -> None:
    import torch

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    inputs = torch.tensor(X, dtype=torch.float32)
    assert detect_flavor(module) == "torch"
    save_model(module, tmp_path / "m")
    assert _manifest(tmp_path / "m")["serializer"] == "torch"
    loaded: Any = load_model(tmp_path / "m")
    torch.testing.assert_close(loaded(inputs), module(inputs))

    scripted = torch.jit.script(module)
    save_model(scripted, tmp_path / "s")
    assert _manifest(tmp_path / "s")["serializer"] == "torchscript"
    loaded_script: Any = load_model(tmp_path / "s")
    torch.testing.assert_close(loaded_script(inputs), module(inputs))


def test_other_objects_with_cloudpickle(tmp_path: Path) -> None:
    model = {"weights": [1.0, 2.0], "bias": 0.5}
    assert detect_flavor(model) == "cloudpickle"
    assert save_model(model, tmp_path / "m") == "cloudpickle"
    assert _manifest(tmp_path / "m")["files"] == ["model.pkl"]
    assert load_model(tmp_path / "m") == model


def test_notebook_defined_classes_load_in_another_process(tmp_path: Path) -> None:
    """A pipeline with a transformer defined in ``__main__`` (a notebook) is stored by value."""
    script = textwrap.dedent(
        f"""
        import json, sys
        import numpy as np
        from sklearn.base import BaseEstimator, TransformerMixin
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from jupyter_mlver.core.models.flavors import save_model

        class Doubler(BaseEstimator, TransformerMixin):
            def fit(self, X, y=None):
                return self
            def transform(self, X):
                return np.asarray(X) * 2

        X = np.array({X[:40].tolist()!r})
        y = np.array({Y[:40].tolist()!r})
        model = make_pipeline(Doubler(), LogisticRegression()).fit(X, y)
        save_model(model, sys.argv[1])
        print(json.dumps(model.predict_proba(X).tolist()))
        """
    )
    (tmp_path / "train.py").write_text(script)
    out = subprocess.run(
        [sys.executable, str(tmp_path / "train.py"), str(tmp_path / "m")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert _manifest(tmp_path / "m")["serializer"] == "cloudpickle"
    loaded: Any = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(X[:40]), json.loads(out))


@pytest.mark.parametrize(
    ("obj", "type_name"),
    [(threading.Lock(), "lock"), ((i for i in range(3)), "generator")],
)
def test_an_unsaveable_object_is_named_with_its_type(
    tmp_path: Path, obj: object, type_name: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        save_model(obj, tmp_path / "m", name="clf")
    assert f"clf ({type_name})" in str(err.value)
    assert "\n" not in str(err.value)
    assert list((tmp_path / "m").iterdir()) == []


def test_a_missing_library_or_bad_flavor_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown flavour 'onnx'"):
        save_model(_fitted_sklearn(), tmp_path / "a", flavor="onnx")
    with pytest.raises(InvalidInput, match="cannot save"):
        save_model({"a": 1}, tmp_path / "b", flavor="xgboost")
    assert list((tmp_path / "b").iterdir()) == []
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x").write_text("x")
    with pytest.raises(InvalidInput, match="not empty"):
        save_model({"a": 1}, tmp_path / "c")


def test_flavor_of_model_files(tmp_path: Path) -> None:
    import lightgbm
    import torch
    import xgboost

    model = _fitted_sklearn()
    joblib.dump(model, tmp_path / "plain.joblib")
    joblib.dump(model, tmp_path / "packed.joblib", compress=3)
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    with open(tmp_path / "weights.pkl", "wb") as f:
        pickle.dump({"w": [1, 2]}, f)
    booster = xgboost.XGBClassifier(n_estimators=2).fit(X, Y)
    booster.save_model(tmp_path / "model.ubj")
    booster.save_model(tmp_path / "model.json")
    lightgbm.LGBMClassifier(n_estimators=2, verbose=-1).fit(X, Y).booster_.save_model(
        tmp_path / "lgb.txt"
    )
    torch.save(torch.nn.Linear(2, 1), tmp_path / "net.pt")
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "config.json").write_text('{"a": 1}')
    (tmp_path / "model.onnx").write_bytes(b"\x08\x07")

    expected = {
        "plain.joblib": "sklearn",
        "packed.joblib": "sklearn",
        "model.pkl": "sklearn",
        "weights.pkl": "cloudpickle",
        "model.ubj": "xgboost",
        "model.json": "xgboost",
        "lgb.txt": "lightgbm",
        "net.pt": "torch",
        "notes.txt": "file",
        "config.json": "file",
        "model.onnx": "file",
    }
    assert {name: detect_path_flavor(tmp_path / name) for name in expected} == expected


def test_loading_plain_files(tmp_path: Path) -> None:
    import xgboost

    model = _fitted_sklearn()
    joblib.dump(model, tmp_path / "model.joblib", compress=3)
    loaded: Any = load_model(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    folder = tmp_path / "folder"
    folder.mkdir()
    xgb = xgboost.XGBClassifier(n_estimators=3).fit(X, Y)
    xgb.save_model(folder / "model.ubj")
    booster: Any = load_model(folder)
    np.testing.assert_allclose(
        booster.predict(xgboost.DMatrix(X)), xgb.get_booster().predict(xgboost.DMatrix(X))
    )

    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(InvalidInput, match="no loader for flavour 'file'"):
        load_model(tmp_path / "notes.txt")
    (folder / "other.bin").write_bytes(b"x")
    with pytest.raises(InvalidInput, match="holds 2 files"):
        load_model(folder)


def test_module_imports_only_the_standard_library() -> None:
    """The model server imports it next to the model's libraries only."""
    code = (
        "import sys; before = set(sys.modules); "
        "import jupyter_mlver.core.models.flavors; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    ours = {m for m in loaded if m.startswith("jupyter_mlver")}
    assert ours == {
        "jupyter_mlver",
        "jupyter_mlver._version",
        "jupyter_mlver.core",
        "jupyter_mlver.core.errors",
        "jupyter_mlver.core.models",
        "jupyter_mlver.core.models.flavors",
        "jupyter_mlver.core.models.model_files",
    }
    stdlib = set(sys.stdlib_module_names)
    foreign = {m for m in loaded if m.partition(".")[0] not in stdlib and m not in ours}
    assert foreign == set()
