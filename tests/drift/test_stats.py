"""The statistics equal scipy's, and the tests give the known answers on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from jupyter_mlver.core.drift import stats
from jupyter_mlver.core.drift.columns import TESTS

rng = np.random.default_rng(20261201)


def normal(n: int, loc: float = 0.0, scale: float = 1.0) -> pd.Series:
    return pd.Series(rng.normal(loc, scale, n))


def categories(n: int, values: list[str], p: list[float]) -> pd.Series:
    series: pd.Series = pd.Series(rng.choice(values, n, p=p))
    return series


samples = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(u=samples, v=samples)
def test_wasserstein_equals_scipy(u: list[float], v: list[float]) -> None:
    ours = stats.wasserstein(np.array(u), np.array(v))
    theirs = sps.wasserstein_distance(u, v)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    u=st.lists(st.integers(-3, 3), min_size=1, max_size=50),
    v=st.lists(st.integers(-3, 3), min_size=1, max_size=50),
)
def test_wasserstein_with_ties_equals_scipy(u: list[int], v: list[int]) -> None:
    ours = stats.wasserstein(np.array(u, dtype=float), np.array(v, dtype=float))
    assert ours == pytest.approx(sps.wasserstein_distance(u, v), rel=1e-12, abs=1e-12)


def test_wasserstein_norm_divides_by_the_reference_std() -> None:
    ref, cur = normal(5000, 0, 2), normal(4000, 1, 2)
    score = stats.wasserstein_norm(ref, cur)
    expected = sps.wasserstein_distance(ref, cur) / np.std(ref)
    assert score.distance == pytest.approx(expected, rel=1e-9)
    assert score.p_value is None
    # A constant reference is normed by 0.001, not by zero.
    flat = stats.wasserstein_norm(pd.Series([1.0] * 10), pd.Series([1.0] * 9 + [2.0]))
    assert flat.distance == pytest.approx(0.1 / 0.001)


def test_ks_equals_scipy() -> None:
    ref, cur = normal(400), normal(300, 0.2)
    expected = sps.ks_2samp(ref, cur)
    score = stats.ks(ref, cur)
    assert score.statistic == expected.statistic
    assert score.p_value == expected.pvalue


def test_chisquare_equals_scipy_on_expected_counts() -> None:
    ref = categories(600, ["a", "b", "c"], [0.5, 0.3, 0.2])
    cur = categories(400, ["a", "b", "c"], [0.2, 0.3, 0.5])
    score = stats.chisquare(ref, cur)
    keys = ["a", "b", "c"]
    f_obs = [int((cur == k).sum()) for k in keys]
    f_exp = [(ref == k).sum() * len(cur) / len(ref) for k in keys]
    expected = sps.chisquare(f_obs, f_exp)
    assert score.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert score.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_z_test_equals_the_uncorrected_two_by_two_chi_squared() -> None:
    ref = categories(500, ["no", "yes"], [0.5, 0.5])
    cur = categories(450, ["no", "yes"], [0.4, 0.6])
    score = stats.z_test(ref, cur)
    table = [
        [(ref == "no").sum(), (ref == "yes").sum()],
        [(cur == "no").sum(), (cur == "yes").sum()],
    ]
    chi2 = sps.chi2_contingency(table, correction=False)
    assert score.statistic**2 == pytest.approx(chi2.statistic, rel=1e-9)
    assert score.p_value == pytest.approx(chi2.pvalue, rel=1e-6)


def test_z_test_of_one_constant_value_is_no_drift() -> None:
    score = stats.z_test(pd.Series(["a"] * 10), pd.Series(["a"] * 7))
    assert (score.statistic, score.p_value) == (0.0, 1.0)


def test_jensenshannon_equals_scipy_on_category_shares() -> None:
    ref = categories(3000, ["a", "b", "c", "d"], [0.25] * 4)
    cur = categories(2000, ["b", "c", "d", "e"], [0.25] * 4)
    score = stats.jensenshannon(ref, cur, numerical=False)
    keys = ["a", "b", "c", "d", "e"]
    p = [(ref == k).mean() for k in keys]
    q = [(cur == k).mean() for k in keys]
    assert score.distance == pytest.approx(jensenshannon(p, q), rel=1e-12)


def test_jensenshannon_bins_a_many_valued_numerical_column() -> None:
    ref, cur = normal(3000), normal(3000, 0.5)
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    p = np.histogram(ref, edges)[0] / len(ref)
    q = np.histogram(cur, edges)[0] / len(cur)
    score = stats.jensenshannon(ref, cur, numerical=True)
    assert score.distance == pytest.approx(jensenshannon(p, q), rel=1e-12)


def test_psi_of_identical_samples_is_zero_and_grows_with_a_shift() -> None:
    ref = normal(5000)
    assert stats.psi(ref, ref.copy(), numerical=True).distance == pytest.approx(0.0, abs=1e-12)
    shifted = stats.psi(ref, normal(5000, 1.0), numerical=True).distance
    assert shifted is not None
    assert shifted > 0.2


def test_unused_categories_of_a_pandas_categorical_are_not_values() -> None:
    kinds = pd.CategoricalDtype(["a", "b", "c", "never"])
    ref = pd.Series(["a", "b", "c"] * 50, dtype=kinds)
    keys, ref_counts, cur_counts = stats.counts(ref, ref.copy())
    assert list(cur_counts) == [50, 50, 50]
    assert sorted(keys) == ["a", "b", "c"]
    assert list(ref_counts) == [50, 50, 50]


@pytest.mark.parametrize(
    ("test", "score", "threshold", "drifted"),
    [
        ("ks", stats.Score(0.1, p_value=0.05), 0.05, True),  # KS drifts at p <= threshold
        ("chisquare", stats.Score(3.0, p_value=0.05), 0.05, False),  # the others at p < it
        ("z", stats.Score(2.0, p_value=0.049), 0.05, True),
        ("wasserstein", stats.Score(0.1, distance=0.1), 0.1, True),  # distances at >=
        ("jensenshannon", stats.Score(0.09, distance=0.09), 0.1, False),
    ],
)
def test_verdict_boundaries_follow_evidently(
    test: str, score: stats.Score, threshold: float, drifted: bool
) -> None:
    assert TESTS[test].drifted(score, threshold) is drifted
