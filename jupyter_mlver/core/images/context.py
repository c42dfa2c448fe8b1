"""The build context: the Dockerfile, the lock and its wheels, the project code at the
snapshot's commit with its diff applied, the notebook and the records.

The context is a list of entries written either as a tar stream for the engine (wheels
are read straight from their store objects, never copied first) or as a directory for
``--dry-run``. Timestamps are fixed so that unchanged inputs give unchanged layers.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..capture.secrets import is_secret_file
from ..errors import InvalidInput
from ..plain import plain_env
from ..records import GitInfo, NotebookInfo, SnapshotRecord, Unreproducible
from ..store.store import Store

# Where things live in the context (the Dockerfile refers to these).
MLVER_DIR = "mlver"
WHEELS_DIR = "mlver/wheels"
LOCAL_WHEELS_DIR = "mlver/local-wheels"
CODE_DIR = "code"
NOTEBOOK_DIR = "notebook"
RECORD_DIR = "record"
_UNTRACKED_SHOWN = 5


@dataclass(frozen=True)
class Entry:
    data: bytes | None = None
    source: Path | None = None
    link: str | None = None
    mode: int = 0o644
    mtime: int = 0


class Context:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def add_bytes(self, name: str, data: bytes, mode: int = 0o644, mtime: int = 0) -> None:
        self.entries[name] = Entry(data=data, mode=mode, mtime=mtime)

    def add_file(self, name: str, source: Path, mode: int = 0o644, mtime: int = 0) -> None:
        self.entries[name] = Entry(source=source, mode=mode, mtime=mtime)

    def add_tree(self, prefix: str, root: Path, mtime: int) -> None:
        """Every file and symlink under ``root``; only the executable bit of modes is kept."""
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in [
                *sorted(filenames),
                *[d for d in dirnames if os.path.islink(os.path.join(dirpath, d))],
            ]:
                path = Path(dirpath) / name
                rel = f"{prefix}/{path.relative_to(root).as_posix()}"
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    self.entries[rel] = Entry(link=os.readlink(path), mode=0o777, mtime=mtime)
                elif stat.S_ISREG(st.st_mode):
                    mode = 0o755 if st.st_mode & 0o111 else 0o644
                    self.entries[rel] = Entry(source=path, mode=mode, mtime=mtime)

    def has(self, prefix: str) -> bool:
        return any(name.startswith(prefix + "/") or name == prefix for name in self.entries)

    def write_tar(self, fileobj: IO[bytes]) -> None:
        with tarfile.open(fileobj=fileobj, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name in sorted(self.entries):
                entry = self.entries[name]
                info = tarfile.TarInfo(name)
                info.mode = entry.mode
                info.mtime = entry.mtime
                if entry.link is not None:
                    info.type = tarfile.SYMTYPE
                    info.linkname = entry.link
                    tar.addfile(info)
                elif entry.data is not None:
                    info.size = len(entry.data)
                    tar.addfile(info, io.BytesIO(entry.data))
                else:
                    assert entry.source is not None
                    info.size = entry.source.stat().st_size
                    with open(entry.source, "rb") as f:
                        tar.addfile(info, f)

    def write_dir(self, directory: Path) -> None:
        """Write the context as ``directory`` (which must not exist), whole or not at all: it
        is assembled under a temporary name beside it and renamed into place."""
        import shutil
        import tempfile

        directory.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
        try:
            for name in sorted(self.entries):
                entry = self.entries[name]
                path = partial / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if entry.link is not None:
                    path.symlink_to(entry.link)
                    continue
                if entry.data is not None:
                    path.write_bytes(entry.data)
                else:
                    assert entry.source is not None
                    shutil.copyfile(entry.source, path)
                path.chmod(entry.mode)
            partial.chmod(0o755)
            os.rename(partial, directory)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise


# -- the project code ----------------------------------------------------------------


def _git(repo: Path, *args: str, stdin: bytes | None = None, cwd: Path | None = None) -> bytes:
    env = plain_env(GIT_TERMINAL_PROMPT="0")
    if cwd is not None:
        # Outside a repository `git apply` patches plain files; never let it find the
        # repository the temporary directory happens to sit in.
        env["GIT_CEILING_DIRECTORIES"] = str(cwd.parent)
    proc = subprocess.run(
        ["git", *(["-C", str(repo)] if cwd is None else []), *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
    )
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, proc.stdout, proc.stderr)
    return proc.stdout


def _split_diff(diff: bytes) -> tuple[bytes, list[str]]:
    """The diff without the sections git cannot apply (binary files listed without their
    content), and the paths of those files."""
    sections: list[bytes] = []
    current: list[bytes] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(b"diff --git ") and current:
            sections.append(b"".join(current))
            current = []
        current.append(line)
    if current:
        sections.append(b"".join(current))
    keep: list[bytes] = []
    binary: list[str] = []
    for section in sections:
        lines = section.splitlines()
        if any(ln.startswith(b"Binary files ") for ln in lines):
            header = lines[0].decode("utf-8", "replace")
            binary.append(header.rsplit(" b/", 1)[-1])
        else:
            keep.append(section)
    return b"".join(keep), binary


def export_code(
    store: Store, snapshot: SnapshotRecord, dest: Path
) -> tuple[int, list[Unreproducible]]:
    """Write the snapshot's code (commit + diff) to ``dest``; return the commit time and
    what could not be reproduced. Secret-looking files are left out."""
    git = snapshot.get("git")
    problems: list[Unreproducible] = []
    if not git:
        return 0, problems
    repo = (store.root / git["root"]).resolve()
    if not (repo / ".git").exists():
        raise InvalidInput(
            f"the snapshot's git work tree {repo} is not on this machine",
            "build on the machine (or clone) where the snapshot was taken",
        )
    dest.mkdir(parents=True, exist_ok=True)
    mtime = 0
    commit = git.get("commit")
    if commit:
        try:
            archive = _git(repo, "archive", "--format=tar", commit)
        except subprocess.CalledProcessError:
            raise InvalidInput(
                f"commit {commit[:12]} of the snapshot is not in the repository at {repo}",
                "fetch it (git fetch), or build a snapshot whose commit exists",
            ) from None
        # An empty tree's archive is only git's pax header, which tarfile cannot read.
        if _git(repo, "ls-tree", "--name-only", commit).strip():
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
                members = tar.getmembers()
                mtime = int(members[0].mtime) if members else 0
                kwargs: dict[str, Any] = (
                    {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                )
                tar.extractall(dest, **kwargs)
    diff = git.get("diff")
    if diff:
        patch, binary = _split_diff(store.objects.get_bytes(diff))
        problems += [
            {
                "name": path,
                "reason": "binary file changed after the commit; the image has the "
                "committed version",
            }
            for path in binary
        ]
        if patch.strip():
            try:
                _git(repo, "apply", "--whitespace=nowarn", "-", stdin=patch, cwd=dest)
            except subprocess.CalledProcessError as e:
                reason = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
                problems.append(
                    {
                        "name": "uncommitted changes",
                        "reason": "the snapshot's diff did not apply "
                        f"({reason[-1] if reason else 'git apply failed'}); the image has "
                        f"the code at commit {(commit or '')[:12]}",
                    }
                )
    if git.get("diff_omitted"):
        problems.append({"name": "uncommitted changes", "reason": git["diff_omitted"]})
    problems += untracked_problems(git)
    for path in sorted(_walk_files(dest)):
        if is_secret_file(path.name):
            rel = path.relative_to(dest).as_posix()
            path.unlink()
            problems.append({"name": rel, "reason": "looks like a secret; left out of the image"})
    return mtime, problems


def untracked_problems(git: GitInfo | None) -> list[Unreproducible]:
    """Untracked files are not in a snapshot's code, so not in its image: say so."""
    if git is None:
        return []
    untracked = list(git.get("untracked") or [])
    extra = int(git.get("untracked_omitted") or 0)
    if not untracked and not extra:
        return []
    shown = ", ".join(untracked[:_UNTRACKED_SHOWN])
    more = len(untracked) + extra - min(len(untracked), _UNTRACKED_SHOWN)
    return [
        {
            "name": "untracked files",
            "reason": f"{len(untracked) + extra} untracked file(s) are not in the image: "
            f"{shown}{f' and {more} more' if more else ''}",
        }
    ]


def _walk_files(root: Path) -> Iterator[Path]:
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            yield Path(dirpath) / name


def notebook_entry(nb: NotebookInfo | None) -> str | None:
    """The notebook's path inside the project, as the image will have it."""
    if not nb or not nb.get("hash"):
        return None
    path = nb.get("path") or "notebook.ipynb"
    if path.startswith("/") or path.startswith(".."):
        path = Path(path).name  # a notebook outside the store root lands in the project
    return str(path)


def record_files(records: Mapping[str, Mapping[str, Any]]) -> dict[str, bytes]:
    """``record/<name>.json`` files: readable copies of the records inside the image."""
    return {
        f"{RECORD_DIR}/{name}.json": (
            json.dumps(rec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode()
        for name, rec in records.items()
    }
