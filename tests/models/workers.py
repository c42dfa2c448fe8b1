"""Targets for the concurrency tests' processes: light imports, so 8 of them start fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.store.store import Store


def move(store_dir: str, version: int, barrier: Any, out: Any) -> None:
    barrier.wait()
    with Store(Path(store_dir)) as store:
        event = registry.move_alias(store, f"churn:{version}", "staging")
        out.put((event["id"], version))


def register(store_dir: str, path: str, snapshot: str, barrier: Any, out: Any) -> None:
    barrier.wait()
    with Store(Path(store_dir)) as store:
        prepared = prepare_path(store, path, None)
        out.put(
            registry.register(store, prepared, RegistrationOptions("race"), snapshot=snapshot)[
                "version"
            ]
        )
