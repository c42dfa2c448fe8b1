"""Git state of the project: commit, branch, remote, dirty diff and untracked files."""

from __future__ import annotations

import getpass
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..plain import plain_env
from ..records import Author
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
    author: Author


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


def _git(root: Path, *args: str) -> tuple[int, bytes]:
    """Run git in ``root``: (exit status, stdout). Plain git rather than a library: a
    snapshot makes four calls, and importing GitPython alone cost more than all of them."""
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        env=plain_env(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0"),
        check=False,
    )
    return proc.returncode, proc.stdout


def _config(root: Path) -> dict[str, list[str]]:
    """``user.name``, ``user.email`` and every ``remote.<name>.url``, in config order."""
    status, out = _git(
        root, "config", "-z", "--get-regexp", r"^(user\.(name|email)|remote\..*\.url)$"
    )
    found: dict[str, list[str]] = {}
    if status != 0:
        return found
    for item in out.decode("utf-8", "replace").split("\0"):
        key, _, value = item.partition("\n")
        if key:
            found.setdefault(key.lower(), []).append(value)
    return found


def _author_of(config: dict[str, list[str]]) -> Author:
    name = (config.get("user.name") or [""])[-1]
    email = (config.get("user.email") or [""])[-1]
    return {"name": name, "email": email or None} if name else os_user()


def _remote_url(config: dict[str, list[str]]) -> str | None:
    """The origin's URL, else the first remote's (credentials stripped)."""
    urls = {
        k[len("remote.") : -len(".url")]: v for k, v in config.items() if k.startswith("remote.")
    }
    if not urls:
        return None
    chosen = urls.get("origin") or next(iter(urls.values()))
    return strip_url_credentials(chosen[0]) if chosen else None


def capture_git(
    start: Path, limits: GitLimits, redactor: Redactor, exclude: tuple[str, ...] = (".mlver/",)
) -> GitState | None:
    root = find_work_tree(start)
    if root is None:
        return None
    status, out = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if status not in (0, 1):
        return None  # not a repository git can read
    commit = out.decode().strip() if status == 0 else None  # no commits yet
    status, out = _git(root, "symbolic-ref", "-q", "--short", "HEAD")
    branch = out.decode().strip() if status == 0 else None  # detached
    config = _config(root)
    status, raw = _git(
        root, "diff", commit or EMPTY_TREE, "--no-color", "--no-ext-diff", "--no-textconv"
    )
    text = _without_store_entries(raw.rstrip(b"\n")) if status == 0 else b""
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
    _, listed = _git(
        root,
        "ls-files",
        "--others",
        "--exclude-standard",
        "--directory",
        "--no-empty-directory",
        "-z",
    )
    untracked = [
        p
        for p in listed.decode("utf-8", "surrogateescape").split("\0")
        if p and not p.startswith(exclude) and not any(f"/{e}" in f"/{p}" for e in exclude)
    ]
    if ".gitignore" in untracked and _store_gitignore(root):
        untracked.remove(".gitignore")
    return GitState(
        root=root,
        commit=commit,
        branch=branch,
        remote=_remote_url(config),
        dirty=bool(text),
        diff=diff,
        diff_omitted=omitted,
        untracked=sorted(untracked)[: limits.untracked_max_files],
        untracked_omitted=max(0, len(untracked) - limits.untracked_max_files),
        author=_author_of(config),
    )


def author(start: Path) -> Author:
    """Who is working here: git's user.name/email in the work tree, else the OS user."""
    root = find_work_tree(start)
    return os_user() if root is None else _author_of(_config(root))


def os_user() -> Author:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = os.environ.get("USER", "unknown")
    return {"name": user, "email": None}
