"""Python, platform and git of two snapshots, compared; ``git log`` gives the commit range."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..records import SnapshotRecord
from ..store.store import Store
from .types import Commit, GitChange, GitSide, Pair

#: Commits listed between two snapshots at most (the count beyond is in ``commits_omitted``).
MAX_COMMITS = 200


def python_text(env: Mapping[str, Any]) -> str:
    py = env.get("python") or {}
    impl = py.get("implementation") or ""
    return f"{py.get('version', '?')}" + (f" ({impl})" if impl and impl != "CPython" else "")


def platform_text(env: Mapping[str, Any]) -> str:
    p = env.get("platform") or {}
    parts = [p.get("system"), p.get("release"), p.get("machine"), p.get("libc")]
    text = " ".join(str(x) for x in parts if x)
    return text + (f" ({p['os_release']})" if p.get("os_release") else "")


def pair(a: str, b: str) -> Pair | None:
    return None if a == b else {"a": a, "b": b}


def _git_side(record: SnapshotRecord) -> GitSide | None:
    git = record.get("git")
    if not git:
        return None
    return {
        "commit": git.get("commit"),
        "branch": git.get("branch"),
        "dirty": bool(git.get("dirty")),
        "diff": git.get("diff"),
    }


def commit_range(repo_dir: Path, a: str, b: str, limit: int = MAX_COMMITS) -> list[Commit] | None:
    """The commits ``a..b`` (newest first) from the local repository, or None when either
    commit is not there (a shallow clone, another machine's store)."""
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(repo_dir),
                "log",
                "--no-color",
                f"--max-count={limit + 1}",
                "--format=%H%x1f%s",
                f"{a}..{b}",
                "--",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    out: list[Commit] = []
    for line in proc.stdout.splitlines():
        sha, _, summary = line.partition("\x1f")
        out.append({"sha": sha, "summary": summary})
    return out


def compare_git(store: Store, a: SnapshotRecord, b: SnapshotRecord) -> GitChange:
    ga, gb = _git_side(a), _git_side(b)
    ca = ga["commit"] if ga else None
    cb = gb["commit"] if gb else None
    same_commit = ca is not None and ca == cb
    commits: list[Commit] = []
    omitted = 0
    if ca and cb and not same_commit:
        git_b = b.get("git")
        root = (git_b["root"] if git_b else None) or "."
        found = commit_range((store.root / root).resolve(), ca, cb)
        if found:
            commits = found[:MAX_COMMITS]
            omitted = len(found) - len(commits)
    return {
        "a": ga,
        "b": gb,
        "same_commit": same_commit,
        # Same commit and the same uncommitted diff (or none): the code was the same.
        "same_code": same_commit and bool(ga and gb and ga["diff"] == gb["diff"]),
        "commits": commits,
        "commits_omitted": omitted,
    }
