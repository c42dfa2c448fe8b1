"""One run of ``jupyter mlver run`` (``core.run`` plans the grid and calls this for each
point): a notebook with its parameters injected, executed in a fresh kernel of the current
environment, and the snapshot that records it.

Parameters are injected as papermill does: a cell tagged ``injected-parameters`` after the
cell tagged ``parameters`` (or first), replacing an earlier injected cell. papermill itself
executes the notebook when it is installed; otherwise nbclient does, with the same cell
convention. Either way the kernel is ours (one ``AsyncKernelManager`` the engine borrows),
so that, outside the notebook's history, the runner loads the extension before the first
cell and asks the kernel for the run's snapshot after the last (or failing) one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from ..core.capture.parameters import INJECTED_TAG, PARAMETERS_TAG, notebook_parameters
from ..core.records import RUN_ENV, RUN_MARKER, KernelInfo, RunOutcome, RunSection, SnapshotRecord
from ..core.runs.sweep import Outcome, RunSpec
from ..core.snapshot.take import KernelCapture, NotebookDocument, SnapshotOptions, take_snapshot
from ..core.store.store import Store

BEGIN = "import jupyter_mlver.notebook.run_hook as _mlver_run\n_mlver_run.begin(get_ipython())"
FINISH = (
    "import jupyter_mlver.notebook.run_hook as _mlver_run\n"
    "_mlver_run.finish(get_ipython(), {message!r}, {outcome!r})\ndel _mlver_run"
)
#: Seconds the kernel gets to start, and to take the final snapshot.
START_TIMEOUT = 120
FINISH_TIMEOUT = 600

CellHook = Callable[[int, int], None]  # (code cells started, code cells in all)


class _CurrentEnvironment(KernelSpecManager):
    """Every kernel name means an IPython kernel of the Python running us."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version.split()[0]} ({sys.prefix})",
            language="python",
            metadata={"debugger": True},
        )


class RunKernelManager(AsyncKernelManager):
    """A kernel of the current environment, started in ``cwd`` with ``env``; what it
    prints outside cells goes to a scratch file (the tail explains a kernel that died)."""

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        super().__init__(kernel_name="python3", kernel_spec_manager=_CurrentEnvironment())
        self.run_cwd = str(cwd)
        self.run_env = dict(env)
        self.console = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the run)

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        kw.update(cwd=self.run_cwd, env=self.run_env, stdout=self.console, stderr=self.console)
        await super().start_kernel(**kw)

    def kill_now(self) -> None:
        """From any thread (Ctrl-C): the kernel process ends at once."""
        process = getattr(self.provisioner, "process", None)
        with contextlib.suppress(Exception):
            if process is not None:
                process.kill()

    def console_tail(self, limit: int = 600) -> str:
        self.console.seek(0, os.SEEK_END)
        self.console.seek(max(0, self.console.tell() - limit))
        return self.console.read().decode("utf-8", "replace").strip()


def inject_parameters(nb: Any, params: Mapping[str, Any]) -> Any:
    """papermill's convention for a Python kernel, for when papermill is not installed."""
    if not params:
        return nb
    code = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in params.items())
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["tags"] = [INJECTED_TAG]

    def first(tag: str) -> int:
        return next(
            (i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])),
            -1,
        )

    injected, declared = first(INJECTED_TAG), first(PARAMETERS_TAG)
    if injected >= 0:
        nb.cells[injected] = cell
    else:
        nb.cells.insert(declared + 1, cell)
    return nb


def _last_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [""])[-1]


def prepare(notebook: Path, params: Mapping[str, Any]) -> Any:
    """The notebook as it will run (without papermill)."""
    return inject_parameters(nbformat.read(notebook, as_version=4), params)


def _failure(index: int | None, count: Any, ename: str, evalue: str) -> dict[str, Any]:
    out: dict[str, Any] = {"error": f"{ename}: {evalue}"[:1000]}
    if index is not None:
        out["cell"] = index
    if isinstance(count, int):
        out["execution_count"] = count
    return out


def _run_in_kernel(km: RunKernelManager, code: str, timeout: float) -> str:
    """Execute ``code`` outside the history; its stdout."""
    scratch = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code)
    scratch.cells = [cell]
    client = NotebookClient(scratch, km=km, timeout=timeout, startup_timeout=START_TIMEOUT)
    try:
        with client.setup_kernel():
            client.execute_cell(cell, 0, store_history=False)
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    return "".join(
        o.get("text", "")
        for o in cell.outputs
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def _execute(
    km: RunKernelManager,
    notebook: Path,
    output: Path,
    params: Mapping[str, Any],
    engine: str,
    timeout: float | None,
    on_cell: CellHook,
) -> dict[str, Any] | None:
    """Run the notebook's cells; the failure, or None. The output notebook is written
    before the first cell and after each one (a snapshot cell records it as it is)."""
    nb = nbformat.read(notebook, as_version=4)
    spec = nb.metadata.get("kernelspec") or {}
    # nbclient starts only code cells with code in them
    total = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    total += 1 if params else 0
    started = [0]
    current: list[int | None] = [None]
    raised: list[dict[str, Any]] = []  # the kernel's own error of the failing cell

    def cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        current[0] = cell_index
        if cell.cell_type == "code":
            started[0] += 1
            on_cell(started[0], total)

    def cell_error(cell: Any, cell_index: int, execute_reply: Any, **_: Any) -> None:
        # The reply names the exception as the kernel raised it, also when the cell shows
        # no traceback (a UsageError, a missing magic), where papermill and nbclient only
        # know "CellExecutionError".
        content = (execute_reply or {}).get("content") or {}
        ename, evalue = content.get("ename") or "Error", content.get("evalue") or ""
        raised[:] = [_failure(cell_index, cell.get("execution_count"), ename, evalue)]

    hooks = {
        "on_cell_start": cell_start,
        "on_cell_error": cell_error,
        "timeout": timeout,
        "interrupt_on_timeout": True,
    }
    try:
        if engine == "papermill":
            import papermill
            from papermill.exceptions import PapermillExecutionError

            try:
                papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=dict(params),
                    kernel_name=spec.get("name") or "python3",
                    language="python",
                    progress_bar=False,
                    km=km,
                    **hooks,
                )
            except PapermillExecutionError as e:
                return (
                    raised[-1]
                    if raised
                    else _failure(e.cell_index, e.exec_count, e.ename, e.evalue)
                )
            return None
        nb = inject_parameters(nb, params)
        nbformat.write(nb, output)

        def save(**_: Any) -> None:
            nbformat.write(nb, output)

        client = NotebookClient(nb, km=km, on_cell_executed=save, **hooks)
        try:
            client.execute()
        except CellExecutionError as e:
            return raised[-1] if raised else _failure(current[0], None, e.ename, e.evalue)
        finally:
            save()
            if client.kc is not None:
                client.kc.stop_channels()
        return None
    except Exception as e:  # a kernel that died or timed out, a notebook papermill refuses
        return _failure(current[0], None, type(e).__name__, _last_line(e))


def _kernel_info(notebook: Mapping[str, Any]) -> KernelInfo:
    spec = (notebook.get("metadata") or {}).get("kernelspec") or {}
    return {"name": spec.get("name") or "python3", "language": spec.get("language") or "python"}


def record_without_kernel(
    store_dir: Path, output: Path, message: str, run: RunSection
) -> SnapshotRecord:
    """The run's snapshot when its kernel is gone: the executed notebook and the
    parameters it declares, the environment of this (the same) Python."""
    content = output.read_bytes()
    doc = json.loads(content)
    params, _ = notebook_parameters(doc)
    with Store.open(explicit=store_dir) as store:
        return take_snapshot(
            store,
            SnapshotOptions(message=message, params=params, run=run),
            KernelCapture(notebook=NotebookDocument(output, content, "disk", _kernel_info(doc))),
        )


def execute_run(spec: RunSpec) -> Outcome:
    """Execute one point of a sweep and make sure it ends as a snapshot; ``spec.live``
    holds the kernel manager while it runs (to be killed on Ctrl-C)."""
    store_dir, notebook, output, params = spec.store_dir, spec.notebook, spec.output, spec.params
    context, message, live = spec.context, spec.message, spec.live
    env = {
        **os.environ,
        "MLVER_STORE": str(store_dir),
        RUN_ENV: json.dumps(dict(context)),
        # the output notebook is this kernel's document: its snapshots record it
        "JPY_SESSION_NAME": str(output),
    }
    km = RunKernelManager(notebook.parent, env)
    live.add(km)
    try:
        try:
            _run_in_kernel(km, BEGIN, START_TIMEOUT)
        except Exception as e:
            failure: dict[str, Any] | None = _failure(
                None, None, "the kernel did not start", _last_line(e)
            )
        else:
            failure = _execute(
                km, notebook, output, params, spec.engine, spec.timeout, spec.on_cell
            )
        if not output.is_file():  # a run that failed before any cell: record what was to run
            nbformat.write(prepare(notebook, params), output)
        # failure: {error[, cell][, execution_count]} (_failure), as the record's run has them
        outcome = cast(RunOutcome, {"status": "failed", **failure} if failure else {"status": "ok"})
        if failure:
            message = f"{message} failed: {failure['error'][:200]}"
        answer: dict[str, Any] = {}
        if run_sync(km.is_alive)():
            code = FINISH.format(message=message, outcome=outcome)
            with contextlib.suppress(Exception):
                text = _run_in_kernel(km, code, FINISH_TIMEOUT)
                for line in text.splitlines():
                    if line.startswith(RUN_MARKER):
                        answer = json.loads(line[len(RUN_MARKER) :])
        elif failure is not None:
            failure["kernel_output"] = km.console_tail()
        # The kernel could not record the outcome (it names why): record it from here.
        snapshot = None if answer.get("error") else answer.get("snapshot")
        if snapshot is None:
            record = record_without_kernel(store_dir, output, message, {**context, **outcome})
            snapshot = record["id"]
        return Outcome(outcome["status"], snapshot, failure)
    finally:
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        live.discard(km)
        km.console.close()
