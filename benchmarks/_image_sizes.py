"""Serving images' sizes and build times for bench_serving.py, for two kernels: a small one
(a venv of the model's libraries) and a real JupyterLab kernel (jupyterlab, ipykernel,
scikit-learn, pandas: the tests' kernel_env, well over a hundred packages), each with
``--env model`` (the default) and ``--env snapshot``.

For each: a fresh store; version 1 built cold (``--no-cache``: no layer of an earlier run, the
wheels from the host pip's cache), then version 2 of the same model (the next version);
the image's size, and its size above the base (the part a registry stores and a node pulls
for this image). The base is the one the build picked for the snapshot's Python.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import WORK, git_init

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.signature import infer_signature, with_outputs
from jupyter_mlver.core.store.store import Store
from tests.images.helpers import take_snapshot, venv_environment
from tests.images.kernel_env import kernel_venv

PREFIX = "mlver-bench-sizes/"


@dataclass
class SizeRow:
    kernel: str
    packages: int
    env: str
    installed: int
    cold_s: float
    next_s: float
    size: int
    base_size: int

    def cells(self) -> list[str]:
        mib = 2**20
        return [
            self.kernel, str(self.packages), f"--env {self.env}", str(self.installed),
            f"{self.cold_s:.1f} s", f"{self.next_s:.1f} s", f"{self.size / mib:,.0f} MiB",
            f"{(self.size - self.base_size) / mib:,.0f} MiB",
        ]  # fmt: skip


HEADERS = ["kernel", "packages", "image", "installed", "cold build", "next version",
           "image size", "above base"]  # fmt: skip


def _register(store: Store, model: Any, example: Any, snapshot: str) -> None:
    prepared = prepare_object(model, name="model")
    signature = with_outputs(infer_signature(example), model, example)
    try:
        registry.register(
            store, prepared, RegistrationOptions("churn", signature=signature), snapshot=snapshot
        )
    finally:
        prepared.cleanup()


def measure(kernel: str, python: Path, model: Any, example: Any, env: str) -> SizeRow:
    engine = DockerEngine.connect()
    project = WORK / f"sizes-{kernel.split()[0]}-{env}"
    shutil.rmtree(project, ignore_errors=True)
    git_init(project)
    environment = venv_environment(python)
    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, kernel, None)["id"]
        _register(store, model, example, snapshot)
        _register(store, model, example, snapshot)
        print(f"{kernel}, --env {env}: building version 1 cold …", file=sys.stderr)
        started = time.perf_counter()
        first = build_model_image(
            store, ModelImageOptions("churn:1", prefix=PREFIX, env=env, no_cache=True), engine
        )
        cold = time.perf_counter() - started
        started = time.perf_counter()
        build_model_image(store, ModelImageOptions("churn:2", prefix=PREFIX, env=env), engine)
        following = time.perf_counter() - started
    record = first.build.record
    assert record is not None
    info = engine.image(record["image_id"])
    base = engine.image(record["base"] if env == "model" else _base_of(store_dir=project))
    assert info is not None
    assert base is not None
    return SizeRow(
        kernel, len(environment["packages"]), env, len(record.get("requirements") or []),
        cold, following, info.size, base.size,
    )  # fmt: skip


def _base_of(store_dir: Path) -> str:
    """The base of the environment image a ``--env snapshot`` image is built on."""
    with Store.open(store_dir) as store:
        for rid in store.index.record_ids("image"):
            record = store.get(rid)
            if not record.get("model"):
                return str(record["base"])
    raise AssertionError("no environment image recorded")


def size_rows(model: Any, example: Any, small_python: Path) -> list[SizeRow]:
    kernels = [
        ("small venv (the model's libraries)", small_python),
        ("JupyterLab kernel", kernel_venv()),
    ]
    return [
        measure(kernel, python, model, example, env)
        for kernel, python in kernels
        for env in ("model", "snapshot")
    ]
