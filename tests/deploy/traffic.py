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
    def __init__(self, port: int, model: str, seed: int = 0, max_x1: float = 1.0) -> None:
        self.url = f"http://127.0.0.1:{port}/v2/models/{model}/infer"
        self.rng = np.random.default_rng(seed)
        self.max_x1 = max_x1

    def infer(self, x1: list[float] | None = None) -> tuple[int, str | None]:
        """(status, model_version) of one request of 4 rows."""
        if x1 is None:
            x1 = self.rng.uniform(0, self.max_x1, 4).tolist()
        x2 = self.rng.uniform(0, 1, len(x1)).tolist()
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

    def run(self) -> None:
        while not self._stop_event.is_set():
            status, version = self.client.infer()
            if status == 200:
                self.answers[version] += 1
            else:
                self.failures.append(status)

    def stop(self) -> Loop:
        self._stop_event.set()
        self.join(timeout=60)
        return self
