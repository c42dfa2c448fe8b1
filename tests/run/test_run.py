"""`core.run`: a notebook executed once per grid point in real kernels, with papermill and
without it, each run one snapshot."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_mlver.core.records import Record
from jupyter_mlver.core.runs.sweep import (
    FAILED,
    OK,
    RunEvent,
    RunOptions,
    RunResult,
    run_notebook,
)
from jupyter_mlver.core.store.store import Store
from jupyter_mlver.notebook.executor import execute_run
from tests.test_records import validate

TIMED = [
    "import time\nt0 = time.time()\n%mlver log t0={t0}",
    "time.sleep(2)\nt1 = time.time()\n%mlver log t1={t1}",
]


def write(path: Path, cells: list[str], params: str = "lr = 0.1\ndepth = 1\n") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    first = nbformat.v4.new_code_cell(params)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


@pytest.fixture(autouse=True)
def _ipython_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def snapshots(store: Store) -> list[dict[str, Any]]:
    """Every snapshot, each checked against the record schema (its run field too)."""
    rows, _ = store.index.snapshots(limit=None)
    out = [store.get(r.id) for r in rows]
    for record in out:
        validate(record, "snapshot")
    return out


def record_of(store: Store, run: RunResult) -> Record:
    """The snapshot a run took (every run here takes one)."""
    assert run.snapshot is not None
    return store.get(run.snapshot)


@pytest.mark.parametrize("engine", ["papermill", "nbclient"])
def test_a_2x2_sweep_gives_four_snapshots_two_kernels_at_a_time(
    project: Path, store: Store, engine: str
) -> None:
    notebook = write(
        project / "train.ipynb",
        ["%load_ext jupyter_mlver", "score = lr * depth\n%mlver log score={score}", *TIMED],
    )
    events: list[RunEvent] = []
    options = RunOptions(
        params={"seed": 7},
        sweep={"lr": [0.1, 0.2], "depth": [1, 3]},
        jobs=2,
        metric="score",
        engine=engine,
        output=project / "out",
    )
    result = run_notebook(store, notebook, options, execute_run, events.append)

    assert [r.status for r in result.runs] == [OK] * 4
    records = {r["id"]: r for r in snapshots(store)}
    assert len(records) == 4
    for run in result.runs:
        record = records[run.snapshot]
        assert record["params"] == run.params
        assert run.params["seed"] == 7
        assert record["metrics"]["score"] == pytest.approx(run.params["lr"] * run.params["depth"])
        assert run.metrics == record["metrics"]
        assert record["notebook"]["path"] == f"out/{run.output.name}"
        assert record["run"]["status"] == OK
        assert record["run"]["point"] == run.index
        assert record["run"]["notebook"] == "train.ipynb"
        executed = json.loads(store.objects.get_bytes(record["notebook"]["hash"]))
        cells = executed["cells"]
        injected = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
        assert len(injected) == 1
        assert f"lr = {run.params['lr']}" in "".join(injected[0]["source"])
        assert run.output.is_file()
    assert len({r["run"]["sweep"] for r in records.values()}) == 1
    best = [(r.params["lr"], r.params["depth"]) for r in result.ranked()]
    assert best == [(0.2, 3), (0.1, 3), (0.2, 1), (0.1, 1)]

    # Two kernels at once, never three: the intervals each kernel spent between its two
    # timestamps overlap pairwise, and no instant is inside three of them.
    spans = [(r.metrics["t0"], r.metrics["t1"]) for r in result.runs]
    overlapping = [
        (a, b) for a, b in itertools.combinations(spans, 2) if max(a[0], b[0]) < min(a[1], b[1])
    ]
    assert overlapping, spans
    for a, b, c in itertools.combinations(spans, 3):
        assert max(a[0], b[0], c[0]) >= min(a[1], b[1], c[1]), spans
    kinds = {e.kind for e in events}
    assert kinds == {"started", "cell", "finished"}
    assert [e.cell for e in events if e.kind == "cell" and e.run.index == 1] == [1, 2, 3, 4, 5, 6]


def test_a_failing_point_is_recorded_as_failed_and_the_others_complete(
    project: Path, store: Store
) -> None:
    notebook = write(
        project / "train.ipynb",
        [
            "%load_ext jupyter_mlver",
            "%mlver log --param stage=before",
            "assert depth != 2, f'depth {depth} diverged'",
            "%mlver log acc={depth / 10}",
        ],
    )
    options = RunOptions(sweep={"depth": [1, 2, 3]}, metric="acc", output=project / "out")
    result = run_notebook(store, notebook, options, execute_run)

    assert [r.status for r in result.runs] == [OK, FAILED, OK]
    assert len(snapshots(store)) == 3
    failed = result.runs[1]
    assert failed.error is not None
    assert failed.error["error"] == "AssertionError: depth 2 diverged"
    assert failed.error["cell"] == 4  # the injected cell counts: parameters, injected, ...
    record = record_of(store, failed)
    assert record["run"]["status"] == FAILED
    assert record["run"]["cell"] == 4
    assert record["run"]["error"] == "AssertionError: depth 2 diverged"
    assert record["params"] == {"lr": 0.1, "depth": 2, "stage": "before"}
    assert "failed" in record["message"]
    assert record["metrics"] == {}
    for run in (result.runs[0], result.runs[2]):
        assert record_of(store, run)["metrics"] == {"acc": run.params["depth"] / 10}
    assert [r.index for r in result.ranked()] == [3, 1, 2]


@pytest.mark.parametrize("engine", ["papermill", "nbclient"])
def test_a_failure_without_a_traceback_keeps_the_kernels_error(
    project: Path, store: Store, engine: str
) -> None:
    """A missing magic is a UsageError the kernel shows without a traceback: the run keeps
    its type and message, not nbclient's "CellExecutionError"."""
    notebook = write(project / "train.ipynb", ["%load_ext jupyter_mlver", "%nosuchmagic 1"])
    options = RunOptions(output=project / "out", engine=engine)
    (run,) = run_notebook(store, notebook, options, execute_run).runs
    assert run.status == FAILED
    assert run.error is not None
    assert run.error["error"] == "UsageError: Line magic function `%nosuchmagic` not found."
    assert run.error["cell"] == 2  # parameters (nothing injected), load_ext, the magic
    record = store.get(run.snapshot)  # type: ignore[arg-type]
    assert record["run"]["error"] == run.error["error"]
    assert record["run"]["cell"] == 2


def test_a_notebooks_own_snapshot_is_the_runs_and_a_dead_kernel_is_still_recorded(
    project: Path, store: Store
) -> None:
    notebook = write(
        project / "train.ipynb",
        [
            "%load_ext jupyter_mlver",
            "%mlver snapshot -m 'own {depth}' --metric m={depth}",
            "if depth == 2:\n    import os\n    os._exit(3)",
        ],
    )
    options = RunOptions(sweep={"depth": [1, 2]}, output=project / "out", engine="nbclient")
    result = run_notebook(store, notebook, options, execute_run)

    first, second = result.runs
    assert first.status == OK
    assert record_of(store, first)["message"] == "own 1"
    assert second.status == FAILED
    assert second.error is not None
    assert "DeadKernelError" in second.error["error"]
    # the notebook's own snapshot, then the failure recorded without the kernel
    assert len(snapshots(store)) == 3
    dead = record_of(store, second)
    assert dead["run"]["status"] == FAILED
    assert dead["parent"] is not None
    assert store.get(dead["parent"])["message"] == "own 2"
    assert dead["params"] == {"lr": 0.1, "depth": 2}


def test_a_cell_past_the_timeout_fails_its_run_in_a_kernel_that_lives_on(
    project: Path, store: Store
) -> None:
    notebook = write(
        project / "train.ipynb",
        ["%load_ext jupyter_mlver", "%mlver log seen=1", "import time\ntime.sleep(60)"],
    )
    options = RunOptions(output=project / "out", engine="nbclient", timeout=3)
    (run,) = run_notebook(store, notebook, options, execute_run).runs
    assert run.status == FAILED
    assert run.error is not None
    assert run.error["cell"] == 3
    assert run.seconds < 50
    record = record_of(store, run)
    assert record["run"]["status"] == FAILED
    # taken in the interrupted kernel: what the notebook logged before is there
    assert record["metrics"] == {"seen": 1}
    assert record["execution"] is not None
