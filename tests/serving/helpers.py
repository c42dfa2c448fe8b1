"""A fitted scikit-learn model, written as a model directory the server loads."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from jupyter_mlver.core.models import flavors

SIGNATURE = {
    "format": "dataframe",
    "inputs": [
        {"name": "age", "dtype": "int64"},
        {"name": "income", "dtype": "float64"},
        {"name": "plan", "dtype": "object"},
        {"name": "active", "dtype": "bool"},
    ],
}


def training_frame(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame: pd.DataFrame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, rows).astype("int64"),
            "income": rng.normal(50_000, 15_000, rows),
            "plan": rng.choice(["basic", "plus", "pro"], rows).astype(object),
            "active": rng.random(rows) > 0.3,
        }
    )
    return frame


def fit_churn(frame: pd.DataFrame | None = None) -> Pipeline:
    """A pipeline over numbers, a string column and a boolean: every kind of input column."""
    frame = training_frame() if frame is None else frame
    target = ((frame["age"] < 40) & (frame["plan"] != "pro")) | (frame["income"] < 35_000)
    encode = ColumnTransformer(
        [
            ("num", StandardScaler(), ["age", "income"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
            ("flag", "passthrough", ["active"]),
        ]
    )
    return make_pipeline(encode, LogisticRegression(max_iter=500)).fit(frame, target)


def write_model_dir(
    root: Path,
    model: Any,
    name: str = "churn",
    version: int = 2,
    signature: Mapping[str, Any] | None = SIGNATURE,
) -> Path:
    """``root/model.json`` (an ``mlver.model/1`` record) and ``root/artifact/`` (save_model)."""
    flavor = flavors.save_model(model, root / "artifact")
    record = {
        "schema": "mlver.model/1",
        "name": name,
        "version": version,
        "artifact": {"hash": "0" * 64, "kind": "object", "path": None, "size": 0},
        "flavor": flavor,
        "signature": signature,
        "snapshot": None,
        "gate": None,
        "author": {"name": "Ada Lovelace", "email": "ada@example.org"},
        "created": "2026-11-30T00:00:00.000Z",
        "description": "",
    }
    (root / "model.json").write_text(json.dumps(record))
    return root


def sleepy(frame: Any) -> Any:
    """A pipeline step as slow as ``$MLVER_TEST_PREDICT_SECONDS`` (graceful shutdown tests)."""
    time.sleep(float(os.environ.get("MLVER_TEST_PREDICT_SECONDS", "0")))
    return frame


def fit_slow() -> Pipeline:
    frame = pd.DataFrame({"x": np.arange(20.0)})
    model = make_pipeline(FunctionTransformer(sleepy), LogisticRegression())
    return model.fit(frame, frame["x"] > 9)
