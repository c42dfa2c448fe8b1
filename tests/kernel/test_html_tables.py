"""Every magic with a tabular result renders an HTML ``<table>`` in a real kernel, built from
its result (never the text view in a card), with numbers right-aligned in tabular figures
and JupyterLab's theme variables; the text view stays the ``text/plain``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_mlver.core.deploy import events as ev
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.store.store import Store
from tests.kernel.conftest import write_notebook


def _deployment(project: Path) -> None:
    """A deployment's events (no engine is needed to list them)."""
    with Store.open(project) as store:
        v1, v2 = (registry.resolve(store, f"demo:{v}") for v in (1, 2))
        common: dict[str, Any] = {"deployment": "web", "stable": 1, "port": 18080}
        ev.append(store, event="deployed", model=v1, weight=100, **common)
        ev.append(store, event="canary", model=v2, weight=20, reason="try v2", **common)


def test_every_tabular_magic_renders_a_table(project: Path, start_kernel: Any) -> None:
    path = project / "nb.ipynb"
    write_notebook(path, ["%load_ext jupyter_mlver"])
    k = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver")
    for auc in (0.8, 0.85):
        k.ok(f"weights = {{'auc': {auc}}}\nrows = open('data/train.csv').read()")
        k.ok(f"%mlver snapshot -m 'auc {auc}' --metric auc={auc} --data data/test.csv")
        k.ok("%mlver model register demo weights --snapshot HEAD --gate auc --alias production")
    _deployment(project)
    k.ok(f"%mlver remote add team {project.parent / 'remote'}")
    k.ok("%mlver log acc=0.9")
    tabular = [
        "%mlver list",
        "%mlver show HEAD",
        "%mlver status",
        "%mlver model list",
        "%mlver model history demo",
        "%mlver model health",
        "%mlver deploy history web",
        "%mlver deploy list",
        "%mlver remote list",
        "%mlver env show",
    ]
    for line in tabular:
        shown = k.ok(line)["results"][-1]
        page = shown["text/html"]
        assert '<table class="mlver-table">' in page, (line, page[:300])
        assert "var(--jp-" in page, line
        assert "<pre" not in page, (line, page[:300])  # not the text view in a card
        assert not shown["text/plain"].startswith("<"), line  # the text view, for terminals
    # Numbers in tabular figures: the model list's versions, the deployment's weights.
    listed = k.ok("%mlver model list")["results"][-1]["text/html"]
    assert '<td class="mlver-num">2</td>' in listed
    assert "font-variant-numeric:tabular-nums" in listed
    history = k.ok("%mlver deploy history web")["results"][-1]["text/html"]
    assert '<td class="mlver-num">20%</td>' in history
    assert '<td class="mlver-wide">try v2</td>' in history
    # Results that are not tables are cards of their own, not the text view either.
    for line in ("%mlver model show demo:2", "%mlver tag HEAD best", "%mlver log acc=0.95"):
        page = k.ok(line)["results"][-1]["text/html"]
        assert '<div class="mlver-card">' in page, line
        assert "<pre" not in page, (line, page[:300])
    # The health table's recommendation is a line of its own, not a narrow column.
    health = k.ok("%mlver model health")["results"][-1]["text/html"]
    figures, after = health.split("</table>", 1)
    assert "too few versions with auc for a trend" in after
    assert "too few versions" not in figures
