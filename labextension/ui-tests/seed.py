"""Give the browser tests' server root real snapshots: run the quickstart notebook.

A copy of ``notebooks/quickstart.ipynb`` and its data is executed with nbclient in the
root (as `make lab` users would run it), so the store holds the quickstart's two real
snapshots ("baseline: 10 shallow trees" and "deeper trees", max_depth 2 -> 4); the
baseline is pushed to a local "team" remote. The dashboard's sweep (seed_sweep.py) and
the governance table's falling model (seed_models.py) are added after it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_mlver.core.store.store import Store

REPO = Path(__file__).resolve().parents[2]


def seed(root: Path) -> None:
    if (root / ".mlver" / "objects").is_dir():
        return  # already seeded (a reused root)
    import nbclient
    import nbformat

    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "notebooks" / "data", root / "data", dirs_exist_ok=True)
    path = root / "quickstart.ipynb"
    shutil.copy(REPO / "notebooks" / "quickstart.ipynb", path)
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "MLVER_STORE"}
    env["JPY_SESSION_NAME"] = str(path)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(root)}}
    ).execute(env=env)
    nbformat.write(nb, path)
    if not (root / ".mlver" / "objects").is_dir():
        sys.exit(f"seeding the browser tests' store failed: no store in {root}")
    # The baseline goes to a team remote (a local path), so the panel has a pushed record.
    from jupyter_mlver.core import remote
    from jupyter_mlver.core.store.store import Store

    with Store(root / ".mlver") as store:
        remote.add_remote(store, "team", str(root.parent / f"{root.name}-team-remote"))
        baseline = store.index.snapshots(q="baseline")[0][0].id
        remote.push(store, "team", [baseline])
        from seed_models import seed_models
        from seed_sweep import seed_sweep

        seed_sweep(store, store.get(baseline))
        seed_models(store)
        seed_serving_image(store)


def seed_serving_image(store: Store) -> None:
    """The Image record ``model build wine:2`` writes (built for real in tests/images; the
    panel only shows records, and the browser tests run without a Docker engine)."""
    from jupyter_mlver.core.models import registry

    version = registry.resolve(store, "wine:2")
    snapshot = store.get(version["snapshot"])
    store.put_record(
        {
            "schema": "mlver.image/1",
            "image_id": "sha256:" + "5e" * 32,
            "repo_digests": [],
            "tags": ["wine:2", "wine:production"],
            "base": "ui-root:env-0123456789ab",
            "platform": "linux/amd64",
            "environment": snapshot["environment"],
            "snapshot": snapshot["id"],
            "dockerfile": "0" * 64,
            "lock": "1" * 64,
            "build_log": None,
            "created": version["created"],
            "build_seconds": 3.2,
            "reused": False,
            "model": {"name": "wine", "version": 2, "record": version["id"]},
        }
    )


if __name__ == "__main__":
    seed(Path(sys.argv[1]))
