"""A snapshot's ``run`` section: the snapshot was taken in a kernel ``jupyter mlver run``
started (``core/runs/sweep.py`` plans the runs, ``notebook/executor.py`` runs one)."""

from .common import NotRequired, TypedDict


class RunContext(TypedDict):
    """Which run this is, as the runner tells the kernel (``$MLVER_RUN``)."""

    id: str  # this run
    sweep: str  # every run of one `jupyter mlver run`
    notebook: str  # the notebook that was run (store-relative); notebook.path is the copy
    point: int  # 1-based
    points: int


class RunOutcome(TypedDict):
    """How the run went; a failed run names its failing cell and error."""

    status: str  # "ok" | "failed"
    cell: NotRequired[int]  # 0-based index in the notebook as run
    execution_count: NotRequired[int]
    error: NotRequired[str]  # e.g. "ValueError: lr too large", or why the kernel stopped


class RunSection(RunContext, RunOutcome):
    """The record's ``run``: the context and the outcome."""
