"""The statistics behind each drift test, as Evidently computes them (its default preset).

Each function takes one column of the reference and one of the current data, both without
missing values, and returns a ``Score``: the test statistic, its p-value for hypothesis tests,
or the distance for distance measures. The Wasserstein distance is computed here from the
two sorted samples in linear time after the sorts (scipy's sorts the pooled sample a third
time and searches it twice); tests check it equals ``scipy.stats.wasserstein_distance``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Array = np.ndarray[Any, np.dtype[Any]]


@dataclass(frozen=True)
class Score:
    statistic: float
    p_value: float | None = None
    distance: float | None = None


def _floats(values: pd.Series) -> Array:
    return np.asarray(values, dtype=np.float64)


def counts(reference: pd.Series, current: pd.Series) -> tuple[Array, Array, Array]:
    """(keys, reference counts, current counts) over the values seen in either sample."""
    ref = reference.value_counts(sort=False)
    cur = current.value_counts(sort=False)
    keys = ref.index.union(cur.index, sort=False)
    ref_counts = ref.reindex(keys, fill_value=0).to_numpy(dtype=np.float64)
    cur_counts = cur.reindex(keys, fill_value=0).to_numpy(dtype=np.float64)
    # Unused categories of a pandas categorical are counted as 0 on both sides: not values.
    seen = (ref_counts + cur_counts) > 0
    return np.asarray(keys)[seen], ref_counts[seen], cur_counts[seen]


def ks(reference: pd.Series, current: pd.Series) -> Score:
    """Two-sample Kolmogorov-Smirnov test (two-sided)."""
    from scipy.stats import ks_2samp

    result = ks_2samp(_floats(reference), _floats(current))
    return Score(float(result.statistic), p_value=float(result.pvalue))


def chisquare(reference: pd.Series, current: pd.Series) -> Score:
    """Pearson's chi-squared test of the current counts against the reference shares."""
    from scipy.stats import chisquare as scipy_chisquare

    _, ref, cur = counts(reference, current)
    expected = ref * (cur.sum() / ref.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        result = scipy_chisquare(cur, expected)
    return Score(float(result.statistic), p_value=float(result.pvalue))


def z_test(reference: pd.Series, current: pd.Series) -> Score:
    """Two-proportion z-test for a binary column: the share of values other than the
    smallest one, in the reference against the current data."""
    from scipy.stats import norm

    keys = sorted(set(reference.unique()) | set(current.unique()))
    if len(keys) <= 1:
        return Score(0.0, p_value=1.0)
    first = keys[0]
    n1, n2 = len(reference), len(current)
    p1 = float((reference != first).sum()) / n1
    p2 = float((current != first).sum()) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    p_value = 2 * (1 - norm.cdf(abs(z)))
    return Score(float(z), p_value=float(p_value))


def wasserstein(u: Array, v: Array) -> float:
    """The first Wasserstein distance between two samples, as the area between their
    quantile functions: both are step functions, with steps at i/n_u and j/n_v."""
    us, vs = np.sort(u), np.sort(v)
    nu, nv = len(us), len(vs)
    # Step points in units of 1/(nu*nv), merged without a sort: u's i-th step lands after
    # the ceil(i*nv/nu) steps of v below it, v's j-th after the floor(j*nu/nv)+1 of u up to it.
    i = np.arange(nu + 1, dtype=np.int64)
    j = np.arange(nv + 1, dtype=np.int64)
    at_u = i + -(-i * nv // nu)
    steps = np.empty(nu + nv + 2, dtype=np.int64)
    steps[at_u] = i * nv
    steps[j + j * nu // nv + 1] = j * nu
    is_u = np.zeros(nu + nv + 2, dtype=bool)
    is_u[at_u] = True
    # Between two steps each quantile function is constant: the sample's value whose
    # step came last (ties make zero-width intervals, which add nothing).
    a = np.minimum(np.cumsum(is_u)[:-1] - 1, nu - 1)
    b = np.minimum(np.cumsum(~is_u)[:-1] - 1, nv - 1)
    widths = np.diff(steps)
    return float(np.dot(np.abs(us[a] - vs[np.maximum(b, 0)]), widths) / (nu * nv))


def wasserstein_norm(reference: pd.Series, current: pd.Series) -> Score:
    """Wasserstein distance divided by the reference's standard deviation (at least 0.001)."""
    ref, cur = _floats(reference), _floats(current)
    norm = max(float(np.std(ref)), 0.001)
    value = wasserstein(ref, cur) / norm
    return Score(value, distance=value)


def shares(reference: pd.Series, current: pd.Series, numerical: bool) -> tuple[Array, Array]:
    """The share of each sample in each category, or in Sturges' histogram bins over both
    samples for a numerical column with more than 20 distinct reference values."""
    if numerical and reference.nunique() > 20:
        ref, cur = _floats(reference), _floats(current)
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        return (
            np.histogram(ref, edges)[0] / len(ref),
            np.histogram(cur, edges)[0] / len(cur),
        )
    _, ref_counts, cur_counts = counts(reference, current)
    return ref_counts / len(reference), cur_counts / len(current)


def jensenshannon(reference: pd.Series, current: pd.Series, numerical: bool) -> Score:
    """Jensen-Shannon distance (natural logarithm) between the two samples' shares."""
    from scipy.spatial.distance import jensenshannon as scipy_js

    p, q = shares(reference, current, numerical)
    value = float(scipy_js(p, q))
    return Score(value, distance=value)


def _fill_zeros(shares: Array) -> Array:
    """Empty bins get a tiny share so that log(p/q) stays finite (Evidently's rule)."""
    nonzero = shares[shares != 0]
    if nonzero.size == 0:
        return shares
    smallest = float(nonzero.min())
    filler = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return np.where(shares == 0, filler, shares)


def psi(reference: pd.Series, current: pd.Series, numerical: bool) -> Score:
    """Population stability index over the same bins (or categories) as Jensen-Shannon."""
    p, q = shares(reference, current, numerical)
    p, q = _fill_zeros(p), _fill_zeros(q)
    value = float(np.sum((p - q) * np.log(p / q)))
    return Score(value, distance=value)
