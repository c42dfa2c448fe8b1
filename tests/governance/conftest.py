"""A store whose clock the test sets, and helpers that register model versions in it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.governance.freshness import stamp
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.records import ModelRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass
class Clock:
    """What ``records.now()`` says: a day later at every ``tick``."""

    moment: datetime = START

    def now(self) -> str:
        self.moment += timedelta(milliseconds=1)  # records made in a row stay in order
        return stamp(self.moment)

    def tick(self, days: float = 1) -> datetime:
        self.moment += timedelta(days=days)
        return self.moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(records, "now", c.now)
    return c


@pytest.fixture
def gstore(project: Path, clock: Clock) -> Iterator[Store]:
    with Store.open(project, create=True) as s:
        yield s


def register(
    store: Store,
    name: str,
    *,
    metrics: dict[str, Any],
    data: Sequence[str] = (),
    gate: Gate | None = None,
    aliases: tuple[str, ...] = (),
    force: bool = False,
) -> ModelRecord:
    """A new snapshot with ``metrics`` (and ``data``), and a version of ``name`` from it."""
    root = store.root
    artifact = root / f"{name}.bin"
    version = (store.index.latest_model_version(name) or 0) + 1  # each version its own bytes
    artifact.write_bytes(repr((version, sorted(metrics.items()))).encode())
    snapshot = take_snapshot(store, SnapshotOptions(metrics=metrics, data=data))
    prepared = prepare_path(store, artifact, "file")
    try:
        return registry.register(
            store,
            prepared,
            RegistrationOptions(
                name, gate=gate, aliases=aliases, force=force, reason="test" if force else None
            ),
            snapshot=snapshot["id"],
        )
    finally:
        prepared.cleanup()
