"""The quickstart notebook, executed for real with nbclient in a copy of notebooks/: as
saved (opens clean), Run All, Run All again in the same kernel (nothing duplicated), and a
refused promotion failing its cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from jupyter_mlver.core.hashing import hash_file
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.records import GateSpec
from jupyter_mlver.core.store.store import Store
from tests.support import git

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_quickstart_is_saved_as_jupyterlab_would_save_it() -> None:
    """Full ``language_info`` (JupyterLab fills in a partial one when the kernel starts and
    the notebook shows as modified), no outputs, no execution counts."""
    nb = nbformat.read(NOTEBOOKS / "quickstart.ipynb", as_version=4)
    nbformat.validate(nb)
    info = nb.metadata["language_info"]
    assert set(info) == {
        "name", "version", "mimetype", "file_extension", "codemirror_mode", "pygments_lexer",
        "nbconvert_exporter",
    }  # fmt: skip
    assert info["name"] == "python"
    assert info["codemirror_mode"] == {"name": "ipython", "version": 3}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_quickstart_records_two_comparable_snapshots(
    tmp_path: Path, kernel_env: dict[str, str]
) -> None:
    """Run All twice in one kernel: the second run ends without an error, takes two more
    snapshots and registers nothing new; then a refused promotion fails its cell."""
    work = tmp_path / "demo"
    shutil.copytree(
        NOTEBOOKS,
        work,
        ignore=shutil.ignore_patterns(".mlver", "predictions.csv", ".ipynb_checkpoints"),
    )
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "demo")
    path = work / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(work)}}
    )
    with client.setup_kernel(env={**kernel_env, "JPY_SESSION_NAME": str(path)}):
        for run in range(2):  # Run All, then Run All again
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            errors = [
                o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"
            ]
            assert not errors, (run, errors)
            with Store.open(work) as store:
                if run == 0:
                    listed = registry.list_models(store)
                    history = registry.history(store, "wine")
                assert registry.list_models(store) == listed
                assert registry.history(store, "wine") == history
        again = next(c for c in nb.cells if "model register wine model -m" in c.source)
        said = again.outputs[0]["data"]["text/plain"]
        assert said.startswith("wine:2 already has this artifact: nothing registered")
        refused = nbformat.v4.new_code_cell("%mlver model alias wine:1 production")
        with pytest.raises(CellExecutionError) as info:
            client.execute_cell(refused, len(nb.cells))
        assert info.value.ename == "PromotionRefused"
        assert "wine:1 has accuracy=" in info.value.evalue
        assert "Traceback" not in str(info.value)
    with Store.open(work) as store:
        rows, total = store.index.snapshots(notebook="quickstart.ipynb")
        assert total == 4
        new, old = (store.get(r.id) for r in rows[2:])
    assert new["parent"] == old["id"]
    assert old["params"] == {"n_estimators": 10, "max_depth": 2}
    assert new["params"] == {"n_estimators": 10, "max_depth": 4}
    assert set(old["metrics"]) == {"accuracy", "f1"}
    assert 0.8 < new["metrics"]["accuracy"] <= 1
    for rec in (old, new):
        roles = {d["path"]: d["role"] for d in rec["data"]}
        assert roles == {"data/wine.csv": "input", "data/predictions.csv": "output"}
        assert rec["execution"]["warnings"] == []
        assert rec["notebook"]["hash"] == hash_file(path)
    wine = next(d for d in new["data"] if d["path"] == "data/wine.csv")
    assert wine["hash"] == hash_file(work / "data" / "wine.csv")
    # The registry: each model version tied to the snapshot before it, production promoted
    # through the guard (version 2's accuracy is higher).
    with Store.open(work) as store:
        assert registry.list_models(store) == [
            {"name": "wine", "latest": 2, "versions": 2, "aliases": {"production": 2}}
        ]
        v1, v2 = (registry.resolve(store, f"wine:{v}") for v in (1, 2))
        assert (v1["snapshot"], v2["snapshot"]) == (old["id"], new["id"])
        gate: GateSpec = {"metric": "accuracy", "higher_is_better": True}
        assert v1["gate"] == v2["gate"] == gate
        assert v1["signature"] is not None
        assert [c["name"] for c in v1["signature"]["inputs"]][:2] == ["alcohol", "malic_acid"]
        events = registry.history(store, "wine")
        assert [(e["version"], e["previous"], e["forced"]) for e in events] == [
            (1, None, False),
            (2, 1, False),
        ]
