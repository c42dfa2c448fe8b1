"""core/reproduce/ and `jupyter mlver reproduce`: pure parts, then real kernels and a real
Docker engine (the quickstart reproduces; an unseeded random metric does not)."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any, cast

import nbformat
import pytest

from jupyter_mlver.core.records import SnapshotRecord
from jupyter_mlver.core.reproduce.container import PROJECT, build_run_archive
from jupyter_mlver.core.reproduce.reproduce import (
    MetricRow,
    ReproduceResult,
    compare_metrics,
    run_values,
)
from jupyter_mlver.core.store.store import Store
from jupyter_mlver.views.compare import html as html_compare
from jupyter_mlver.views.compare.text import reproduction as format_reproduction
from tests.kernel.conftest import Kernel
from tests.kernel_venv import REPO, execute_notebook
from tests.support import CLI, git
from tests.test_records import validate

from .conftest import Make, data_entry

# -- comparing ---------------------------------------------------------------------------


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    """A regular file's bytes from an archive."""
    f = tar.extractfile(name)
    assert f is not None, f"{name} is not a file in the archive"
    return f.read()


def statuses(rows: list[MetricRow]) -> dict[str, str]:
    return {r.key: r.status for r in rows}


def test_compare_metrics_statuses() -> None:
    rows = compare_metrics(
        {"acc": 0.9, "loss": [0.5, 0.3], "n": 100, "flag": True, "name": "rf", "gone": 1.0},
        {
            "acc": 0.9 + 1e-12,
            "loss": [0.5, 0.3],
            "n": 100.0,
            "flag": 1,
            "name": "rf",
            "extra": 2,
        },
    )
    assert statuses(rows) == {
        "acc": "within",  # 1e-12 apart: within the default relative 1e-9
        "extra": "new",
        "flag": "differs",  # a bool is not the number 1
        "gone": "missing",
        "loss": "identical",
        "n": "within",  # 100 and 100.0: equal numbers, not the same JSON
        "name": "identical",
    }
    assert [r.key for r in rows if not r.ok] == ["flag", "gone"]


def test_tolerances_and_series() -> None:
    assert statuses(compare_metrics({"a": 1.0}, {"a": 1.001}))["a"] == "differs"
    assert statuses(compare_metrics({"a": 1.0}, {"a": 1.001}, rel=1e-2))["a"] == "within"
    assert statuses(compare_metrics({"a": 0.0}, {"a": 1e-12}))["a"] == "differs"
    assert statuses(compare_metrics({"a": 0.0}, {"a": 1e-12}, abs_=1e-9))["a"] == "within"
    row = compare_metrics({"s": [1.0, 2.0]}, {"s": [1.0, 2.5]})[0]
    assert row.status == "differs"
    assert row.delta == pytest.approx(0.5)
    assert compare_metrics({"s": [1.0, 2.0]}, {"s": [1.0, 2.0, 3.0]})[0].status == "differs"


def snap(message: str, metrics: dict[str, Any], code: str | None = "c") -> dict[str, Any]:
    return {"message": message, "params": {}, "metrics": metrics, "last_code_hash": code}


def _original(message: str, code: str) -> SnapshotRecord:
    """Only what run_values reads."""
    fields = {"message": message, "params": {}, "execution": {"cells": [{"code_hash": code}]}}
    return cast(SnapshotRecord, fields)


def test_run_values_pick_the_snapshot_matching_the_original() -> None:
    collected = {
        "snapshots": [snap("baseline", {"acc": 0.8}, "h1"), snap("deeper", {"acc": 0.9}, "h2")],
        "pending": {"params": {}, "metrics": {"late": 1}},
    }
    original = _original("baseline", "h1")
    _, metrics, how = run_values(original, collected)
    assert metrics == {"acc": 0.8}
    assert "1 of 2" in how
    original = _original("deeper", "h2")
    assert run_values(original, collected)[1] == {"acc": 0.9, "late": 1}
    # Snapshotted from outside the notebook (the panel): only what was logged.
    none = {"snapshots": [], "pending": {"params": {"lr": 1}, "metrics": {"acc": 0.7}}}
    assert run_values(original, none)[:2] == ({"lr": 1}, {"acc": 0.7})


def test_run_archive_holds_the_notebook_and_stored_data(store: Store, make_snapshot: Make) -> None:
    data = store.objects.put_bytes(b"1,2\n")
    rec = make_snapshot(
        notebook=b'{"cells": []}',
        data=[
            data_entry("data/x.csv", data, 4),
            data_entry("data/big.bin", "f" * 64, 9, stored=False),
            data_entry("/elsewhere/y.csv", data, 4),
        ],
    )
    notes: list[str] = []
    archive, nb_path = build_run_archive(store, cast(SnapshotRecord, rec), 60, notes)
    assert nb_path == f"{PROJECT}/nb.ipynb"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = tar.getnames()
        manifest = json.loads(_member(tar, "mlver-run/manifest.json"))
        copied = _member(tar, f"mlver-run/{manifest['files'][1]['src']}")
    assert {"mlver-run/runner.py", "mlver-run/notebook.ipynb"} <= set(names)
    assert [f["dest"] for f in manifest["files"]] == [nb_path, f"{PROJECT}/data/x.csv"]
    assert copied == b"1,2\n"
    assert notes
    assert "data/big.bin (--hash-only)" in notes[0]
    assert "/elsewhere/y.csv" in notes[0]


def test_text_and_html_views() -> None:
    result = ReproduceResult(
        "a" * 64, "proj:abc", "sha256:1", False, 1e-9, 0.0,
        rows=compare_metrics({"acc": 0.9, "loss": 0.3}, {"acc": 0.9, "loss": 0.33}),
        reproduction="b" * 64,
    )  # fmt: skip
    text = format_reproduction(result)
    assert "DOES NOT REPRODUCE (1 metric(s) differ)" in text
    loss = next(line for line in text.splitlines() if line.strip().startswith("loss"))
    assert "0.3" in loss
    assert "0.33" in loss
    assert "NO" in loss
    assert "+10 %" in loss
    assert "jupyter mlver diff aaaaaaaaaaaa bbbbbbbbbbbb" in text
    assert "var(--jp-error-color1)" in html_compare.reproduction(result)


# -- for real: a kernel, a Docker engine -------------------------------------------------

RANDOM_NOTEBOOK = [
    "%load_ext jupyter_mlver",
    "import random\nimport jupyter_mlver\nscore = random.random()",
    "jupyter_mlver.log(score=score, fixed=42)",
    '%mlver snapshot -m "unseeded"',
]


@pytest.fixture
def repro_project(tmp_path: Path, image_prefix: str) -> Path:
    """The quickstart notebook and its data, plus a notebook with an unseeded random
    metric, in a git repository; images named under the session's prefix."""
    root = tmp_path / "repro"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "quickstart.ipynb", root / "quickstart.ipynb")
    shutil.copy(REPO / "notebooks" / "data" / "wine.csv", root / "data" / "wine.csv")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in RANDOM_NOTEBOOK]
    nbformat.write(nb, root / "random.ipynb")
    (root / "jupyter_mlver_config.json").write_text(
        json.dumps({"Mlver": {"image_prefix": image_prefix}})
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "notebooks")
    return root


def reproduce(cli: CLI, *args: str) -> tuple[int, dict[str, Any], str]:
    proc = cli("reproduce", *args, "--json", check=False)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


@pytest.mark.slow
def test_quickstart_reproduces_with_identical_metrics(
    repro_project: Path, kernel_python: Path, base_image: str
) -> None:
    execute_notebook(kernel_python, repro_project / "quickstart.ipynb")
    cli = CLI(repro_project)
    with Store.open(repro_project) as store:
        rows, total = store.index.snapshots(notebook="quickstart.ipynb")
        assert total == 2
        deeper, baseline = (store.get(r.id) for r in rows)
    assert baseline["params"]["max_depth"] == 2
    assert deeper["params"]["max_depth"] == 4

    # The first of the notebook's two snapshots: the run's matching snapshot is found.
    code, out, log = reproduce(cli, baseline["id"][:12], "--base", base_image)
    assert code == 0, (out, log)
    assert out["reproduced"] is True
    assert out["error"] is None
    assert {m["key"]: m["status"] for m in out["metrics"]} == {
        k: "identical" for k in baseline["metrics"]
    }
    assert {m["key"]: m["reproduced"] for m in out["metrics"]} == baseline["metrics"]
    assert "cell 1/" in log  # progress from inside the container

    with Store.open(repro_project) as store:
        run = store.get(out["reproduction"])
        executed = json.loads(store.objects.get_bytes(run["notebook"]["hash"]))
    assert run["parent"] == baseline["id"]
    assert run["metrics"] == baseline["metrics"]
    assert run["reproduction"]["of"] == baseline["id"]
    assert run["reproduction"]["reproduced"]
    assert run["data"] == baseline["data"]
    validate(run, "snapshot")
    # The kept notebook is the executed one: its cells have outputs.
    assert any(c.get("outputs") for c in executed["cells"] if c["cell_type"] == "code")

    # The second one, in the image just built (--image: no build at all).
    text = cli("reproduce", deeper["id"][:12], "--image", out["image"]).stdout
    assert text.splitlines()[0].endswith("reproduced (2 metric(s) within the tolerance)")
    assert "accuracy" in text
    assert "yes (identical)" in text


@pytest.mark.slow
def test_unseeded_random_metric_does_not_reproduce(
    repro_project: Path, kernel_python: Path, base_image: str
) -> None:
    execute_notebook(kernel_python, repro_project / "random.ipynb")
    cli = CLI(repro_project)
    with Store.open(repro_project) as store:
        original = store.get(store.resolve("HEAD"))
    recorded = original["metrics"]["score"]
    assert isinstance(recorded, float)

    code, out, _ = reproduce(cli, "HEAD", "--base", base_image)
    assert code == 1
    assert out["reproduced"] is False
    assert out["error"] is None
    rows = {m["key"]: m for m in out["metrics"]}
    assert rows["fixed"]["status"] == "identical"
    score = rows["score"]
    assert score["status"] == "differs"
    assert score["within_tolerance"] is False
    assert score["recorded"] == recorded
    assert score["reproduced"] != recorded
    assert score["delta"] == pytest.approx(score["reproduced"] - recorded)

    # The text says what differs; exit 1 all the same.
    proc = cli("reproduce", original["id"][:12], "--image", out["image"], check=False)
    assert proc.returncode == 1
    assert "DOES NOT REPRODUCE (1 metric(s) differ)" in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith("score"))
    assert "NO" in line
    assert f"{recorded:.6g}" in line
    # A generous tolerance accepts any two values in [0, 1).
    loose = cli("reproduce", original["id"][:12], "--image", out["image"], "--abs-tolerance", "1")
    assert loose.returncode == 0

    # The same inline: %mlver reproduce in a (host) kernel streams progress into the cell
    # and returns the verdict with the table.
    kernel = Kernel(repro_project, {**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        kernel.ok("%load_ext jupyter_mlver")
        inline = kernel.ok(f"%mlver reproduce {original['id'][:12]} --image {out['image']}")
    finally:
        kernel.close()
    assert "cell 1/4: %load_ext jupyter_mlver" in inline["stdout"]
    shown = inline["results"][-1]
    assert "DOES NOT REPRODUCE (1 metric(s) differ)" in shown["text/plain"]
    assert "jp-mlver-reproduce" in shown["text/html"]

    # A notebook that runs on the host but fails in the container: the failing cell is
    # named, the recorded metrics are all "not logged", the attempt is kept.
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(s)
        for s in (
            "%load_ext jupyter_mlver",
            "import os\nassert not os.path.isdir('/home/mlver/project'), 'in the container'",
            "%mlver log acc=1.0",
            '%mlver snapshot -m "host only"',
        )
    ]
    nbformat.write(nb, repro_project / "fragile.ipynb")
    execute_notebook(kernel_python, repro_project / "fragile.ipynb")
    code, failed, _ = reproduce(cli, "HEAD", "--image", out["image"])
    assert code == 1
    assert failed["reproduced"] is False
    assert failed["error"]["kind"] == "cell"
    assert "cell 2 raised AssertionError: in the container" in failed["error"]["message"]
    assert [(m["key"], m["status"]) for m in failed["metrics"]] == [("acc", "missing")]
    with Store.open(repro_project) as store:
        attempt = store.get(failed["reproduction"])
    assert attempt["reproduction"]["error"] == failed["error"]
    assert "failed: cell 2 raised AssertionError" in attempt["message"]


def test_reproduce_needs_a_notebook(cli: CLI) -> None:
    cli("snapshot", "-m", "from the command line", "--metric", "acc=0.9")
    proc = cli("reproduce", "HEAD", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("jupyter mlver: error: snapshot ")
    assert "has no notebook" in proc.stderr
