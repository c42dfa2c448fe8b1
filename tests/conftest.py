"""Shared fixtures: a git project in a temporary directory and the real CLI."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlver.core.store import Store

BIN = Path(sys.executable).parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


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


class CLI:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "jupyter-mlver"), *args],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"jupyter mlver {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(project: Path) -> CLI:
    return CLI(project)


def store_listing(store_dir: Path) -> dict[str, bytes]:
    """Every file in a store with its bytes (SQLite files by their logical content)."""
    out: dict[str, bytes] = {}
    for path in sorted(store_dir.rglob("*")):
        rel = path.relative_to(store_dir).as_posix()
        if path.is_dir() or rel.startswith(("index.sqlite", "state.sqlite", "lock")):
            continue
        out[rel] = path.read_bytes()
    index = store_dir / "index.sqlite"
    if index.exists():
        import sqlite3

        conn = sqlite3.connect(index)
        out["index.sqlite"] = "\n".join(conn.iterdump()).encode()
        conn.close()
    return out


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a directory unwritable even for root (a read-only bind mount), else by mode bits."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
