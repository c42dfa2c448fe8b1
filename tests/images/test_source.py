"""What a build is about (HEAD, a ref, or the current environment), names and tags, and
the dry-run output guard — no engine, no wheels."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from jupyter_mlver.core.capture.environment import capture_environment
from jupyter_mlver.core.errors import Conflict, InvalidInput, RecordNotFound
from jupyter_mlver.core.images import BuildOptions, build_image
from jupyter_mlver.core.images.context import export_code
from jupyter_mlver.core.images.naming import repository_name, tag_names
from jupyter_mlver.core.images.source import resolve_source
from jupyter_mlver.core.records import SnapshotRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store
from tests.support import git


def test_without_snapshots_the_current_environment_is_built_and_stored(store: Store) -> None:
    source = resolve_source(store, BuildOptions())
    assert source.snapshot is None
    assert source.environment["fingerprint"] == capture_environment()["fingerprint"]
    assert store.index.kind_of(source.environment["id"]) == "environment"


def test_with_snapshots_head_is_built_unless_current_is_asked(store: Store) -> None:
    first = take_snapshot(store, SnapshotOptions(message="one"))
    second = take_snapshot(store, SnapshotOptions(message="two"))
    assert resolve_source(store, BuildOptions()).snapshot == second
    assert resolve_source(store, BuildOptions(ref="HEAD~1")).snapshot == first
    assert resolve_source(store, BuildOptions(ref=first["id"][:8])).snapshot == first
    assert resolve_source(store, BuildOptions(current=True)).snapshot is None
    with pytest.raises(RecordNotFound):
        resolve_source(store, BuildOptions(ref="HEAD~5"))


def test_names_and_tags(store: Store) -> None:
    snap = take_snapshot(store, SnapshotOptions(message="one"))
    source = resolve_source(store, BuildOptions())
    assert repository_name(store, BuildOptions(name="Team/My Project!")) == "team/my-project"
    assert repository_name(store, BuildOptions(prefix="reg:5000/ml/")) == "reg:5000/ml/project"
    tags = tag_names(BuildOptions(tag="v1.2.0"), source)
    assert snap["git"] is not None
    assert snap["git"]["commit"] is not None
    assert tags == [
        "v1.2.0",
        snap["git"]["commit"][:7],
        f"env-{source.environment['fingerprint'][:12]}",
        f"snap-{snap['id'][:12]}",
    ]
    with pytest.raises(InvalidInput, match="invalid image tag"):
        tag_names(BuildOptions(tag="not a tag"), source)


def test_a_dry_run_never_overwrites_a_directory_that_is_not_a_context(
    store: Store, project: Path
) -> None:
    take_snapshot(store, SnapshotOptions(message="one"))
    with pytest.raises(Conflict, match="not an earlier build context"):
        build_image(store, BuildOptions(dry_run=True, output=project, base="b"), engine=None)
    assert (project / "train.py").exists()


def test_the_code_of_a_commit_with_no_files_is_an_empty_directory(tmp_path: Path) -> None:
    """git's archive of an empty tree is a pax header alone, which tarfile cannot read."""
    project = tmp_path / "empty"
    project.mkdir()
    git(project, "init", "-q", "-b", "main")
    git(project, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty",
        "-m", "nothing yet")  # fmt: skip
    commit = git(project, "rev-parse", "HEAD").strip()
    with Store.open(project, create=True) as store:
        git_info: dict[str, object] = {"root": ".", "commit": commit, "diff": None, "untracked": []}
        snapshot = cast(SnapshotRecord, {"git": git_info})
        mtime, problems = export_code(store, snapshot, tmp_path / "code")
    assert (mtime, problems) == (0, [])
    assert list((tmp_path / "code").iterdir()) == []
