"""A real JupyterLab kernel's environment (JupyterLab, ipykernel, scikit-learn, pandas: well
over a hundred packages), made once per machine and kept, and a project whose model was
trained in that kernel: what a new user has, not a six-package test venv. The image tests
and ``benchmarks/bench_serving.py`` share it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbclient
import nbformat

from jupyter_mlver.core.hashing import hash_bytes
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.registration import register_path
from jupyter_mlver.core.models.signature import infer_signature, read_example
from jupyter_mlver.core.records import ModelRecord, Record, SnapshotRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions
from jupyter_mlver.core.store.store import Store

from .helpers import git, make_venv, take_snapshot, venv_environment

#: The kernel of `make lab`: what a user of the quickstart has.
KERNEL_PACKAGES = ("jupyterlab==4.6.6", "ipykernel==7.4.0", "scikit-learn==1.9.1", "pandas==3.1.1")
KERNEL_NAME = "mlver-jupyterlab-kernel"
#: Trained in the kernel: a pipeline over an int, a float, a string and a bool column.
TRAIN = """
import json, joblib, numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
def rows(n, seed):
    r = np.random.default_rng(seed)
    return pd.DataFrame({"age": r.integers(18, 80, n), "income": r.normal(50_000, 15_000, n),
                         "plan": r.choice(["basic", "plus", "pro"], n),
                         "active": r.random(n) < 0.5})
X = rows(500, 0)
y = ((X.age < 40) & (X.plan != "pro")) | (X.income < 35_000)
clf = make_pipeline(
    ColumnTransformer([("num", StandardScaler(), ["age", "income"]),
                       ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
                       ("flag", "passthrough", ["active"])]),
    RandomForestClassifier(n_estimators=20, random_state=0)).fit(X, y)
joblib.dump(clf, "model.joblib")
X.head(20).to_csv("example.csv", index=False)
test = rows(50, 1)
test.to_json("test.json", orient="split", index=False)
json.dump(clf.predict(test).tolist(), open("predicted.json", "w"))
"""


def cache_dir() -> Path:
    return Path(
        os.environ.get("MLVER_TEST_CACHE") or Path.home() / ".cache" / "jupyter_mlver-tests"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def kernel_venv() -> Path:
    """The kernel environment's python, made once per machine (about a minute from pip's
    cache) and kept under ``$MLVER_TEST_CACHE`` (default ``~/.cache/jupyter_mlver-tests``)."""
    key = hash_bytes(json.dumps([platform.python_version(), *KERNEL_PACKAGES]).encode())[:12]
    root = cache_dir() / f"kernel-{key}"
    with _locked(cache_dir() / f"kernel-{key}.lock"):
        if not (root / "complete").is_file():
            shutil.rmtree(root, ignore_errors=True)
            make_venv(root, *KERNEL_PACKAGES)
            (root / "complete").write_text("")
    return root / "bin" / "python"


def kernelspec(python: Path, where: Path) -> Path:
    """A kernelspec for ``python`` under ``where`` (put on ``JUPYTER_PATH``)."""
    spec = where / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "JupyterLab kernel",
                "language": "python",
            }
        )
    )
    return where


@dataclass
class KernelProject:
    project: Path
    python: Path
    environment: Record
    snapshot: SnapshotRecord
    model: ModelRecord
    predicted: list[Any]  # what the kernel's model predicted for ``test.json``

    def store(self) -> Store:
        return Store.open(self.project)


def trained_in_kernel(root: Path, python: Path) -> KernelProject:
    """A git project whose notebook trained a model in the kernel (nbclient), a snapshot of
    that kernel's environment, and the model registered with its example."""
    project = root / "churn-kernel"
    project.mkdir(parents=True)
    git(project, "init", "-q", "-b", "main")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "language": "python", "display_name": "K"}
    nb.cells = [nbformat.v4.new_code_cell(TRAIN)]
    nbformat.write(nb, project / "train.ipynb")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "train")
    env = {**os.environ, "JUPYTER_PATH": str(kernelspec(python, root / "jupyter"))}
    old = os.environ.copy()
    os.environ.update(env)
    try:
        nbclient.NotebookClient(
            nb, timeout=600, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(project)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    environment = venv_environment(python)
    example = read_example(project / "example.csv")
    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "trained in a JupyterLab kernel", None)
        model = register_path(
            store,
            str(project / "model.joblib"),
            RegistrationOptions("churn", signature=infer_signature(example)),
            snapshot=snapshot["id"],
            new_snapshot=SnapshotOptions(),
            example=example,
        )
        environment = store.get(snapshot["environment"])
    predicted = json.loads((project / "predicted.json").read_text())
    return KernelProject(project, python, environment, snapshot, model, predicted)
