"""A hyper-parameter sweep for the dashboard's browser tests: 10,000 snapshot records of
``sweep.ipynb`` (older than the quickstart's, so the side panel's first rows stay the
quickstart's), each with params, metrics and a logged loss series, plus two snapshots of
``drift.ipynb`` whose recorded ``data/train.csv`` copies differ (the second shifted), for
the compare view's drift section.

Records are written directly (one object writer, one index transaction), as
benchmarks/bench_api.py does: capturing 10,000 real snapshots would take an hour.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from jupyter_mlver.core import records
from jupyter_mlver.core.store.store import Store

SWEEP = 10_000
START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _time(i: int) -> str:
    return (START + timedelta(minutes=7 * i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _train_csv(rng: random.Random, shift: float) -> bytes:
    lines = ["alcohol,acidity,colour"]
    for _ in range(400):
        colour = "red" if rng.random() < 0.5 + shift / 4 else "white"
        lines.append(f"{rng.gauss(11 + shift, 1):.3f},{rng.gauss(3.2, 0.2):.3f},{colour}")
    return ("\n".join(lines) + "\n").encode()


def seed_sweep(store: Store, template: dict[str, Any]) -> None:
    """Add the sweep and the two drift snapshots; ``template`` is a real snapshot record."""
    rng = random.Random(16)
    base = {k: v for k, v in template.items() if k != "id"}
    base.update(tags=[], execution=None, namespace=None, state=None, git=None, data=[])
    stored: list[dict[str, Any]] = []
    parent = None
    with store.writing(), store.objects.writer() as writer:
        for i in range(SWEEP):
            lr = [0.001, 0.003, 0.01, 0.03, 0.1][i % 5]
            depth = 2 + (i // 5) % 8
            acc = 0.6 + 0.3 * (1 - math.exp(-depth / 4)) - 2 * abs(lr - 0.01) + rng.gauss(0, 0.01)
            loss = [round(1.5 * math.exp(-step * lr * 10) + rng.random() / 20, 4) for step in range(20)]
            record = {
                **base,
                "parent": parent,
                "created": _time(i),
                "message": f"sweep {i}: lr={lr} depth={depth}",
                "notebook": {**base["notebook"], "path": "sweep.ipynb"},
                "params": {"lr": lr, "depth": depth, "optimizer": ["adam", "sgd"][i % 2]},
                "metrics": {"acc": round(acc, 4), "f1": round(acc - 0.03, 4), "loss": loss},
            }
            parent = writer.add_bytes(records.encode(record)[1])
            stored.append({"id": parent, **record})
        parent = None
        for j, shift in enumerate((0.0, 1.5)):
            csv = _train_csv(rng, shift)
            digest = writer.add_bytes(csv)
            record = {
                **base,
                "parent": parent,
                "created": _time(SWEEP + j),
                "message": f"drift: train v{j + 1}",
                "notebook": {**base["notebook"], "path": "drift.ipynb"},
                "params": {"version": j + 1},
                "metrics": {"acc": 0.9 - 0.1 * j},
                "data": [
                    {
                        "path": "data/train.csv",
                        "role": "input",
                        "hash": digest,
                        "size": len(csv),
                        "stored": True,
                    }
                ],
            }
            parent = writer.add_bytes(records.encode(record)[1])
            stored.append({"id": parent, **record})
        writer.commit()
        store.index.add(*stored)
