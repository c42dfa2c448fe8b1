"""POST images -> a job that really builds through the Docker engine (never faked, never
skipped: ``make test`` starts the engine and imports the base image)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.errors import EngineUnavailable
from jupyter_mlver.core.store.store import Store

from ..images.helpers import (
    SETUP_HINT,
    engine_settings,
    make_venv,
    take_snapshot,
    venv_environment,
)

PREFIX = f"mlvertest-server-{uuid.uuid4().hex[:8]}/"


@pytest.fixture(scope="module")
def engine() -> Iterator[DockerEngine]:
    try:
        engine = DockerEngine.connect()
    except EngineUnavailable as e:
        pytest.fail(f"the image job tests need a Docker engine: {e.message}. {SETUP_HINT}")
    yield engine
    for image in engine.api.images():
        for tag in image.get("RepoTags") or []:
            if tag.startswith(PREFIX):
                with contextlib.suppress(Exception):
                    engine.untag(tag)


@pytest.fixture(scope="module")
def base_image(engine: DockerEngine) -> str:
    base = engine_settings()["base"]
    if engine.image(base) is None:
        pytest.fail(f"the base image {base} is not in the engine at {engine.host}. {SETUP_HINT}")
    return base


@pytest.fixture(scope="module")
def small_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The environment of a venv with one small package (quick to lock and install)."""
    python = make_venv(tmp_path_factory.mktemp("venv") / "venv", "six==1.17.0")
    return venv_environment(python)


@pytest.fixture
def jp_server_config() -> Config:
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyter_mlver": True}},
            "Mlver": {"image_prefix": PREFIX},
        }
    )


async def wait_for(api: Any, job_id: str, timeout: float = 600) -> dict[str, Any]:
    """Poll the job like the panel does, until it ends (bounded)."""
    job: dict[str, Any] = {}
    for _ in range(int(timeout / 0.5)):
        job = await api(f"jobs/{job_id}", params={"log_lines": "200"})
        if job["state"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.5)
    raise AssertionError(f"job {job_id} did not end: {job}")


async def test_build_job_builds_then_reuses(
    jp_root_dir: Path, api: Any, base_image: str, small_environment: dict[str, Any]
) -> None:
    Store.create(jp_root_dir / ".mlver")
    with Store(jp_root_dir / ".mlver") as store:
        snapshot = take_snapshot(store, small_environment, "for an image", None)

    started = await api(
        "images", method="POST", body={"snapshot": snapshot["id"][:10], "base": base_image}
    )
    assert started["url"].endswith(f"/jupyter-mlver/jobs/{started['job']}")
    job = await wait_for(api, started["job"])
    assert job["state"] == "succeeded", job
    assert job["params"]["snapshot"] == snapshot["id"]
    assert job["log"], "progress reached the job"
    assert job["phase"]
    result = job["result"]
    assert result["reused"] is False
    assert result["snapshot"] == snapshot["id"]
    assert result["image"].startswith(PREFIX)
    shown = await api(f"snapshots/{snapshot['id']}")
    assert [image["id"] for image in shown["images"]] == [result["record"]["id"]]

    listed = await api("jobs")
    assert [j["id"] for j in listed["jobs"]] == [started["job"]]

    second = await api("images", method="POST", body={"snapshot": "HEAD", "base": base_image})
    again = await wait_for(api, second["job"])
    assert again["state"] == "succeeded", again
    assert again["result"]["reused"] is True


async def test_a_failing_build_is_a_failed_job_with_the_error(
    jp_root_dir: Path, api: Any, engine: DockerEngine, small_environment: dict[str, Any]
) -> None:
    Store.create(jp_root_dir / ".mlver")
    with Store(jp_root_dir / ".mlver") as store:
        take_snapshot(store, small_environment, "no base", None)
    missing = f"mlver-test/no-such-base-{uuid.uuid4().hex[:6]}:1"
    started = await api("images", method="POST", body={"snapshot": "HEAD", "base": missing})
    job = await wait_for(api, started["job"], timeout=120)
    assert job["state"] == "failed"
    assert job["error"]["code"] not in ("", "internal_error"), job["error"]
    assert missing.split(":")[0] in job["error"]["message"] + (job["error"]["hint"] or "")
