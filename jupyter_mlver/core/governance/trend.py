"""A model's metric across its versions, and the trend of the newest ones (a linear fit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Metric names whose lower values are better, for a metric chosen without a gate or a
#: configured direction ("val_loss", "rmse", "error_rate", ...).
_LOWER_IS_BETTER = ("loss", "error", "rmse", "mse", "mae", "mape", "perplexity", "latency")


def lower_is_better(metric: str) -> bool:
    name = metric.lower()
    return any(word in name for word in _LOWER_IS_BETTER)


def metric_value(value: Any) -> float | None:
    """A metric as a number: a logged series by its last value (where training ended);
    None for strings, booleans and empty series."""
    if isinstance(value, list):
        value = value[-1] if value else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def first_metric(metrics: Mapping[str, Any]) -> str | None:
    """The first numeric metric by name, or None."""
    return next((k for k in sorted(metrics) if metric_value(metrics[k]) is not None), None)


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The least-squares slope of ys over xs (at least two distinct xs)."""
    fitted = np.polyfit(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), 1)
    return float(fitted[0])


@dataclass(frozen=True)
class Trend:
    """The fit over ``versions`` (the newest that have the metric, oldest first): ``slope``
    is metric units per version; ``falling`` says the metric gets worse (in its direction)
    by more than the tolerance per version."""

    versions: list[int]
    values: list[float]
    slope: float
    falling: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "values": self.values,
            "slope": self.slope,
            "falling": self.falling,
        }


def trend(
    points: Sequence[tuple[int, float]],
    *,
    higher_is_better: bool,
    newest: int,
    fewest: int,
    tolerance: float,
) -> Trend | None:
    """The trend of the ``newest`` (version, value) points, or None with fewer than
    ``fewest``."""
    chosen = sorted(points)[-newest:]
    if len(chosen) < max(2, fewest):
        return None
    versions = [v for v, _ in chosen]
    values = [y for _, y in chosen]
    fitted = slope(versions, values)
    if abs(fitted) <= 1e-12 * max(1.0, *(abs(y) for y in values)):
        fitted = 0.0  # equal values fit a slope of rounding noise, which is no trend
    better = fitted if higher_is_better else -fitted
    return Trend(versions, values, fitted, falling=better < -tolerance)
