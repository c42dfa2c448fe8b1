"""The base a build starts from when none is named: one with the snapshot's Python to the
patch version (python:X.Y.Z-slim, else the local one scripts/ensure-base-image.sh makes
offline), ``$MLVER_BASE_IMAGE`` beside ``--base`` and ``c.Mlver.base_image``, and a
mismatch named with both versions and the base to use."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.images import BuildOptions, DockerEngine, build_image

from .conftest import Session
from .helpers import take_snapshot


def dry_run(built: Session, engine: DockerEngine, out: Path, base: str | None = None) -> str:
    with built.store() as store:
        options = BuildOptions(ref=built.snapshot["id"], base=base, dry_run=True, output=out)
        return build_image(store, options, engine).dockerfile


def test_without_a_base_the_snapshots_python_picks_it(
    built: Session, engine: DockerEngine, base_image: str, tmp_path: Path
) -> None:
    assert built.environment["python"]["version"] == platform.python_version()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLVER_BASE_IMAGE", raising=False)
        dockerfile = dry_run(built, engine, tmp_path / "a")
        # make test's base is the one ensure-base-image.sh gave for this Python.
        assert f"FROM {base_image} AS deps" in dockerfile
        # The variable names one when neither --base nor c.Mlver.base_image does ...
        mp.setenv("MLVER_BASE_IMAGE", "mlver-test/no-such-base:404")
        with pytest.raises(InvalidInput, match="'mlver-test/no-such-base:404' does not exist"):
            dry_run(built, engine, tmp_path / "b")
        # ... and --base wins over it.
        dockerfile = dry_run(built, engine, tmp_path / "c", base=base_image)
        assert f"FROM {base_image} AS deps" in dockerfile


def test_a_python_with_no_base_is_named_with_what_to_do(
    built: Session, engine: DockerEngine, tmp_path: Path
) -> None:
    environment = {k: v for k, v in built.environment.items() if k != "id"}
    environment["python"] = {**environment["python"], "version": "3.11.0"}
    with built.store() as store:
        snapshot = take_snapshot(store, environment, "an older kernel", None)
        with pytest.raises(InvalidInput) as caught:
            build_image(
                store,
                BuildOptions(ref=snapshot["id"], dry_run=True, output=tmp_path / "ctx"),
                engine,
            )
    assert caught.value.message == (
        "no base image with the snapshot's Python 3.11.0: python:3.11.0-slim is not here and "
        "cannot be pulled, and there is no mlver-local/python:3.11.0-slim"
    )
    assert "--base" in (caught.value.hint or "")
    assert "MLVER_BASE_IMAGE" in (caught.value.hint or "")
    assert "scripts/ensure-base-image.sh" in (caught.value.hint or "")


def test_a_base_of_another_python_names_both_and_the_one_to_use(
    built: Session, engine: DockerEngine, base_image: str, tmp_path: Path
) -> None:
    environment = {k: v for k, v in built.environment.items() if k != "id"}
    environment["python"] = {**environment["python"], "version": "3.12.4"}
    with built.store() as store:
        snapshot = take_snapshot(store, environment, "a newer kernel", None)
        with pytest.raises(InvalidInput) as caught:
            build_image(
                store,
                BuildOptions(
                    ref=snapshot["id"], base=base_image, dry_run=True, output=tmp_path / "ctx"
                ),
                engine,
            )
    message = str(caught.value)
    assert f"has Python {platform.python_version()}" in message
    assert "the environment recorded Python 3.12.4" in message
    assert "--base python:3.12.4-slim" in message
