"""A registered scikit-learn model whose snapshot's environment is a real venv with the same
libraries as this test process, and helpers to run its serving image and talk to it."""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.signature import infer_signature
from jupyter_mlver.core.records import SnapshotRecord
from jupyter_mlver.core.store.store import Store
from tests.serving.helpers import fit_churn, training_frame

from .helpers import git, make_venv, take_snapshot, venv_environment

#: The model's libraries at this process's versions, so the image predicts what we do.
LIBRARIES = ("numpy", "scipy", "scikit-learn", "joblib", "threadpoolctl", "pandas")


@dataclass
class ModelProject:
    root: Path
    project: Path
    snapshot: SnapshotRecord
    model: Any  # the fitted pipeline, in this process

    def store(self) -> Store:
        return Store.open(self.project)


def make_model_project(root: Path) -> ModelProject:
    """A git project whose snapshot's environment is a venv of ``LIBRARIES``, and two
    versions of ``churn`` registered from it (1 holds ``production``)."""
    project = root / "churn-project"
    project.mkdir(parents=True)
    git(project, "init", "-q", "-b", "main")
    (project / "train.py").write_text("print('training churn')\n")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "train")
    python = make_venv(root / "venv", *(f"{n}=={metadata.version(n)}" for n in LIBRARIES))
    environment = venv_environment(python)
    frame = training_frame(300, seed=3)
    model = fit_churn(frame)
    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "train churn", None)
        for aliases, obj in ((["production"], model), ([], variant(model, "2"))):
            prepared = prepare_object(obj, name="clf")
            try:
                registry.register(
                    store,
                    prepared,
                    RegistrationOptions(
                        "churn", aliases=aliases, signature=infer_signature(frame.head())
                    ),
                    snapshot=snapshot["id"],
                )
            finally:
                prepared.cleanup()
    return ModelProject(root, project, snapshot, model)


def variant(model: Any, tag: str) -> Any:
    """The same model with other bytes (an identical artifact is not registered again)."""
    other = copy.deepcopy(model)
    other.mlver_test_variant = tag
    return other


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    url: str,
    body: Any = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """``(status, JSON or text)`` of a GET, or a POST of ``body`` as JSON (or ``raw``)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=30) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


@contextlib.contextmanager
def running(engine: DockerEngine, image: str) -> Iterator[str]:
    """A container of ``image`` with port 8080 published on loopback; its URL once ready."""
    port = free_port()
    container = engine.client.containers.run(
        image,
        detach=True,
        ports={"8080/tcp": ("127.0.0.1", port)},
        labels={"io.mlver.test": "serving-image"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            container.reload()
            if container.status == "exited":
                raise AssertionError(f"the server exited:\n{container.logs().decode()}")
            with contextlib.suppress(OSError):
                if request(f"{url}/v2/health/ready")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready in 90 s:\n{container.logs().decode()}")
            time.sleep(0.2)
        yield url
    finally:
        container.remove(force=True)
