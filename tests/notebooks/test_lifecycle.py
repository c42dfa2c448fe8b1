"""notebooks/lifecycle.ipynb end to end, as a user runs it, against the real engine and proxy:
train, snapshot, environment image, register, serving image, serve, deploy with a 20% canary,
watch (promoted), drift on live inputs, model health, rollback, stop.

The kernel is the session's small kernel environment (``kernel_python``), so its environment
image is the one the reproduce tests build; images are named under a prefix of this test's
own and untagged at the end (their layers stay as the engine's cache)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_mlver.core.deploy import events as ev
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.errors import EngineUnavailable
from jupyter_mlver.core.models import aliases as al
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.store.store import Store
from tests.kernel_venv import REPO, execute_notebook
from tests.support import git

DEFAULT_BASE = f"mlver-local/python:{platform.python_version()}-slim"
SETUP_HINT = (
    "run `make test`, or export DOCKER_HOST=$(scripts/ensure-docker.sh | tail -n1), "
    "MLVER_TEST_BASE_IMAGE=$(scripts/ensure-base-image.sh | tail -n1) and "
    "MLVER_TEST_PROXY_IMAGE=$(scripts/ensure-proxy-image.sh | tail -n1)"
)


@pytest.fixture(scope="module")
def engine() -> DockerEngine:
    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        pytest.fail(f"the lifecycle notebook needs a Docker engine: {e.message}. {SETUP_HINT}")


def _image(engine: DockerEngine, variable: str, default: str) -> str:
    image = os.environ.get(variable) or default
    if engine.image(image) is None:
        pytest.fail(f"no image {image} in the engine at {engine.host}. {SETUP_HINT}")
    return image


@pytest.fixture
def project(tmp_path: Path, engine: DockerEngine) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """The notebooks folder in a git repository, a model name of this test's own, and the
    kernel's environment: its IPython profile names the test's base and proxy images."""
    name = f"wine-{uuid.uuid4().hex[:6]}"
    prefix = f"mlvertest-{uuid.uuid4().hex[:8]}/"
    work = tmp_path / "notebooks"
    shutil.copytree(
        REPO / "notebooks",
        work,
        ignore=shutil.ignore_patterns(".mlver", "*.jsonl", "predictions.csv", ".ipynb_*"),
    )
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "notebooks")
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    settings = {
        "base_image": _image(engine, "MLVER_TEST_BASE_IMAGE", DEFAULT_BASE),
        "proxy_image": _image(engine, "MLVER_TEST_PROXY_IMAGE", "mlver-test/haproxy:2.6-bookworm"),
        "image_prefix": prefix,
    }
    (profile / "ipython_kernel_config.json").write_text(json.dumps({"Mlver": settings}))
    env = {"IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    try:
        yield work, name, env
    finally:
        _clean_up(engine, name, prefix)


def _clean_up(engine: DockerEngine, name: str, prefix: str) -> None:
    """Whatever a failed run left: the deployment's and the served model's containers, the
    deployment's network, and the images under the test's prefix."""
    for label in (f"io.mlver.deployment={name}", "io.mlver.serve"):
        for c in engine.api.containers(all=True, filters={"label": label}):
            if label != "io.mlver.serve" or name in c["Names"][0]:
                with contextlib.suppress(Exception):
                    engine.api.remove_container(c["Id"], force=True)
    for network in engine.api.networks(filters={"label": f"io.mlver.deployment={name}"}):
        with contextlib.suppress(Exception):
            engine.api.remove_network(network["Id"])
    for image in engine.api.images():
        for tag in image.get("RepoTags") or []:
            if tag.startswith(prefix):
                with contextlib.suppress(Exception):
                    engine.untag(tag)


def _with_parameters(path: Path, **values: Any) -> None:
    """Papermill's way: a cell tagged ``injected-parameters`` after the ``parameters`` one."""
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{k} = {v!r}" for k, v in values.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(at + 1, cell)
    nbformat.write(nb, path)


def _text(nb: Any, needle: str) -> str:
    """The text output of the code cell whose source contains ``needle``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_lifecycle_notebook(
    project: tuple[Path, str, dict[str, str]], kernel_python: Path, tmp_path: Path
) -> None:
    work, name, env = project
    notebook = work / "lifecycle.ipynb"
    _with_parameters(notebook, name=name)
    executed = tmp_path / "executed.ipynb"
    execute_notebook(kernel_python, notebook, env=env, timeout=900, executed=executed)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors

    with Store.open(work) as store:
        rows, total = store.index.snapshots(notebook="lifecycle.ipynb")
        assert total == 2
        v2_snapshot, v1_snapshot = (store.get(r.id) for r in rows)
        assert v1_snapshot["params"] == {"n_estimators": 20, "max_depth": 1, "name": name}
        assert {d["path"]: d["role"] for d in v1_snapshot["data"]} == {"data/wine.csv": "input"}
        assert store.index.images_of(v1_snapshot["id"])  # the environment image
        v1, v2 = (registry.resolve(store, f"{name}:{v}") for v in (1, 2))
        assert (v1["snapshot"], v2["snapshot"]) == (v1_snapshot["id"], v2_snapshot["id"])
        assert registry.images(store, v1)
        assert registry.images(store, v2)
        # production: 1, then 2 by the watch's promotion, then 1 again by the rollback.
        moves = [(e["version"], e["rollback"]) for e in registry.history(store, name)]
        assert moves == [(1, False), (2, False), (1, True)]
        assert al.holders(store, name)["production"] == 1
        events = ev.history(store, name)
    assert [e["event"] for e in events] == [
        "deployed", "canary", "promoted", "rolled_back", "stopped",
    ]  # fmt: skip
    canary, promoted, rolled_back = events[1], events[2], events[3]
    assert (canary["version"], canary["weight"], canary["stable"]) == (2, 20, 1)
    assert (promoted["reason"] or "").startswith("watch: held ")
    verdict = promoted["figures"]["verdict"]
    assert verdict["errors"]["judged"], verdict
    assert verdict["latency"]["judged"], verdict
    assert (rolled_back["version"], rolled_back["stable"]) == (2, 1)
    assert rolled_back["reason"] == "live inputs drifted: back to v1 until retrained"

    watched = _text(nb, "deploy watch")
    assert f"{name}: promoted the canary after " in watched.splitlines()[-1]
    assert "0.000" in _text(nb, "deploy status")  # no errors, and a drift share shown
    assert "drift" in _text(nb, "%mlver drift HEAD").lower()
    health = _text(nb, "model health")
    assert "retrain" in health.lower()
    assert "drift" in health.lower()
