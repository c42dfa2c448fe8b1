"""The durations of the newest successful prediction requests, for canary verdicts.

Histogram buckets give quantiles, not samples, and a rank test needs samples: each answered
prediction (status below 400) appends its duration, numbered from 1, to a ring of the newest
``CAP``. ``GET /mlver/durations?after=N`` returns those numbered above ``N``, so a watcher that
remembers the last number it saw reads each request once; ``server`` changes when the server
restarts (its numbers start again).
"""

from __future__ import annotations

import collections
import threading
import uuid
from typing import Any

#: Durations kept: a watch reading every few seconds sees every request up to ~2,000/s.
CAP = 10_000


class Durations:
    def __init__(self, cap: int = CAP) -> None:
        self.server = uuid.uuid4().hex[:12]
        self._ring: collections.deque[float] = collections.deque(maxlen=cap)
        self._last = 0  # the number of the newest duration
        self._lock = threading.Lock()

    def record(self, seconds: float) -> None:
        with self._lock:
            self._ring.append(seconds)
            self._last += 1

    def after(self, number: int, limit: int | None = None) -> dict[str, Any]:
        """``{server, last, seconds}``: the durations numbered above ``number`` that are
        still kept (the newest ``limit`` of them), oldest first."""
        with self._lock:
            last = self._last
            wanted = max(0, min(last - number, len(self._ring)))
            if limit is not None:
                wanted = min(wanted, limit)
            newest = list(self._ring)[len(self._ring) - wanted :] if wanted else []
        return {"server": self.server, "last": last, "seconds": [round(s, 6) for s in newest]}
