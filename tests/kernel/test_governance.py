"""%mlver model health through a real kernel: the table inline, as text and HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.kernel.conftest import write_notebook
from tests.support import CLI


def test_model_health_magic(project: Path, start_kernel: Any) -> None:
    path = project / "nb.ipynb"
    write_notebook(path, ["%load_ext jupyter_mlver"])
    k = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver")
    for auc in (0.9, 0.85, 0.8):
        k.ok(f"weights = {{'w': [1, 2], 'auc': {auc}}}")
        k.ok(f"%mlver snapshot -m 'auc {auc}' --metric auc={auc}")
        k.ok("%mlver model register demo weights --gate auc")
    shown = k.ok("%mlver model health")["results"][0]
    assert "demo: retrain: auc is falling" in shown["text/plain"]
    html = shown["text/html"]
    assert "<table" in html
    assert ">retrain</span>" in html
    assert "auc is falling" in html
    out = k.run("%mlver model health nope")
    said = out["stderr"] + json.dumps(out["error"] or {})
    assert "no model named 'nope'" in said
    assert "Traceback" not in out["stderr"]


def test_training_data_the_notebook_wrote_counts(project: Path, start_kernel: Any) -> None:
    """A file written and then read (prepared, then trained on) and a file given with --data
    are training data, though the kernel wrote both: the table shows their age."""
    path = project / "nb.ipynb"
    write_notebook(path, ["%load_ext jupyter_mlver"])
    k = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver")
    k.ok(
        "import pandas as pd\n"
        "pd.DataFrame({'x': [1, 2, 3]}).to_csv('data/prepared.csv', index=False)\n"
        "train = pd.read_csv('data/prepared.csv')\n"
        "with open('data/labels.csv', 'w') as f:\n"
        "    f.write('y\\n0\\n1\\n1\\n')\n"
        "with open('data/predictions.csv', 'w') as f:\n"
        "    f.write('p\\n1\\n')\n"
        "weights = {'w': 1}"
    )
    k.ok("%mlver snapshot -m train --data data/labels.csv --metric auc=0.9")
    k.ok("%mlver model register demo weights --snapshot HEAD")
    cli = CLI(project)
    entries = {d["path"]: d for d in cli.json("show", "HEAD")["data"]}
    assert entries["data/prepared.csv"]["role"] == "output"
    assert entries["data/prepared.csv"]["read"] is True
    assert entries["data/labels.csv"]["role"] == "output"
    assert entries["data/labels.csv"]["tracked"] is True
    assert "read" not in entries["data/predictions.csv"]
    assert "tracked" not in entries["data/predictions.csv"]
    row = cli.json("model", "health", "demo")["models"][0]
    freshness = row["freshness"]
    assert freshness["files"] == 2  # not the predictions: written, never read
    assert freshness["newest_file"] in ("data/labels.csv", "data/prepared.csv")
    assert freshness["data_age_seconds"] is not None
