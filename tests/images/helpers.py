"""Builders for the image tests and benchmarks: real venvs with real packages, a git
project with a notebook, snapshots of a given environment, and the engine settings."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.images.live import environment_of
from jupyter_mlver.core.records import Record, SnapshotRecord
from jupyter_mlver.core.snapshot import take as snapshot_module
from jupyter_mlver.core.snapshot.take import KernelCapture, NotebookDocument, SnapshotOptions
from jupyter_mlver.core.store.store import Store

CLI = Path(sys.executable).parent / "jupyter-mlver"
DEFAULT_BASE = f"mlver-local/python:{platform.python_version()}-slim"
DEFAULT_REGISTRY = "127.0.0.1:5055"
SETUP_HINT = (
    "run `make test`, or start them yourself: export DOCKER_HOST=$(scripts/ensure-docker.sh "
    "| tail -n1); export MLVER_TEST_BASE_IMAGE=$(scripts/ensure-base-image.sh | tail -n1); "
    "export MLVER_TEST_REGISTRY=$(scripts/ensure-registry.sh | tail -n1)"
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def run(args: Sequence[str | os.PathLike[str]], cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [os.fspath(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd=cwd)


def make_venv(path: Path, *requirements: str) -> Path:
    """A virtual environment of this interpreter with ``requirements`` installed by the
    host's pip; returns its python."""
    run([sys.executable, "-m", "venv", path])
    python = path / "bin" / "python"
    if requirements:
        run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements])
    return python


def write_package(root: Path, name: str, version: str, body: str) -> Path:
    """A tiny flit-built package ``name`` (module ``name`` with ``body``) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["flit_core>=3.4,<5"]\n'
        'build-backend = "flit_core.buildapi"\n\n'
        "[project]\n"
        f'name = "{name}"\n'
        f'version = "{version}"\n'
        f'description = "test package {name}"\n'
    )
    (root / f"{name}.py").write_text(f'"""{name}."""\n{body}\n')
    return root


def make_vcs_package(path: Path) -> tuple[str, str]:
    """A git repository holding a package; returns (pip requirement, commit)."""
    write_package(path, "mlver_demo_vcs", "0.3.0", "ANSWER = 42")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "vcs package")
    commit = git(path, "rev-parse", "HEAD").strip()
    return f"git+file://{path}@{commit}", commit


NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 1,
            "id": "c1",
            "metadata": {},
            "outputs": [],
            "source": ["import six\n", "print(six.__version__)"],
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def make_project(root: Path) -> Path:
    """A git project with code, an editable package of its own, a notebook and a remote."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", "https://example.org/team/demo-project.git")
    (root / "train.py").write_text("print('training v1')\n")
    write_package(root / "demo_local", "mlver_demo_local", "0.1.0", "def hello():\n    return 'hi'")
    (root / "analysis.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def take_snapshot(
    store: Store, environment: Mapping[str, Any], message: str, notebook: Path | None
) -> SnapshotRecord:
    """A real snapshot of the project, whose environment is ``environment`` (another venv's,
    not this test process's)."""
    kernel = KernelCapture()
    if notebook is not None:
        kernel.notebook = NotebookDocument(
            path=notebook,
            content=notebook.read_bytes(),
            source="disk",
            kernel={"name": "python3", "language": "python"},
        )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(snapshot_module, "capture_environment", lambda *a, **k: environment)
        return snapshot_module.take_snapshot(store, SnapshotOptions(message=message), kernel)


def venv_environment(python: Path) -> Record:
    return dict(environment_of(python))  # the image tests keep environments as Records


def engine_settings() -> dict[str, str]:
    return {
        "docker_host": os.environ.get("DOCKER_HOST", ""),
        "base": os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE,
        "registry": os.environ.get("MLVER_TEST_REGISTRY") or DEFAULT_REGISTRY,
    }


def registry_answers(registry: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{registry}/v2/", timeout=5) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def registry_digest(registry: str, repository: str, tag: str) -> str:
    """The manifest digest the registry itself reports for ``repository:tag``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"http://{registry}/v2/{repository}/manifests/{tag}",
        method="HEAD",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    with opener.open(request, timeout=10) as resp:
        return str(resp.headers["Docker-Content-Digest"])


def container_output(engine: Any, image: str, script: str) -> str:
    """stdout of ``sh -c script`` in a fresh container of ``image``; fails on non-zero."""
    result = engine.run(image, ["/bin/sh", "-c", script])
    assert result.exit_code == 0, f"{script!r} failed in {image}: {result.stderr}{result.stdout}"
    return str(result.stdout)


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``jupyter mlver ARGS`` in ``cwd``."""
    return subprocess.run([str(CLI), *args], cwd=cwd, capture_output=True, text=True)


def commit_of(snapshot: SnapshotRecord) -> str:
    """The commit a snapshot of a git project recorded."""
    git = snapshot["git"]
    assert git is not None
    assert git["commit"] is not None
    return git["commit"]
