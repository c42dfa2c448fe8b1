"""Models for the deploy tests, pickled by value (the serving image has no ``tests`` package):
a threshold on ``x1 + x2``, one that fails on the inputs with ``x1 > 0.8``, and one that
answers with a busy machine's latency."""

from __future__ import annotations

import time
from typing import Any

import numpy as np


class Threshold:
    def __init__(self, cut: float) -> None:
        self.cut = cut

    def predict(self, frame: Any) -> Any:
        return (np.asarray(frame["x1"]) + np.asarray(frame["x2"]) > self.cut).astype(int)


class FailsOnLargeX1(Threshold):
    def predict(self, frame: Any) -> Any:
        if (np.asarray(frame["x1"]) > 0.8).any():
            raise ValueError("x1 above 0.8")
        return super().predict(frame)


class Jittery(Threshold):
    """Answers after a busy machine's delay: ~2 ms with a heavy tail and one request in ten
    stalled 10-40 ms, plus ``extra_ms``. ``seed`` only tells versions apart."""

    def __init__(self, cut: float, extra_ms: float, seed: int) -> None:
        super().__init__(cut)
        self.extra = extra_ms / 1000
        self.seed = seed

    def predict(self, frame: Any) -> Any:
        rng = np.random.default_rng()
        stall = rng.uniform(0.01, 0.04) if rng.random() < 0.1 else 0.0
        time.sleep(self.extra + rng.lognormal(np.log(0.002), 0.4) + stall)
        return super().predict(frame)
