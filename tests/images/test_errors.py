"""Clear one-line errors, and nothing half-made left behind: no engine, a missing base
image, an unresolvable package, a failing build step."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.images import (
    BuildOptions,
    BuildStepFailed,
    UnresolvablePackage,
    build_image,
)
from jupyter_mlver.core.records import EnvironmentRecord

from .conftest import Session
from .helpers import take_snapshot

CLI = Path(sys.executable).parent / "jupyter-mlver"


def cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def engine_tags(engine: DockerEngine, repository: str) -> list[str]:
    return [
        tag
        for image in engine.api.images()
        for tag in image.get("RepoTags") or []
        if tag.rsplit(":", 1)[0] == repository
    ]


@pytest.fixture(scope="module")
def broken_base(engine: DockerEngine, base_image: str) -> Iterator[str]:
    """The base without ``useradd`` (as in some minimal images): Python and pip work, the
    step that creates the image's user fails — a real failing build step."""
    tag = f"mlver-test/no-useradd:{uuid.uuid4().hex[:8]}"
    dockerfile = f"FROM {base_image}\nRUN rm -f /usr/sbin/useradd /usr/sbin/adduser\n".encode()
    for chunk in engine.api.build(fileobj=io.BytesIO(dockerfile), tag=tag, rm=True, decode=True):
        assert "error" not in chunk, chunk
    yield tag
    engine.untag(tag)


def test_no_engine_fails_fast_in_one_line_saying_how_to_start_one(built: Session) -> None:
    ref = built.snapshot["id"][:12]
    proc = cli(
        built.project,
        "env",
        "build",
        ref,
        "--base",
        "python:3.11-slim",
        env={"DOCKER_HOST": "unix:///tmp/mlver-no-engine-here.sock"},
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("jupyter mlver: error: no Docker engine answers at ")
    assert "unix:///tmp/mlver-no-engine-here.sock" in lines[0]
    assert "DOCKER_HOST" in lines[0]
    assert "--dry-run" in lines[0]
    assert proc.stdout == ""


def test_a_dry_run_without_an_engine_still_writes_the_context(
    built: Session, tmp_path: Path
) -> None:
    out = tmp_path / "context"
    proc = cli(
        built.project,
        "env",
        "build",
        built.snapshot["id"][:12],
        "--dry-run",
        "--output",
        str(out),
        env={"DOCKER_HOST": "unix:///tmp/mlver-no-engine-here.sock"},
    )
    assert proc.returncode == 0, proc.stderr
    dockerfile = (out / "Dockerfile").read_text()
    assert dockerfile.startswith("# Built by jupyter_mlver")
    assert "FROM python:3.11.7-slim AS deps" in dockerfile  # the kernel's own version
    assert "six==1.17.0 --hash=sha256:" in (out / "mlver" / "requirements.txt").read_text()
    assert any(p.name.startswith("six-1.17.0-") for p in (out / "mlver" / "wheels").iterdir())
    local = [p.name for p in (out / "mlver" / "local-wheels").iterdir()]
    assert len(local) == 1
    assert local[0].startswith("mlver_demo_local-0.1.0-")
    assert (out / "code" / "train.py").read_text().endswith("EPOCHS = 3\n")
    assert (out / "notebook" / "analysis.ipynb").exists()
    assert (out / "record" / "snapshot.json").exists()
    assert "no engine to inspect the base image" in proc.stdout


def test_a_missing_base_image_is_named(built: Session, engine: DockerEngine, prefix: str) -> None:
    with built.store() as store, pytest.raises(InvalidInput) as info:
        build_image(
            store,
            BuildOptions(
                ref=built.snapshot["id"], base="mlver-test/no-such-base:404", prefix=prefix
            ),
            engine,
        )
    assert "base image 'mlver-test/no-such-base:404' does not exist" in info.value.message
    assert "--base" in (info.value.hint or "")


def test_an_unresolvable_package_is_named_and_leaves_nothing(
    built: Session, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    environment = {k: v for k, v in built.environment.items() if k != "id"}
    environment["packages"] = sorted(
        [
            *environment["packages"],
            {"name": "mlver-no-such-package", "version": "1.0", "source": "index"},
        ],
        key=lambda p: p["name"],
    )
    with built.store() as store:
        before = set(store.index.record_ids("image"))
        with pytest.raises(UnresolvablePackage) as info:
            build_image(
                store,
                BuildOptions(
                    environment=cast(EnvironmentRecord, environment),
                    base=base_image,
                    prefix=prefix,
                    name="x",
                ),
                engine,
            )
        assert set(store.index.record_ids("image")) == before
    assert "mlver-no-such-package==1.0" in info.value.message
    assert engine_tags(engine, f"{prefix}x") == []


def test_a_failed_step_is_named_with_its_output_and_leaves_no_record_or_tag(
    built: Session, engine: DockerEngine, broken_base: str, prefix: str
) -> None:
    with built.store() as store:
        before = set(store.index.record_ids("image"))
        with pytest.raises(BuildStepFailed) as info:
            build_image(
                store,
                BuildOptions(
                    ref=built.snapshot["id"], base=broken_base, prefix=prefix, name="broken"
                ),
                engine,
            )
        error = info.value
        assert set(store.index.record_ids("image")) == before
        log = store.objects.get_bytes(error.log_object).decode()
    assert re.match(r"the build failed at step \d+/\d+ \(RUN useradd ", error.message)
    assert "useradd: not found" in error.message
    assert any("useradd: not found" in line for line in error.tail)
    assert "useradd: not found" in log
    assert "Successfully built" not in log
    assert str(Path(".mlver") / "objects") in (error.hint or "")
    assert engine_tags(engine, f"{prefix}broken") == []


def test_the_cli_shows_the_failing_steps_output_then_one_error_line(
    built: Session, broken_base: str, prefix: str
) -> None:
    config = Path(os.environ["JUPYTER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_mlver_config.json").write_text(
        f'{{"Mlver": {{"image_prefix": "{prefix}"}}}}'
    )
    proc = cli(built.project, "env", "build", built.snapshot["id"][:12], "--base", broken_base)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("jupyter mlver: error: the build failed at step ")
    assert "(RUN useradd " in lines[-1]
    assert "(full log: " in lines[-1]
    assert any(line.startswith("  | ") and "useradd: not found" in line for line in lines[:-1])


def test_an_unresolvable_package_from_the_cli(built: Session, base_image: str, prefix: str) -> None:
    environment = {k: v for k, v in built.environment.items() if k != "id"}
    environment["packages"] = [
        *environment["packages"],
        {"name": "zz-mlver-missing", "version": "0.0.1", "source": "index"},
    ]
    with built.store() as store:
        snapshot = take_snapshot(store, environment, "broken env", None)
    proc = cli(built.project, "env", "build", snapshot["id"][:12], "--base", base_image)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("jupyter mlver: error: cannot resolve zz-mlver-missing==0.0.1 ")
