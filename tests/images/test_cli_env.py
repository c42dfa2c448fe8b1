"""``jupyter mlver env ...`` in a subprocess, against the session's project and images."""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.records import ImageRecord

from .conftest import Session
from .helpers import cli


def test_build_json_reuses_the_image_and_prints_the_record(
    built: Session, base_image: str, prefix: str, with_prefix: None
) -> None:
    ref = built.snapshot["id"][:12]
    proc = cli(built.project, "env", "build", ref, "--base", base_image, "--tag", "2.0.0", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["reused"] is True
    assert out["image"] == f"{prefix}demo-project:2.0.0"
    assert out["record"]["image_id"] == _stored(built.build.record)["image_id"]
    assert out["record"]["snapshot"] == built.snapshot["id"]
    assert "reusing" in proc.stderr


def test_show_lists_the_environment_and_its_images(built: Session) -> None:
    ref = built.snapshot["id"][:12]
    out = json.loads(cli(built.project, "env", "show", ref, "--json").stdout)
    assert out["snapshot"] == built.snapshot["id"]
    assert out["environment"]["id"] == built.snapshot["environment"]
    assert _stored(built.build.record)["id"] in [i["id"] for i in out["images"]]
    text = cli(built.project, "env", "show", ref).stdout
    assert "mlver-demo-local  0.1.0  (editable, file://" in text
    assert "six               1.17.0" in text


def test_show_without_a_store_shows_the_current_environment(tmp_path: Path) -> None:
    proc = cli(tmp_path, "env", "show", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["snapshot"] is None
    names = {p["name"] for p in out["environment"]["packages"]}
    assert {"jupyter-mlver", "docker"} <= names
    assert not (tmp_path / ".mlver").exists()


def test_verify_identical_exits_0_and_a_different_image_exits_1(
    built: Session, base_image: str
) -> None:
    image = built.build.image or ""
    proc = cli(built.project, "env", "verify", image, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["identical"] is True
    assert out["summary"].startswith("identical, ")
    # The bare base image has none of the project's packages.
    ref = built.snapshot["id"][:12]
    proc = cli(built.project, "env", "verify", base_image, "--against", ref)
    assert proc.returncode == 1
    assert "six: 1.17.0 in the record, missing from the image" in proc.stdout


def test_verify_names_images_by_snapshot_ref(built: Session, engine: DockerEngine) -> None:
    proc = cli(built.project, "env", "verify", built.snapshot["id"][:12], "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["image_id"] == _stored(built.build.record)["image_id"]


def test_dockerfile_prints_the_dockerfile_and_writes_the_context(
    built: Session, base_image: str, tmp_path: Path
) -> None:
    out = tmp_path / "ctx"
    ref = built.snapshot["id"][:12]
    proc = cli(built.project, "env", "dockerfile", ref, "--base", base_image, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (out / "Dockerfile").read_text()
    assert proc.stdout.count(f"FROM {base_image}") == 2
    assert f"build context: {out}" in proc.stderr
    assert (out / "mlver" / "requirements.txt").exists()


def _stored(record: ImageRecord | None) -> ImageRecord:
    """A build's record (None only for a dry run)."""
    assert record is not None
    return record
