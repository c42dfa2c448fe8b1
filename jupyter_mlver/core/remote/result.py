"""Plain result objects and the progress meter shared by push and pull."""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from ..capture.data import ProgressBar, ProgressFactory
from ..errors import RemoteError

__all__ = ["Meter", "ProgressFactory", "TransferResult", "default_jobs"]


def default_jobs() -> int:
    # Transfers wait on the network, not the CPU: several per core, like DVC's 4 x cores.
    return min(32, max(8, 4 * (os.cpu_count() or 2)))


@dataclass
class TransferResult:
    """What one push or pull did. ``problems`` are failures (exit 1); ``warnings`` are not."""

    direction: str  # "push" | "pull"
    remote: str
    url: str
    records: int = 0  # records the request covers (asked for and linked)
    objects: int = 0  # objects those records need that this transfer looked at
    moved: int = 0  # objects uploaded (push) or downloaded (pull)
    moved_bytes: int = 0
    present: int = 0  # objects the other side already had
    data_skipped: int = 0  # data copies left out: --no-data, or absent on the source
    published: int = 0  # push: record markers written; pull: records added to the index
    seconds: float = 0.0
    #: Set when the remote was not asked: its ledger was checked against it this long ago.
    checked_ago: float | None = None
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Model versions that changed number (``models.numbers.Renumbering`` as JSON).
    renumbered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def raise_for_problems(self) -> None:
        if self.problems:
            more = f" and {len(self.problems) - 1} more" if len(self.problems) > 1 else ""
            raise RemoteError(
                f"{self.direction} {self.remote}: {self.problems[0]}{more}",
                "what did land is kept; fix the cause and run it again",
            )


class Meter:
    """A progress bar fed from many transfer threads (bytes), or nothing without a factory."""

    def __init__(self, progress: ProgressFactory | None, total: int, desc: str) -> None:
        self._bar: ProgressBar | None = (
            progress(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024)
            if progress is not None and total > 0
            else None
        )
        self._lock = threading.Lock()

    def update(self, n: int) -> None:
        if self._bar is not None and n:
            with self._lock:
                self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
