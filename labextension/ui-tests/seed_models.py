"""Models for the governance table's browser tests, registered from existing snapshots (no
new ones, so the experiments' counts stay):

- "churn": five versions whose acc falls from about 0.9 to 0.8 ("retrain"), production forced
  onto the last one, which came from ``drift.ipynb``'s second snapshot (its data/train.csv);
- "credit": three versions (acc about 0.8, 0.86, 0.83), deployed as "credit-eu" with version 2
  stable and version 3 a 20% canary: the canary's acc is worse ("roll back"). Only the
  deployment's events are written: the browser tests run no containers.

The quickstart's "wine" (two versions, accuracy rising) is the "ok" row.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlver.core.deploy import events
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.store.index.db import SnapshotRow
from jupyter_mlver.core.store.store import Store


def _closest(rows: list[SnapshotRow], target: float) -> str:
    return min(rows, key=lambda r: abs(float(r.summary["metrics"]["acc"]) - target)).id


def _register(store: Store, name: str, snapshots: list[str], production: dict[int, bool]) -> None:
    """Versions 1.. of ``name`` from ``snapshots``, gated by acc; production moved onto the
    versions in ``production`` (True: forced, with a reason)."""
    artifact = store.root / "models" / f"{name}.bin"
    artifact.parent.mkdir(exist_ok=True)
    for i, snapshot in enumerate(snapshots, start=1):
        artifact.write_bytes(f"{name} model {i}\n".encode())
        prepared = prepare_path(store, artifact, "file")
        forced = production.get(i, False)
        try:
            registry.register(
                store,
                prepared,
                RegistrationOptions(
                    name,
                    gate=Gate("acc"),
                    description=f"{name} {i}",
                    aliases=["production"] if i in production else [],
                    force=forced,
                    reason="browser-test seed: a worse version in production" if forced else None,
                ),
                snapshot=snapshot,
            )
        finally:
            prepared.cleanup()


def seed_models(store: Store) -> None:
    sweep, _ = store.index.snapshots(notebook="sweep.ipynb")
    (drifted,), _ = store.index.snapshots(q="drift: train v2")
    churn = [_closest(sweep, acc) for acc in (0.9, 0.88, 0.86, 0.84)] + [drifted.id]
    _register(store, "churn", churn, {1: False, 5: True})
    _register(store, "credit", [_closest(sweep, acc) for acc in (0.8, 0.86, 0.83)], {2: False})
    stable = registry.resolve(store, "credit:2")
    canary = registry.resolve(store, "credit:3")
    common: dict[str, Any] = {"deployment": "credit-eu", "port": 18080, "stable": 2}
    events.append(store, event="deployed", model=stable, weight=100, **common)
    events.append(store, event="canary", model=canary, weight=20, **common)
