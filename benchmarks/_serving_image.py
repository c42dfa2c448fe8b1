"""The served image for bench_serving.py: the benchmark's model registered in a project whose
snapshot's environment is a venv of the model's libraries, its serving image built the way
``jupyter mlver model build`` builds it (each build timed), then run on the engine.

Builds, in order, in a fresh store: version 1 (model-sized, from the engine's layer cache when
an earlier run left one), version 2 from the CLI (its lock and every layer but the model's are
found again), version 1 again (reused, nothing built).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _common import BIN, WORK, git_init

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.engine.protocol import Container, ServiceOptions
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.signature import infer_signature
from jupyter_mlver.core.store.store import Store
from tests.images.helpers import make_venv, take_snapshot, venv_environment

LIBRARIES = ("numpy", "scipy", "scikit-learn", "joblib", "threadpoolctl", "pandas")
PREFIX = "mlver-bench/"


@dataclass
class ServedImage:
    engine: DockerEngine
    container: Container
    url: str
    startup: float
    builds: list[tuple[str, float]] = field(default_factory=list)
    env_size: int = 0
    image_size: int = 0

    def rss_mib(self) -> float:
        stats = self.engine.api.stats(self.container.id, stream=False)
        memory = stats.get("memory_stats") or {}
        cache = (memory.get("stats") or {}).get("inactive_file", 0)
        return float(memory.get("usage", 0) - cache) / 2**20

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.engine.stop(self.container.id, timeout=30)


def _venv() -> Path:
    pins = [f"{n}=={metadata.version(n)}" for n in LIBRARIES]
    venv = WORK / "serving-image-venv"
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(pins):
        shutil.rmtree(venv, ignore_errors=True)
        print(f"creating {venv} with {' '.join(pins)} …", file=sys.stderr)
        make_venv(venv, *pins)
        stamp.write_text(" ".join(pins))
    return venv / "bin" / "python"


def _register(store: Store, model: Any, example: Any, snapshot: str) -> None:
    prepared = prepare_object(model, name="model")
    try:
        registry.register(
            store,
            prepared,
            RegistrationOptions("churn", signature=infer_signature(example)),
            snapshot=snapshot,
        )
    finally:
        prepared.cleanup()


def _wait(url: str, container: Container, engine: DockerEngine) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            now = engine.container(container.id)
            if now is None or now.status == "exited":
                raise SystemExit(f"the container exited:\n{engine.logs(container.id)}") from None
            time.sleep(0.05)
    raise SystemExit(f"{url} was not ready in 180 s")


def serve_image(model: Any, example: Any, base: str) -> ServedImage:
    """Build the serving images (timed) and run version 1's; the server is reached at the
    container's own address (as a cluster reaches a pod), not through a published port."""
    engine = DockerEngine.connect()
    project = WORK / "serving-image-project"
    shutil.rmtree(project, ignore_errors=True)
    git_init(project)
    environment = venv_environment(_venv())
    builds = []
    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "churn", None)["id"]
        _register(store, model, example, snapshot)
        started = time.perf_counter()
        first = build_model_image(
            store, ModelImageOptions("churn:1", base=base, prefix=PREFIX), engine
        )
        total = time.perf_counter() - started
        builds.append(("version 1 (model-sized; layer cache of earlier runs)", total))
        # Version 2: the same model with other bytes (an identical artifact would be version 1).
        second = copy.deepcopy(model)
        second.mlver_benchmark_version = 2
        _register(store, second, example, snapshot)
    config = WORK / "serving-image-config"
    config.mkdir(exist_ok=True)
    (config / "jupyter_mlver_config.json").write_text(
        json.dumps({"Mlver": {"image_prefix": PREFIX}})
    )
    started = time.perf_counter()
    subprocess.run(
        [BIN / "jupyter-mlver", "model", "build", "churn:2", "--base", base],
        cwd=project, check=True, capture_output=True,
        env={**os.environ, "DOCKER_HOST": engine.host, "JUPYTER_CONFIG_DIR": str(config)},
    )  # fmt: skip
    builds.append(
        ("version 2, CLI: its lock and layers found again", time.perf_counter() - started)
    )
    with Store.open(project) as store:
        started = time.perf_counter()
        again = build_model_image(
            store, ModelImageOptions("churn:1", base=base, prefix=PREFIX), engine
        )
        builds.append(("version 1 again: reused", time.perf_counter() - started))
    assert again.build.reused
    image = first.build.image or ""
    built = first.build.record
    env_info = engine.image(built["base"] if built else "")
    info = engine.image(image)
    assert env_info is not None
    assert info is not None
    started = time.perf_counter()
    container = engine.start(image, ServiceOptions(name=None, labels={"io.mlver.bench": "serving"}))
    address = engine.api.inspect_container(container.id)["NetworkSettings"]["IPAddress"]
    url = f"http://{address}:8080"
    _wait(url, container, engine)
    return ServedImage(
        engine, container, url, time.perf_counter() - started, builds, env_info.size, info.size
    )
