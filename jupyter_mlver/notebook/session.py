"""The kernel side: what a running shell accumulates between snapshots, and taking one.

Shared by the ``%mlver`` magics and the public Python API, so both record the same
thing; the core stays free of IPython.
"""

from __future__ import annotations

import json
import os
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..config import Mlver
from ..core import records
from ..core.capture import notebook as nbcapture
from ..core.capture.lineage import LineageRecorder, recorder
from ..core.capture.locate import Located, locate_notebook
from ..core.capture.parameters import notebook_parameters, skipped_warning
from ..core.capture.secrets import Redactor
from ..core.errors import InvalidInput
from ..core.records import KernelInfo, RunOutcome, RunSection, SnapshotRecord
from ..core.snapshot.take import KernelCapture, NotebookDocument, SnapshotOptions, take_snapshot
from ..core.store.store import Store

if TYPE_CHECKING:
    pass

DEFAULT_STATE_MAX_BYTES = 512 * 1024 * 1024


@dataclass
class FrontendDocument:
    """The notebook as JupyterLab shows it, pushed over the comm before a snapshot runs."""

    path: str | None
    content: dict[str, Any]
    received_at_count: int


@dataclass
class KernelSession:
    """Per-shell state between snapshots: pending logs, cell ids, the on-screen notebook."""

    shell: Any = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, list[Any]] = field(default_factory=dict)
    cell_ids: dict[int, str] = field(default_factory=dict)
    frontend: FrontendDocument | None = None
    running_cell_id: str | None = None
    inputs: dict[Path, None] = field(default_factory=dict)  # read in this kernel, in order
    taken: set[str] = field(default_factory=set)  # snapshots this kernel took
    latest: str | None = None  # the last of them
    located: Located | None = None  # the notebook found by what ran, checked first next time
    lineage: LineageRecorder = field(default_factory=recorder)

    def pre_run_cell(self, info: Any) -> None:
        """IPython event: the cell now running (a snapshot needs its id before it ends)."""
        self.running_cell_id = getattr(info, "cell_id", None)

    def post_run_cell(self, result: Any) -> None:
        """IPython event: remember which cell each stored execution came from."""
        info = getattr(result, "info", None)
        cell_id = getattr(info, "cell_id", None)
        if cell_id and getattr(info, "store_history", False) and result.execution_count:
            self.cell_ids[result.execution_count] = cell_id
        self.running_cell_id = None

    # -- params and metrics ------------------------------------------------------

    def log(
        self, params: Mapping[str, Any] | None = None, metrics: Mapping[str, Any] | None = None
    ) -> None:
        for key, value in (params or {}).items():
            records.check_scalar(f"param {key}", value)
        for key, value in (metrics or {}).items():
            for item in value if isinstance(value, list) else [value]:
                records.check_scalar(f"metric {key}", item)
        self.params.update(params or {})
        for key, value in (metrics or {}).items():
            self.metrics.setdefault(key, []).extend(value if isinstance(value, list) else [value])

    def pending_metrics(self) -> dict[str, Any]:
        """A metric logged once is a value; logged several times, its series."""
        return {k: v[0] if len(v) == 1 else list(v) for k, v in self.metrics.items()}

    # -- what the shell knows -----------------------------------------------------

    def executions(self) -> list[nbcapture.Execution]:
        if self.shell is None:
            return []
        raw = self.shell.history_manager.input_hist_raw
        ids = dict(self.cell_ids)
        if self.running_cell_id:
            ids[len(raw) - 1] = self.running_cell_id
        return [
            nbcapture.Execution(count, raw[count], ids.get(count))
            for count in range(1, len(raw))
            if raw[count].strip()
        ]

    def user_variables(self) -> dict[str, Any]:
        if self.shell is None:
            return {}
        return nbcapture.user_variables(self.shell.user_ns, self.shell.user_ns_hidden)

    def find_notebook(self) -> tuple[Path, str] | None:
        """The kernel's notebook file and how it was found: ``disk`` when Jupyter Server
        or VS Code named it, else the file whose cells hold what this kernel ran (a
        kernel started by papermill, nbconvert or a script)."""
        if self.shell is None:
            return None
        path = nbcapture.find_notebook_path(os.environ, self.shell.user_ns, Path.cwd())
        if path is not None:
            return path, "disk"
        found = locate_notebook(
            [ex.source for ex in self.executions()], Path.cwd(), hint=self.located
        )
        if found is None:
            return None
        self.located = found
        return found.path, found.source

    def notebook_path(self) -> Path | None:
        found = self.find_notebook()
        return found[0] if found else None

    def receive_frontend_document(self, comm: Any, open_msg: dict[str, Any]) -> None:
        """Comm target ``jupyter_mlver``: JupyterLab pushes the on-screen notebook just
        before it executes a cell that takes a snapshot (shell messages are handled in
        order, so it arrives first; a running cell could not receive a reply)."""
        data = open_msg.get("content", {}).get("data") or {}
        notebook = data.get("notebook")
        if data.get("action") == "notebook" and isinstance(notebook, dict) and self.shell:
            self.frontend = FrontendDocument(
                path=data.get("path") if isinstance(data.get("path"), str) else None,
                content=notebook,
                received_at_count=self.shell.execution_count,
            )
        comm.close()

    def take_frontend_document(self, consume: bool = True) -> FrontendDocument | None:
        """The pushed document if it was sent for the cell now running; used once."""
        pushed = self.frontend
        if consume:
            self.frontend = None
        if pushed is None or self.shell is None:
            return None
        running = len(self.shell.history_manager.input_hist_raw) - 1
        return pushed if pushed.received_at_count >= running else None


_sessions: weakref.WeakKeyDictionary[Any, KernelSession] = weakref.WeakKeyDictionary()
_script_session: KernelSession | None = None


def session_for(shell: Any | None) -> KernelSession:
    """The session of a shell (one per kernel process), or of a plain Python script."""
    global _script_session
    if shell is None:
        if _script_session is None:
            _script_session = KernelSession()
        return _script_session
    session = _sessions.get(shell)
    if session is None:
        session = KernelSession(shell=shell)
        _sessions[shell] = session
    return session


def _kernel_info(doc: Mapping[str, Any] | None) -> KernelInfo:
    meta = (doc or {}).get("metadata", {})
    spec = meta.get("kernelspec") or {}
    language = (meta.get("language_info") or {}).get("name") or spec.get("language") or "python"
    return {"name": spec.get("name") or "python3", "language": language}


def notebook_document(
    session: KernelSession, explicit: str | None, consume: bool = True
) -> NotebookDocument | None:
    """The notebook to record: ``--notebook``, else the on-screen one, else the file the
    kernel belongs to, else one rebuilt from the kernel's history."""
    if explicit:
        given = Path(explicit).expanduser().absolute()
        if not given.is_file():
            raise InvalidInput(
                f"notebook {explicit!r} does not exist", "give the path of an .ipynb file"
            )
        return _from_disk(given)
    pushed = session.take_frontend_document(consume)
    if pushed is not None:
        content = json.dumps(pushed.content, indent=1, ensure_ascii=False, sort_keys=True).encode()
        shown = Path(pushed.path).absolute() if pushed.path else session.notebook_path()
        return NotebookDocument(shown, content, "frontend", _kernel_info(pushed.content))
    found = session.find_notebook()
    if found is not None:
        return _from_disk(*found)
    if session.shell is None:
        return None
    content = nbcapture.rebuild_from_history(
        session.executions(), session.shell.history_manager.output_hist
    )
    return NotebookDocument(None, content, "history", _kernel_info(None))


def _from_disk(path: Path, source: str = "disk") -> NotebookDocument:
    content = path.read_bytes()
    try:
        doc = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(
            f"{path} is not a notebook (not valid JSON)", "give the path of an .ipynb file"
        ) from None
    return NotebookDocument(path, content, source, _kernel_info(doc))


def open_store(settings: Mlver, near: Path | None, explicit: str | None = None) -> Store:
    """The store for a notebook (or the current directory), created if there is none."""
    start = near.parent if near else Path.cwd()
    return Store.open(start, explicit=explicit or settings.store_dir, create=True)


@dataclass
class SnapshotRequest:
    message: str = ""
    data: Sequence[str] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    state: list[str] | None = None  # None: no state; []: every picklable user variable
    lineage: bool = True
    notebook: str | None = None
    hash_only: bool = False
    run: RunOutcome | None = None  # how the run went, when this kernel runs one


def run_field(outcome: RunOutcome | None) -> RunSection | None:
    """The record's ``run`` when ``jupyter mlver run`` started this kernel, else None."""
    raw = os.environ.get(records.RUN_ENV)
    try:
        context = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(context, dict):
        return None
    # the context as the runner wrote it (RunContext), and the outcome it passed in
    return cast(RunSection, {**context, "status": "ok", **(outcome or {})})


def take_kernel_snapshot(
    session: KernelSession,
    settings: Mlver,
    request: SnapshotRequest,
    progress: Any = None,
    store_dir: str | None = None,
) -> tuple[Store, SnapshotRecord]:
    """Everything the kernel knows plus what ``take_snapshot`` captures; pending logs and
    lineage are consumed only when the record is stored. ``store_dir`` overrides where
    the store is found (``--store``)."""
    with session.lineage.paused():  # our own reads and writes are not the experiment's
        doc = notebook_document(session, request.notebook)
        store = open_store(settings, doc.path if doc else None, store_dir)
        try:
            record = _snapshot(session, settings, request, doc, store, progress)
        except BaseException:
            store.close()
            raise
        return store, record


def _snapshot(
    session: KernelSession,
    settings: Mlver,
    request: SnapshotRequest,
    doc: NotebookDocument | None,
    store: Store,
    progress: Any,
) -> SnapshotRecord:
    nb_rel = store.relpath(doc.path) if doc and doc.path else None
    parent = store.index.latest(nb_rel)
    restarted = None
    # The parent is read (it may list thousands of files) only when this kernel did not take it.
    if parent is not None and session.shell is not None and parent not in session.taken:
        previous = (store.get(parent).get("execution") or {}).get("session")
        restarted = parent if previous and previous != session.id else None
    execution = None
    declared: dict[str, Any] = {}
    if session.shell is not None:
        notebook_json = json.loads(doc.content) if doc else None
        executions = session.executions()
        execution = nbcapture.analyse_execution(
            executions, notebook_json, restarted, session=session.id
        )
        if notebook_json is not None:
            declared, unread = notebook_parameters(
                notebook_json, [(ex.cell_id, ex.source) for ex in executions]
            )
            # A value logged with --param stands in for one that could not be read.
            unread = [n for n in unread if n not in session.params and n not in request.params]
            if unread:
                execution["warnings"].append(skipped_warning(unread))
    variables = session.user_variables()
    state = skipped = None
    if request.state is not None:
        state, skipped = nbcapture.pickle_state(
            variables, request.state or None, Redactor(), DEFAULT_STATE_MAX_BYTES
        )
    lineage: list[tuple[Path, str]] = []
    if request.lineage and settings.lineage:
        notebook_file = doc.path if doc else None
        drained = [(p, role) for p, role in session.lineage.drain(store.root) if p != notebook_file]
        # What was read earlier in this kernel still shapes its state, so inputs accumulate
        # over the session; outputs are what was written since the last snapshot.
        session.inputs.update(dict.fromkeys(p for p, role in drained if role == "input"))
        lineage = [(p, "input") for p in session.inputs if p.is_file()]
        lineage += [(p, role) for p, role in drained if role == "output"]
    metrics = session.pending_metrics()
    for key, value in request.metrics.items():
        series = [*session.metrics.get(key, []), *(value if isinstance(value, list) else [value])]
        metrics[key] = series[0] if len(series) == 1 else series
    options = SnapshotOptions(
        message=request.message,
        data=list(request.data),
        params={**declared, **session.params, **request.params},
        metrics=metrics,
        tags=list(request.tags),
        hash_only=request.hash_only or settings.hash_only,
        env_vars=settings.env_vars,
        git_limits=settings.git_limits,
        run=run_field(request.run),
    )
    capture = KernelCapture(
        notebook=doc,
        execution=execution,
        namespace=nbcapture.summarize_namespace(variables) if session.shell else None,
        state=state,
        state_skipped=skipped,
        lineage=lineage,
    )
    try:
        record = take_snapshot(store, options, capture, progress=progress)
    except BaseException:
        session.lineage.restore([(p, r) for p, r in lineage if r == "output"])
        raise
    session.params.clear()
    session.metrics.clear()
    session.taken.add(record["id"])
    session.latest = record["id"]
    return record
