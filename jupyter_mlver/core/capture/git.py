"""Git state of the project: commit, branch, remote, dirty diff and untracked files."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .secrets import Redactor, strip_url_credentials

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#: The store's directory name: the line the store adds to .gitignore ends with it.
STORE_DIRNAME = ".mlver"


@dataclass(frozen=True)
class GitLimits:
    diff_max_bytes: int = 10 * 1024 * 1024
    untracked_max_files: int = 1000


@dataclass
class GitState:
    """What a snapshot records, plus the diff bytes for the caller to store."""

    root: Path
    commit: str | None
    branch: str | None
    remote: str | None
    dirty: bool
    diff: bytes | None
    diff_omitted: str | None
    untracked: list[str]
    untracked_omitted: int
    author: dict[str, str | None]


def _store_entry(line: str) -> bool:
    """``.mlver/``, ``/sub/.mlver/``: a line the store writes to ``.gitignore`` for itself."""
    return line.strip().strip("/").rsplit("/", 1)[-1] == STORE_DIRNAME


def _only_store_entries(lines: list[str]) -> bool:
    kept = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(kept) and all(_store_entry(ln) for ln in kept)


def _store_gitignore(root: Path) -> bool:
    """An untracked ``.gitignore`` that holds nothing but the store's own line."""
    try:
        return _only_store_entries((root / ".gitignore").read_text("utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return False


def _without_store_entries(diff: bytes) -> bytes:
    """The diff without a ``.gitignore`` change that only adds the store's line: the
    store's bookkeeping is never the user's change."""
    if b"diff --git a/.gitignore b/.gitignore" not in diff:
        return diff
    sections = diff.split(b"\ndiff --git ")
    kept = []
    for i, section in enumerate(sections):
        text = section.decode("utf-8", "replace")
        head = text.split("\n", 1)[0].removeprefix("diff --git ")
        if head == "a/.gitignore b/.gitignore":
            body = text.split("\n@@", 1)[-1].splitlines()[1:]
            added = [ln[1:] for ln in body if ln.startswith("+")]
            if not any(ln.startswith("-") for ln in body) and _only_store_entries(added):
                continue
        kept.append(section if i == 0 else b"diff --git " + section)
    return b"\n".join(kept)


def find_work_tree(start: Path) -> Path | None:
    """The enclosing git work tree, found without starting git."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def capture_git(
    start: Path, limits: GitLimits, redactor: Redactor, exclude: tuple[str, ...] = (".mlver/",)
) -> GitState | None:
    root = find_work_tree(start)
    if root is None:
        return None
    import git

    try:
        repo = git.Repo(root)
    except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
        return None
    with repo:
        try:
            commit: str | None = repo.head.commit.hexsha
        except ValueError:  # no commits yet
            commit = None
        branch = None if repo.head.is_detached else repo.active_branch.name
        remote = None
        if repo.remotes:
            names = [r.name for r in repo.remotes]
            chosen = repo.remote("origin" if "origin" in names else names[0])
            urls = list(chosen.urls)
            remote = strip_url_credentials(urls[0]) if urls else None
        base = commit or EMPTY_TREE
        text = _without_store_entries(
            repo.git.diff(
                base, "--no-color", "--no-ext-diff", "--no-textconv", stdout_as_string=False
            )
        )
        diff: bytes | None = redactor.data(text + b"\n") if text else None
        omitted = None
        if diff is not None and len(diff) > limits.diff_max_bytes:
            omitted = (
                f"diff of {len(diff)} bytes exceeds the cap of {limits.diff_max_bytes} "
                "bytes; commit your changes to make this snapshot reproducible"
            )
            diff = None
        # --directory names a wholly untracked directory once ("data/") instead of walking
        # and listing each of its files.
        listed = repo.git.ls_files(
            "--others", "--exclude-standard", "--directory", "--no-empty-directory", "-z"
        )
        untracked = [
            p
            for p in listed.split("\0")
            if p and not p.startswith(exclude) and not any(f"/{e}" in f"/{p}" for e in exclude)
        ]
        if ".gitignore" in untracked and _store_gitignore(root):
            untracked.remove(".gitignore")
        who = _config_author(repo)
        return GitState(
            root=root,
            commit=commit,
            branch=branch,
            remote=remote,
            dirty=bool(text),
            diff=diff,
            diff_omitted=omitted,
            untracked=sorted(untracked)[: limits.untracked_max_files],
            untracked_omitted=max(0, len(untracked) - limits.untracked_max_files),
            author=who,
        )


def _config_author(repo: Any) -> dict[str, str | None]:
    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="")
    email = reader.get_value("user", "email", default="")
    return {"name": str(name), "email": str(email) or None} if name else os_user()


def author(start: Path) -> dict[str, str | None]:
    """Who is working here: git's user.name/email in the work tree, else the OS user."""
    root = find_work_tree(start)
    if root is None:
        return os_user()
    import git

    try:
        with git.Repo(root) as repo:
            return _config_author(repo)
    except (git.exc.InvalidGitRepositoryError, git.exc.NoSuchPathError):
        return os_user()


def os_user() -> dict[str, str | None]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = os.environ.get("USER", "unknown")
    return {"name": user, "email": None}
