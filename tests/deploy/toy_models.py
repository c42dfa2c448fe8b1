"""Models for the deploy tests, pickled by value (the serving image has no ``tests`` package):
a threshold on ``x1 + x2``, and one that fails on the inputs with ``x1 > 0.8``."""

from __future__ import annotations

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
