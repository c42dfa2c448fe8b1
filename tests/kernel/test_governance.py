"""%mlver model health through a real kernel: the table inline, as text and HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.kernel.conftest import write_notebook


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
    assert "<table>" in html
    assert ">retrain</span>" in html
    assert "auc is falling" in html
    out = k.run("%mlver model health nope")
    said = out["stderr"] + json.dumps(out["error"] or {})
    assert "no model named 'nope'" in said
    assert "Traceback" not in out["stderr"]
