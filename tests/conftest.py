"""Shared fixtures: a git project in a temporary directory and the real CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlver.core.store.store import Store
from tests.kernel_venv import make_kernel_venv
from tests.support import CLI, git


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MLVER_STORE", raising=False)
    # A config dir of our own, so a developer's jupyter_mlver_config.py cannot leak in.
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with one commit and a small data directory; the cwd for the test."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Ada Lovelace")
    git(root, "config", "user.email", "ada@example.org")
    (root / "train.py").write_text("print('train')\n")
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_text("x,y\n1,2\n3,4\n")
    (root / "data" / "test.csv").write_text("x,y\n5,6\n")
    git(root, "add", "train.py")
    git(root, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def store(project: Path) -> Iterator[Store]:
    with Store.open(project, create=True) as s:
        yield s


@pytest.fixture
def cli(project: Path) -> CLI:
    return CLI(project)


@pytest.fixture(scope="session")
def kernel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a small kernel environment (``tests/kernel_venv.py``), made once per
    session for every test that runs a notebook whose environment becomes an image."""
    return make_kernel_venv(tmp_path_factory.mktemp("kernel-venv") / "venv")
