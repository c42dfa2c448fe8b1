"""Input sampling for drift checks: request rows appended to JSON Lines files.

A sampled request's input rows (``{column: value}``, one JSON object per line) are appended to
``<dir>/<name>-<version>.jsonl``. When it would pass ``cap`` rows it is renamed to
``<name>-<version>.1.jsonl`` (replacing the older one) and a new file starts, so the newest
``cap`` rows are always the tail of ``.1.jsonl`` followed by ``.jsonl`` and the disk holds at
most twice ``cap`` rows.
"""

from __future__ import annotations

import json
import logging
import os
import random
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_RATE = 1.0
DEFAULT_CAP = 10_000


@dataclass(frozen=True)
class SampleSettings:
    rate: float = DEFAULT_RATE
    cap: int = DEFAULT_CAP
    directory: Path = Path(tempfile.gettempdir()) / "mlver-samples"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SampleSettings:
        """``MLVER_SAMPLE_RATE`` (0..1), ``MLVER_SAMPLE_CAP`` (rows), ``MLVER_SAMPLE_DIR``."""
        default = cls()
        rate = environ.get("MLVER_SAMPLE_RATE", "")
        cap = environ.get("MLVER_SAMPLE_CAP", "")
        directory = environ.get("MLVER_SAMPLE_DIR", "")
        return cls(
            rate=parse_rate(rate) if rate else default.rate,
            cap=parse_cap(cap) if cap else default.cap,
            directory=Path(directory) if directory else default.directory,
        )


def parse_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise InvalidInput(f"sample rate {text!r} is not a number from 0 to 1", "e.g. 0.1")
    return rate


def parse_cap(text: str) -> int:
    try:
        cap = int(text)
    except ValueError:
        cap = 0
    if cap < 1:
        raise InvalidInput(f"sample cap {text!r} is not a positive number of rows", "e.g. 10000")
    return cap


class Sampler:
    def __init__(
        self,
        directory: Path,
        stem: str,
        rate: float = DEFAULT_RATE,
        cap: int = DEFAULT_CAP,
        rng: random.Random | None = None,
    ) -> None:
        self.rate = rate
        self.cap = cap
        self.current = directory / f"{stem}.jsonl"
        self.previous = directory / f"{stem}.1.jsonl"
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._rows = _count_lines(self.current)

    def chosen(self) -> bool:
        """Whether to sample this request."""
        return self.rate >= 1.0 or (self.rate > 0.0 and self._rng.random() < self.rate)

    def write(self, rows: list[dict[str, Any]]) -> int:
        """Append up to ``cap`` rows; the number written (0 when the disk refuses)."""
        rows = rows[: self.cap]
        if not rows:
            return 0
        data = "".join(json.dumps(r, separators=(",", ":"), default=str) + "\n" for r in rows)
        with self._lock:
            try:
                if self._rows + len(rows) > self.cap:
                    if self.current.exists():
                        os.replace(self.current, self.previous)
                    self._rows = 0
                fd = os.open(self.current, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, data.encode("utf-8"))
                finally:
                    os.close(fd)
            except OSError as exc:
                log.warning("cannot write input samples to %s: %s", self.current, exc)
                return 0
            self._rows += len(rows)
        return len(rows)

    def newest(self, limit: int | None = None) -> bytes:
        """The newest ``min(limit, cap)`` rows, one JSON object per line."""
        limit = self.cap if limit is None else min(limit, self.cap)
        if limit <= 0:
            return b""
        with self._lock:
            lines = _read_lines(self.previous) + _read_lines(self.current)
        return b"".join(lines[-limit:])


def _count_lines(path: Path) -> int:
    return len(_read_lines(path))


def _read_lines(path: Path) -> list[bytes]:
    """Complete lines only: a line still being appended by another writer has no newline yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("cannot read input samples from %s: %s", path, exc)
        return []
    lines = data.splitlines(keepends=True)
    return [line for line in lines if line.endswith(b"\n")]
