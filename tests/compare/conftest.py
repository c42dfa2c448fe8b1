"""Fixtures for the compare/checkout/reproduce tests: records built directly in a store."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.capture.environment import fingerprint
from jupyter_mlver.core.store.store import Store
from tests.support import CLI

Make = Callable[..., dict[str, Any]]


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


# -- a real engine, a real kernel environment (reproduce tests) --------------------------

DEFAULT_BASE = f"mlver-local/python:{platform.python_version()}-slim"
SETUP_HINT = (
    "run `make test`, or export DOCKER_HOST=$(scripts/ensure-docker.sh | tail -n1) and "
    "MLVER_TEST_BASE_IMAGE=$(scripts/ensure-base-image.sh | tail -n1)"
)


@pytest.fixture(scope="session")
def engine() -> Any:
    from jupyter_mlver.core.engine.docker import DockerEngine
    from jupyter_mlver.core.errors import EngineUnavailable

    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        pytest.fail(f"the reproduce tests need a Docker engine: {e.message}. {SETUP_HINT}")


@pytest.fixture(scope="session")
def base_image(engine: Any) -> str:
    base = os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE
    if engine.image(base) is None:
        pytest.fail(f"the base image {base} is not in the engine at {engine.host}. {SETUP_HINT}")
    return base


@pytest.fixture(scope="session")
def image_prefix(engine: Any) -> Any:
    """Images of this session are named under a prefix of its own and untagged at the end
    (their layers stay as the engine's cache)."""
    import contextlib
    import uuid

    prefix = f"mlvertest-{uuid.uuid4().hex[:8]}/"
    yield prefix
    for image in engine.api.images():
        for tag in image.get("RepoTags") or []:
            if tag.startswith(prefix):
                with contextlib.suppress(Exception):
                    engine.untag(tag)
