"""Fixtures for the compare/checkout/reproduce tests: records built directly in a store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.capture.environment import fingerprint
from jupyter_mlver.core.store import Store

Make = Callable[..., dict[str, Any]]
BIN = Path(sys.executable).parent


# Helpers of our own rather than ``from conftest import ...``: with several conftest.py
# files under tests/, the bare module name ``conftest`` can name any one of them.
def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


class CLI:
    """The installed ``jupyter-mlver`` run as a subprocess in ``cwd``."""

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

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return json.loads(self(*args, "--json", env=env).stdout)


@pytest.fixture
def cli(project: Path) -> CLI:
    return CLI(project)


def environment(packages: list[dict[str, Any]], python: str = "3.11.7") -> dict[str, Any]:
    plat = {
        "system": "Linux",
        "release": "6.1.0",
        "machine": "x86_64",
        "libc": "glibc 2.36",
        "os_release": "Debian GNU/Linux 12 (bookworm)",
    }
    return {
        "schema": records.ENVIRONMENT,
        "python": {"version": python, "implementation": "CPython", "executable": "/usr/bin/py"},
        "platform": plat,
        "hardware": {"cpu": "cpu", "cores": 2, "memory_bytes": 1 << 30, "gpus": []},
        "packages": packages,
        "conda": None,
        "env_vars": {},
        "fingerprint": fingerprint(python, plat["machine"], packages),
    }


def pkg(name: str, version: str, source: str = "index", **kw: Any) -> dict[str, Any]:
    return {"name": name, "version": version, "source": source, "url": None, "commit": None, **kw}


def data_entry(path: str, digest: str, size: int = 10, stored: bool = True) -> dict[str, Any]:
    return {"path": path, "role": "tracked", "hash": digest, "size": size, "stored": stored}


@pytest.fixture
def make_snapshot(store: Store) -> Make:
    """Store a snapshot (and its environment) built from keyword overrides."""
    counter = iter(range(10**6))

    def make(
        *,
        packages: list[dict[str, Any]] | None = None,
        python: str = "3.11.7",
        notebook: bytes | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        env = store.put_record(environment(packages or [pkg("numpy", "1.26.4")], python))
        nb = None
        if notebook is not None:
            nb = {
                "path": "nb.ipynb",
                "hash": store.objects.put_bytes(notebook),
                "source": "disk",
                "kernel": {"name": "python3", "language": "python"},
            }
        n = next(counter)
        record: dict[str, Any] = {
            "schema": records.SNAPSHOT,
            "parent": None,
            "created": f"2026-01-01T00:00:{n:02d}.000Z",
            "author": {"name": "t", "email": None},
            "message": f"run {n}",
            "tags": [],
            "notebook": nb,
            "execution": None,
            "namespace": None,
            "state": None,
            "state_skipped": None,
            "params": {},
            "metrics": {},
            "data": [],
            "environment": env["id"],
            "git": None,
            "mlver_version": "0",
        }
        record.update(fields)
        return store.put_record(record)

    return make
