"""``mlver.snapshot/1``: one experiment (``core/snapshot/take.py`` makes it; a reproduction
is made by ``core/reproduce/reproduce.py``)."""

from typing import Any

from .common import Author, NotRequired, Scalar, TypedDict
from .run import RunSection


class KernelInfo(TypedDict):
    name: str
    language: str


class NotebookInfo(TypedDict):
    path: str | None  # store-relative; None when rebuilt from the kernel's history
    hash: str
    source: str  # frontend | disk | papermill | command-line | working-directory | history
    kernel: KernelInfo


class ExecutedCell(TypedDict):
    count: int
    code_hash: str
    cell_id: NotRequired[str]  # when the frontend said which cell ran


class ExecutionWarning(TypedDict):
    kind: str  # kernel-restarted | out-of-order | edited-after-run | deleted-cells | ...
    message: str
    cells: NotRequired[list[int]]  # the cells it is about (0-based)
    counts: NotRequired[list[int]]  # execution counts of code no longer in the notebook
    names: NotRequired[list[str]]  # parameters that were not recorded


class ExecutionInfo(TypedDict):
    cells: list[ExecutedCell]  # in execution order
    warnings: list[ExecutionWarning]
    session: str  # the kernel session that took it (a restart shows as a new one)


class NamespaceEntry(TypedDict):
    type: str
    summary: str


class DataEntry(TypedDict):
    """A data file, or a directory (``kind: "tree"``, ``hash`` names its tree object)."""

    path: str
    role: str  # input | output | tracked
    hash: str
    size: int  # bytes (of every file under it, for a tree)
    stored: bool
    kind: NotRequired[str]  # "tree"; absent for a file
    files: NotRequired[int]  # files under a tree
    unstored: NotRequired[list[str]]  # tree-relative paths kept as hashes only
    read: NotRequired[bool]  # an output the kernel also read after writing it
    tracked: NotRequired[bool]  # an input or output also given with --data


class GitInfo(TypedDict):
    root: str
    commit: str | None
    branch: str | None
    remote: str | None
    dirty: bool
    diff: str | None  # object id of the diff against the commit
    untracked: list[str]
    diff_omitted: NotRequired[str]  # why the diff was not kept
    untracked_omitted: NotRequired[int]


class ReproducedMetric(TypedDict):
    key: str
    recorded: Any
    reproduced: Any
    status: str  # identical | within | differs | missing | new
    within_tolerance: bool
    delta: float | str | None  # "inf" or "nan" as strings: canonical JSON has no such numbers


class ReproductionError(TypedDict):
    kind: str  # cell | collect | setup | runner, or the exception's name
    message: str
    cell: NotRequired[int]  # the failing cell's 0-based index


class Reproduction(TypedDict):
    of: str  # the snapshot re-run
    image: str
    image_id: str | None
    reproduced: bool
    tolerance: float
    abs_tolerance: float
    metrics: list[ReproducedMetric]
    error: ReproductionError | None
    notes: list[str]


class SnapshotRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    parent: str | None
    created: str
    author: Author
    message: str
    tags: list[str]
    notebook: NotebookInfo | None
    execution: ExecutionInfo | None
    namespace: dict[str, NamespaceEntry] | None
    state: dict[str, str] | None  # variable -> object id of its pickle
    state_skipped: dict[str, str] | None  # variable -> why it was not kept
    params: dict[str, Scalar]
    metrics: dict[str, Scalar | list[Scalar]]
    data: list[DataEntry]
    environment: str
    git: GitInfo | None
    mlver_version: str
    reproduction: NotRequired[Reproduction]  # made by `jupyter mlver reproduce`
    run: NotRequired[RunSection]  # taken in a kernel `jupyter mlver run` started
