"""The shape of ``mlver.diff/1``: what ``diff_snapshots`` returns, the REST API sends and
every view of a comparison reads."""

from __future__ import annotations

from typing import Any, TypedDict

from ..records import ExecutionWarning


class ValueChange(TypedDict):
    """A param or metric; unchanged ones are kept so views can show both runs."""

    key: str
    a: Any
    b: Any
    status: str  # added | removed | changed | unchanged
    delta: int | float | None  # b - a for two numbers (last values of series)


class FileSide(TypedDict):
    hash: str
    size: int


class FileChange(TypedDict):
    path: str
    status: str  # added | removed | changed
    a: FileSide | None
    b: FileSide | None


class PackageChange(TypedDict):
    name: str
    status: str  # added | removed | upgraded | downgraded | changed
    a: str | None
    b: str | None
    note: str | None  # how the origin changed (source, URL, commit)


class Pair(TypedDict):
    a: str
    b: str


class GitSide(TypedDict):
    commit: str | None
    branch: str | None
    dirty: bool
    diff: str | None


class Commit(TypedDict):
    sha: str
    summary: str


class GitChange(TypedDict):
    a: GitSide | None
    b: GitSide | None
    same_commit: bool
    same_code: bool  # same commit and the same uncommitted diff
    commits: list[Commit]  # a..b, newest first, when the repository has both
    commits_omitted: int


class CellOutputs(TypedDict):
    a: str | None
    b: str | None


class CellChange(TypedDict):
    status: str  # added | removed | changed
    a_index: int | None
    b_index: int | None
    cell_type: str
    a_source: str | None
    b_source: str | None
    source_changed: bool
    outputs: CellOutputs  # summaries such as "2 outputs: stream, execute_result(text/plain)"


class NotebookChange(TypedDict):
    a: str | None  # the notebook objects' hashes
    b: str | None
    a_path: str | None
    b_path: str | None
    cells: list[CellChange]


class Header(TypedDict):
    id: str
    created: str | None
    message: str
    notebook: str | None
    tags: list[str]


class Warnings(TypedDict):
    a: list[ExecutionWarning]
    b: list[ExecutionWarning]


class Summary(TypedDict):
    params: int
    metrics: int
    data: int
    packages: int
    cells: int


class Diff(TypedDict):
    schema: str
    a: Header
    b: Header
    params: list[ValueChange]
    metrics: list[ValueChange]
    data: list[FileChange]
    packages: list[PackageChange]
    python: Pair | None
    platform: Pair | None
    git: GitChange
    notebook: NotebookChange
    warnings: Warnings
    summary: Summary
