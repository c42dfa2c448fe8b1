"""An in-process server (Starlette's TestClient) over a fitted scikit-learn model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from starlette.testclient import TestClient

from jupyter_mlver.serving import model as served_model
from jupyter_mlver.serving.app import create_app
from jupyter_mlver.serving.sampling import Sampler
from tests.serving.helpers import fit_churn, training_frame, write_model_dir


@pytest.fixture(scope="session")
def churn() -> Any:
    return fit_churn()


@pytest.fixture(scope="session")
def rows() -> pd.DataFrame:
    """Rows the model has not seen, with every plan."""
    frame = training_frame(12, seed=7)
    frame.loc[0:2, "plan"] = ["basic", "plus", "pro"]
    return frame


@pytest.fixture
def model_dir(tmp_path: Path, churn: Any) -> Path:
    return write_model_dir(tmp_path / "model", churn)


@pytest.fixture
def served(model_dir: Path) -> served_model.ServedModel:
    return served_model.load(model_dir)


@pytest.fixture
def sampler(tmp_path: Path) -> Sampler:
    return Sampler(tmp_path / "samples", "churn-2", rate=1.0, cap=1000)


@pytest.fixture
def client(served: served_model.ServedModel, sampler: Sampler) -> Iterator[TestClient]:
    with TestClient(create_app(served, sampler)) as c:
        yield c


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows with plain Python values, as a client sends them in JSON."""
    return [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
