from __future__ import annotations

from pathlib import Path

from jupyter_mlver.core.capture.git import GitLimits, GitState, capture_git
from jupyter_mlver.core.capture.secrets import Redactor
from jupyter_mlver.core.store.store import Store
from tests.support import git


def capture(project: Path, **limits: int) -> GitState | None:
    return capture_git(project, GitLimits(**limits), Redactor({}))


def test_clean_repository(project: Path) -> None:
    state = capture(project)
    assert state is not None
    assert state.commit == git(project, "rev-parse", "HEAD").strip()
    assert state.branch == "main"
    assert not state.dirty
    assert state.diff is None
    assert state.author == {"name": "Ada Lovelace", "email": "ada@example.org"}
    assert state.untracked == ["data/"]  # a wholly untracked directory is named once


def test_dirty_diff_untracked_and_ignored(project: Path) -> None:
    (project / "train.py").write_text("print('train v2')\n")
    (project / ".gitignore").write_text("ignored/\n")
    (project / "ignored").mkdir()
    (project / "ignored" / "big.bin").write_bytes(b"x")
    (project / "notes.md").write_text("n")
    Store.open(project, create=True).close()
    state = capture(project)
    assert state is not None
    assert state.dirty
    assert state.diff is not None
    assert b"+print('train v2')" in state.diff
    assert "notes.md" in state.untracked
    assert not any(p.startswith(("ignored/", ".mlver")) for p in state.untracked)


def test_remote_credentials_are_stripped(project: Path) -> None:
    git(project, "remote", "add", "origin", "https://alice:ghp_TOPSECRET@github.com/o/r.git")
    state = capture(project)
    assert state is not None
    assert state.remote == "https://github.com/o/r.git"


def test_binary_changes_are_listed_not_stored(project: Path) -> None:
    (project / "blob.bin").write_bytes(bytes(range(256)) * 10)
    git(project, "add", "blob.bin")
    git(project, "commit", "-q", "-m", "blob")
    (project / "blob.bin").write_bytes(bytes(reversed(range(256))) * 10)
    state = capture(project)
    assert state is not None
    assert state.diff is not None
    assert b"Binary files" in state.diff
    assert bytes(range(256)) not in state.diff


def test_diff_cap(project: Path) -> None:
    (project / "train.py").write_text("x = 1\n" * 10_000)
    state = capture(project, diff_max_bytes=1000)
    assert state is not None
    assert state.dirty
    assert state.diff is None
    assert state.diff_omitted
    assert "exceeds" in state.diff_omitted


def test_untracked_cap(project: Path) -> None:
    for i in range(30):
        (project / f"u{i:02}.txt").write_text("u")
    state = capture(project, untracked_max_files=10)
    assert state is not None
    assert len(state.untracked) == 10
    assert state.untracked_omitted == 21


def test_no_repository(tmp_path: Path) -> None:
    assert capture(tmp_path) is None


def test_unborn_branch(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "dev")
    (tmp_path / "a.py").write_text("a = 1\n")
    git(tmp_path, "add", "a.py")
    state = capture(tmp_path)
    assert state is not None
    assert state.commit is None
    assert state.branch == "dev"
    assert state.diff is not None
    assert b"+a = 1" in state.diff


def test_the_stores_own_gitignore_line_is_not_the_users_change(project: Path) -> None:
    # The store creates .gitignore for itself: not an untracked file of the project.
    Store.open(project, create=True).close()
    assert (project / ".gitignore").read_text() == ".mlver/\n"
    state = capture(project)
    assert state is not None
    assert ".gitignore" not in state.untracked
    assert not state.dirty
    assert state.diff is None
    # Once the user writes their own ignore rules it is their file again.
    (project / ".gitignore").write_text(".mlver/\n*.log\n")
    state = capture(project)
    assert state is not None
    assert ".gitignore" in state.untracked


def test_the_store_line_added_to_a_tracked_gitignore_is_not_a_change(project: Path) -> None:
    (project / ".gitignore").write_text("*.log\n")
    git(project, "add", ".gitignore")
    git(project, "commit", "-q", "-m", "ignore logs")
    Store.open(project, create=True).close()  # appends .mlver/ to the tracked file
    assert (project / ".gitignore").read_text() == "*.log\n.mlver/\n"
    state = capture(project)
    assert state is not None
    assert not state.dirty
    assert state.diff is None
    (project / "train.py").write_text("print('train v2')\n")
    state = capture(project)
    assert state is not None
    assert state.dirty
    assert state.diff is not None
    assert b"train v2" in state.diff
    assert b".gitignore" not in state.diff
