"""A client of a deployment: KServe v2 infer requests through the proxy, counting which
version answered and which requests failed, once or in a loop in the background."""

from __future__ import annotations

import collections
import json
import threading
import urllib.error
import urllib.request
from typing import Any

import numpy as np


def body(x1: list[float], x2: list[float]) -> bytes:
    return json.dumps(
        {
            "inputs": [
                {"name": "x1", "shape": [len(x1)], "datatype": "FP64", "data": x1},
                {"name": "x2", "shape": [len(x2)], "datatype": "FP64", "data": x2},
            ]
        }
    ).encode()


class Client:
    def __init__(self, port: int, model: str, seed: int = 0) -> None:
        self.url = f"http://127.0.0.1:{port}/v2/models/{model}/infer"
        self.row = 1000 * seed
        self.lock = threading.Lock()

    def _rows(self, n: int) -> tuple[list[float], list[float]]:
        """Inputs spread evenly over the training data's range (Weyl sequences): any large
        share of them is as even, so their drift test never fails by chance."""
        with self.lock:
            start, self.row = self.row, self.row + n
        ks = np.arange(start, start + n)
        return ((ks * 0.6180339887) % 1).tolist(), ((ks * 0.4142135624) % 1).tolist()

    def infer(
        self, x1: list[float] | None = None, x2: list[float] | None = None
    ) -> tuple[int, str | None]:
        """(status, model_version) of one request of 4 rows."""
        even1, even2 = self._rows(4 if x1 is None else len(x1))
        x1 = even1 if x1 is None else x1
        x2 = even2 if x2 is None else x2
        request = urllib.request.Request(
            self.url, body(x1, x2), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                data: Any = json.loads(answer.read())
                return answer.status, str(data["model_version"])
        except urllib.error.HTTPError as e:
            return e.code, None
        except OSError:
            return 0, None

    def versions(self, n: int) -> collections.Counter[str | None]:
        return collections.Counter(self.infer()[1] for _ in range(n))


class Loop(threading.Thread):
    """Requests one after another until stopped; every answer that is not a 200 is kept."""

    def __init__(self, client: Client) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.answers: collections.Counter[str | None] = collections.Counter()
        self.failures: list[int] = []
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._stop_event.is_set():
            status, version = self.client.infer()
            with self._lock:
                if status == 200:
                    self.answers[version] += 1
                else:
                    self.failures.append(status)

    def tally(self) -> collections.Counter[str | None]:
        with self._lock:
            return self.answers.copy()

    def split(self, client: Client, n: int) -> collections.Counter[str | None]:
        """Who answered ``n`` requests of ``client`` and this loop's requests meanwhile: the
        proxy's round robin interleaves both clients, so only their sum shows its split."""
        before = self.tally()
        seen = client.versions(n)
        seen.update(self.tally() - before)
        return seen

    def stop(self) -> Loop:
        self._stop_event.set()
        self.join(timeout=60)
        return self
