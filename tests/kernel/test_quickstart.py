"""The quickstart notebook, executed for real with nbclient in a copy of notebooks/."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbclient
import nbformat

from jupyter_mlver.core.hashing import hash_file
from jupyter_mlver.core.store.store import Store
from tests.support import git

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_quickstart_records_two_comparable_snapshots(
    tmp_path: Path, kernel_env: dict[str, str]
) -> None:
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
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(work)}}
    ).execute(env={**kernel_env, "JPY_SESSION_NAME": str(path)})
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors
    with Store.open(work) as store:
        rows, total = store.index.snapshots(notebook="quickstart.ipynb")
        assert total == 2
        new, old = (store.get(r.id) for r in rows)
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
    from jupyter_mlver.core.models import registry

    with Store.open(work) as store:
        assert registry.list_models(store) == [
            {"name": "wine", "latest": 2, "versions": 2, "aliases": {"production": 2}}
        ]
        v1, v2 = (registry.resolve(store, f"wine:{v}") for v in (1, 2))
        assert (v1["snapshot"], v2["snapshot"]) == (old["id"], new["id"])
        assert v1["gate"] == v2["gate"] == {"metric": "accuracy", "higher_is_better": True}
        assert [c["name"] for c in v1["signature"]["inputs"]][:2] == ["alcohol", "malic_acid"]
        events = registry.history(store, "wine")
        assert [(e["version"], e["previous"], e["forced"]) for e in events] == [
            (1, None, False),
            (2, 1, False),
        ]
