"""Fixtures for the image tests: a real Docker engine, base image and registry (never
faked, never skipped), and images built once per session and shared by the tests.

``make test`` exports DOCKER_HOST, MLVER_TEST_BASE_IMAGE and MLVER_TEST_REGISTRY from the
scripts/ensure-*.sh set-up scripts; when one of them does not answer, every test that
needs it fails with a message that says how to start it.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.errors import EngineUnavailable
from jupyter_mlver.core.images import BuildOptions, BuildResult, ProgressEvent, build_image
from jupyter_mlver.core.images.model_image import (
    ModelImageOptions,
    ModelImageResult,
    build_model_image,
)
from jupyter_mlver.core.records import Record, SnapshotRecord
from jupyter_mlver.core.store.store import Store

from .helpers import (
    SETUP_HINT,
    engine_settings,
    make_project,
    make_vcs_package,
    make_venv,
    registry_answers,
    take_snapshot,
    venv_environment,
)
from .kernel_env import KernelProject, kernel_venv, trained_in_kernel
from .model_helpers import ModelProject, make_model_project


@pytest.fixture(scope="session")
def engine() -> DockerEngine:
    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        pytest.fail(f"the image tests need a Docker engine: {e.message}. {SETUP_HINT}")


@pytest.fixture(scope="session")
def base_image(engine: DockerEngine) -> str:
    base = engine_settings()["base"]
    if engine.image(base) is None:
        pytest.fail(f"the base image {base} is not in the engine at {engine.host}. {SETUP_HINT}")
    return base


@pytest.fixture(scope="session")
def registry() -> str:
    address = engine_settings()["registry"]
    if not registry_answers(address):
        pytest.fail(f"no image registry answers at {address}. {SETUP_HINT}")
    return address


@pytest.fixture(scope="session")
def prefix(engine: DockerEngine) -> Iterator[str]:
    """A repository prefix of this session's own; its tags are removed at the end (the
    untagged layers stay as the engine's cache for the next run)."""
    value = f"mlvertest-{uuid.uuid4().hex[:8]}/"
    yield value
    for image in engine.api.images():
        for tag in image.get("RepoTags") or []:
            if tag.startswith(value) or f"/{value}" in tag:
                with contextlib.suppress(Exception):
                    engine.untag(tag)


@pytest.fixture
def with_prefix(prefix: str) -> None:
    """``c.Mlver.image_prefix`` = the session's prefix, so its tags are cleaned up."""
    config = Path(os.environ["JUPYTER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_mlver_config.json").write_text(
        json.dumps({"Mlver": {"image_prefix": prefix}})
    )


@dataclass
class Session:
    """One project, one venv of real packages, and the image of its first snapshot."""

    root: Path
    project: Path
    python: Path
    environment: Record
    snapshot: SnapshotRecord
    vcs_commit: str
    build: BuildResult
    events: list[ProgressEvent] = field(default_factory=list)

    def store(self) -> Store:
        return Store.open(self.project)


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, engine: DockerEngine, base_image: str, prefix: str
) -> Session:
    """six and packaging from the index, a VCS package at a commit, the project's own
    package installed editable; a snapshot with an uncommitted change; its image."""
    root = tmp_path_factory.mktemp("images")
    project = make_project(root / "demo-project")
    vcs_requirement, vcs_commit = make_vcs_package(root / "vcs-package")
    python = make_venv(
        root / "venv",
        "six==1.17.0",
        "packaging==24.2",
        vcs_requirement,
        "-e",
        str(project / "demo_local"),
    )
    (project / "train.py").write_text("print('training v1')\nEPOCHS = 3\n")  # uncommitted
    environment = venv_environment(python)
    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "v1", project / "analysis.ipynb")
        environment = store.get(snapshot["environment"])
        events: list[ProgressEvent] = []
        result = build_image(
            store,
            BuildOptions(ref=snapshot["id"], tag="1.0.0", base=base_image, prefix=prefix),
            engine,
            progress=events.append,
        )
    return Session(root, project, python, environment, snapshot, vcs_commit, result, events)


@dataclass
class ServingImage:
    """A registered scikit-learn model and the serving image of its version 1 (on its
    snapshot's whole environment image: ``--env snapshot``)."""

    churn: ModelProject
    result: ModelImageResult
    events: list[ProgressEvent]

    @property
    def image(self) -> str:
        assert self.result.build.image is not None
        return self.result.build.image


@pytest.fixture(scope="session")
def churn_project(tmp_path_factory: pytest.TempPathFactory) -> ModelProject:
    return make_model_project(tmp_path_factory.mktemp("serving-image"))


@pytest.fixture(scope="session")
def serving_image(
    churn_project: ModelProject, engine: DockerEngine, base_image: str, prefix: str
) -> ServingImage:
    events: list[ProgressEvent] = []
    with churn_project.store() as store:
        result = build_model_image(
            store,
            ModelImageOptions(
                ref="churn@production", tag="1.0.0", base=base_image, prefix=prefix, env="snapshot"
            ),
            engine,
            progress=events.append,
        )
    return ServingImage(churn_project, result, events)


@pytest.fixture(scope="session")
def model_sized(
    churn_project: ModelProject, engine: DockerEngine, base_image: str, prefix: str
) -> ServingImage:
    """The default serving image of churn:1: only what the model needs (``--env model``),
    tagged under a repository of its own."""
    events: list[ProgressEvent] = []
    with churn_project.store() as store:
        result = build_model_image(
            store,
            ModelImageOptions(ref="churn:1", base=base_image, prefix=f"{prefix}sized/"),
            engine,
            progress=events.append,
        )
    return ServingImage(churn_project, result, events)


@pytest.fixture(scope="session")
def kernel_project(tmp_path_factory: pytest.TempPathFactory) -> KernelProject:
    """A model trained in a real JupyterLab kernel (its environment made once per machine)."""
    return trained_in_kernel(tmp_path_factory.mktemp("kernel-env"), kernel_venv())
