"""What a notebook's kernel holds for its next snapshot (``%mlver status``, ``%mlver log``)
and what it restored (``%mlver restore``): made by the kernel session
(``jupyter_mlver/notebook/session.py``), shown by ``views/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records.snapshot import ExecutionWarning


@dataclass
class Logged:
    """What ``%mlver log`` added, and everything now pending for the next snapshot."""

    metrics: int
    params: int
    pending_params: dict[str, Any]
    pending_metrics: dict[str, Any]


@dataclass(frozen=True)
class PendingFile:
    path: str  # relative to the store root
    role: str  # "input" | "output"
    size: int


@dataclass
class NextSnapshot:
    """What ``%mlver snapshot`` would record now."""

    store_dir: str
    notebook: str | None
    source: str | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    files: list[PendingFile] = field(default_factory=list)
    warnings: list[ExecutionWarning] = field(default_factory=list)


@dataclass
class Restored:
    snapshot: str
    names: list[str]
