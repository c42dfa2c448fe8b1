"""A model for the governance table's browser tests: "churn", five versions registered from
existing snapshots (no new ones, so the experiments' counts stay) whose accuracy falls from
about 0.9 to 0.8 — the Models tab recommends "retrain" — with production forced onto the
last one, which came from ``drift.ipynb``'s second snapshot (its data/train.csv recorded).
The quickstart's "wine" (two versions, accuracy rising) is the "ok" row.
"""

from __future__ import annotations

from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.store import Store

TARGETS = (0.9, 0.88, 0.86, 0.84)


def seed_models(store: Store) -> None:
    sweep, _ = store.index.snapshots(notebook="sweep.ipynb")
    chosen = []
    for target in TARGETS:
        best = min(sweep, key=lambda r: abs(float(r.summary["metrics"]["acc"]) - target))
        chosen.append(best.id)
    (last,), _ = store.index.snapshots(q="drift: train v2")
    chosen.append(last.id)
    artifact = store.root / "models" / "churn.bin"
    artifact.parent.mkdir(exist_ok=True)
    for i, snapshot in enumerate(chosen):
        artifact.write_bytes(f"churn model {i + 1}\n".encode())
        prepared = prepare_path(store, artifact, "file")
        try:
            final = i == len(chosen) - 1
            registry.register(
                store,
                "churn",
                prepared,
                snapshot=snapshot,
                gate=Gate("acc"),
                description=f"churn {i + 1}",
                aliases=["production"] if final or i == 0 else [],
                force=final,
                reason="browser-test seed: a worse version in production" if final else None,
            )
        finally:
            prepared.cleanup()
