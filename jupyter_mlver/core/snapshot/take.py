"""take_snapshot(): capture everything, store it, return the record."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import _version
from .. import records
from ..capture.data import ProgressFactory, capture_data
from ..capture.environment import capture_environment
from ..capture.git import GitLimits, GitState, capture_git, os_user
from ..capture.secrets import Redactor
from ..errors import Conflict, InvalidInput
from ..records import RunSection, SnapshotRecord
from ..records.snapshot import (
    ExecutionInfo,
    GitInfo,
    KernelInfo,
    NamespaceEntry,
    NotebookInfo,
)
from ..store.store import Store, check_tag_name


@dataclass
class NotebookDocument:
    """The notebook as the kernel sees it; ``path`` is None when rebuilt from history."""

    path: Path | None
    content: bytes
    source: str  # "frontend" | "disk" | "history"
    kernel: KernelInfo


@dataclass
class KernelCapture:
    """What only a running kernel knows; the magics fill it in, the CLI has none."""

    notebook: NotebookDocument | None = None
    execution: ExecutionInfo | None = None
    namespace: dict[str, NamespaceEntry] | None = None
    state: dict[str, bytes] | None = None
    state_skipped: dict[str, str] | None = None
    lineage: list[tuple[Path, str]] = field(default_factory=list)


@dataclass
class SnapshotOptions:
    message: str = ""
    data: Sequence[str | os.PathLike[str]] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    hash_only: bool = False
    env_vars: Sequence[str] = ()
    git_limits: GitLimits = field(default_factory=GitLimits)
    run: RunSection | None = None  # taken during `jupyter mlver run`: which run, how it went

    def __post_init__(self) -> None:
        """What can be checked without a store, checked before one is opened."""
        for tag in self.tags:
            check_tag_name(tag)
        _check_values("param", self.params)
        _check_values("metric", self.metrics)


def _check_values(kind: str, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise InvalidInput(f"{kind} names must be non-empty strings, got {key!r}")
        if kind == "metric" and isinstance(value, list):
            if not value:
                raise InvalidInput(f"metric {key}: a series needs at least one value")
            for item in value:
                records.check_scalar(f"metric {key}", item)
        else:
            records.check_scalar(f"{kind} {key}", value)


def _git_record(store: Store, git: GitState, diff_id: str | None) -> GitInfo:
    out: GitInfo = {
        "root": Path(os.path.relpath(git.root, store.root)).as_posix(),
        "commit": git.commit,
        "branch": git.branch,
        "remote": git.remote,
        "dirty": git.dirty,
        "diff": diff_id,
        "untracked": git.untracked,
    }
    if git.diff_omitted:
        out["diff_omitted"] = git.diff_omitted
    if git.untracked_omitted:
        out["untracked_omitted"] = git.untracked_omitted
    return out


def take_snapshot(
    store: Store,
    options: SnapshotOptions,
    kernel: KernelCapture | None = None,
    progress: ProgressFactory | None = None,
) -> SnapshotRecord:
    """Capture environment, git, data (and what the kernel passed in); store one record.

    Every input is checked before anything is written, so a mistake leaves the store as
    it was; objects are durable before the record that names them is indexed.
    """
    kernel = kernel or KernelCapture()
    tags = sorted(set(options.tags))
    for tag in tags:
        taken = store.index.tag_target(tag)
        if taken is not None:
            raise Conflict(
                f"tag {tag!r} already names snapshot {taken[:12]}", "choose another name"
            )
    data_paths: list[tuple[str | os.PathLike[str], str]] = [(p, "tracked") for p in options.data]
    data_paths += [(p, role) for p, role in kernel.lineage if os.path.exists(p)]
    missing = [str(p) for p, _ in data_paths if not os.path.exists(p)]
    if missing:
        raise InvalidInput(
            f"data path {missing[0]!r} does not exist",
            "check the path; it is relative to the current directory",
        )
    store_copies = not options.hash_only and bool(
        store.config().get("data", {}).get("store_copies", True)
    )
    redactor = Redactor()

    with store.writing(), store.objects.writer() as writer:
        environment = capture_environment(options.env_vars)
        env_id = writer.add_bytes(records.encode(environment)[1])
        git = capture_git(store.root, options.git_limits, redactor)
        diff_id = writer.add_bytes(git.diff) if git and git.diff else None
        data = capture_data(
            data_paths,
            root=store.root,
            state=store.state,
            writer=writer,
            copies=store_copies,
            progress=progress,
        )
        notebook: NotebookInfo | None = None
        if kernel.notebook is not None:
            doc = kernel.notebook
            notebook = {
                "path": store.relpath(doc.path) if doc.path else None,
                "hash": writer.add_bytes(redactor.data(doc.content)),
                "source": doc.source,
                "kernel": doc.kernel,
            }
        state = (
            {name: writer.add_bytes(blob) for name, blob in kernel.state.items()}
            if kernel.state is not None
            else None
        )
        writer.commit()
        record: SnapshotRecord = {
            "schema": records.SNAPSHOT,
            "parent": store.index.latest(notebook["path"] if notebook else None),
            "created": records.now(),
            "author": git.author if git else os_user(),
            "message": options.message,
            "tags": tags,
            "notebook": notebook,
            "execution": kernel.execution,
            "namespace": kernel.namespace,
            "state": state,
            "state_skipped": kernel.state_skipped,
            "params": dict(options.params),
            "metrics": dict(options.metrics),
            "data": data,
            "environment": env_id,
            "git": _git_record(store, git, diff_id) if git else None,
            "mlver_version": _version.__version__,
        }
        if options.run is not None:
            record["run"] = {**options.run}
        return store.put_record(redactor.value(record), also_index=({"id": env_id, **environment},))
