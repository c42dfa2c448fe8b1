"""Which kind each column is and which test it gets, after Evidently's defaults.

Column kinds (Evidently 0.7's inference, decided on the reference column): floats are
numerical; integers are categorical with at most 10 distinct values, else numerical;
booleans and pandas categories are categorical; strings are categorical unless more
than half of them are distinct (``text``: free text or ids, which no distribution test
suits); datetimes and anything else are not tested.

The default test (Evidently's data drift preset): with at most 1000 reference rows, a
numerical column with more than 5 distinct values (reference and current together) gets
the two-sample Kolmogorov-Smirnov test; a categorical column, or a numerical one with at
most 5 values, gets chi-squared, or the two-proportion z-test when it has at most 2 values;
all at p < 0.05. With more reference rows: the Wasserstein distance normed by the
reference's standard deviation for numerical columns with more than 5 values, the
Jensen-Shannon distance for the rest, both drifting at a distance of 0.1 or more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import stats

NUMERICAL = "numerical"
CATEGORICAL = "categorical"
TEXT = "text"
DATETIME = "datetime"
UNKNOWN = "unknown"
TESTED = (NUMERICAL, CATEGORICAL)

#: Integer columns with at most this many distinct values are categorical.
INTEGER_CATEGORIES = 10
#: Columns with at most this many distinct values get category tests even when numerical.
FEW_VALUES = 5
#: Reference samples larger than this get distances instead of hypothesis tests.
LARGE_SAMPLE = 1000


@dataclass(frozen=True)
class Test:
    name: str
    title: str
    kind: str  # "p_value": drift when p < threshold; "distance": when distance >= threshold
    threshold: float
    types: tuple[str, ...]
    run: Callable[[pd.Series, pd.Series, bool], stats.Score]

    def drifted(self, score: stats.Score, threshold: float) -> bool:
        if self.kind == "distance":
            return score.distance is not None and score.distance >= threshold
        assert score.p_value is not None
        # Evidently's KS test drifts at p <= threshold, its other tests at p < threshold.
        if self.name == "ks":
            return score.p_value <= threshold
        return score.p_value < threshold


TESTS: dict[str, Test] = {
    t.name: t
    for t in (
        Test(
            "ks",
            "Kolmogorov-Smirnov",
            "p_value",
            0.05,
            (NUMERICAL,),
            lambda r, c, _: stats.ks(r, c),
        ),
        Test(
            "chisquare",
            "chi-squared",
            "p_value",
            0.05,
            (NUMERICAL, CATEGORICAL),
            lambda r, c, _: stats.chisquare(r, c),
        ),
        Test(
            "z",
            "two-proportion z-test",
            "p_value",
            0.05,
            (NUMERICAL, CATEGORICAL),
            lambda r, c, _: stats.z_test(r, c),
        ),
        Test(
            "wasserstein",
            "Wasserstein distance (normed)",
            "distance",
            0.1,
            (NUMERICAL,),
            lambda r, c, _: stats.wasserstein_norm(r, c),
        ),
        Test(
            "jensenshannon",
            "Jensen-Shannon distance",
            "distance",
            0.1,
            (NUMERICAL, CATEGORICAL),
            stats.jensenshannon,
        ),
        Test("psi", "population stability index", "distance", 0.1, TESTED, stats.psi),
    )
}


def _is_text(column: pd.Series) -> bool:
    values = column.dropna()
    if values.empty:
        return False
    if pd.api.types.is_object_dtype(column.dtype):
        first, last = values.iloc[0], values.iloc[-1]
        if not (isinstance(first, str) and isinstance(last, str)):
            return False
    return bool(values.nunique() > 0.5 * len(values))


def infer_type(column: pd.Series) -> str:
    """``numerical``, ``categorical``, ``text``, ``datetime`` or ``unknown``."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if pd.api.types.is_float_dtype(dtype):
        return NUMERICAL
    if pd.api.types.is_integer_dtype(dtype):
        return CATEGORICAL if column.nunique() <= INTEGER_CATEGORIES else NUMERICAL
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME
    if pd.api.types.is_string_dtype(dtype):
        values = column.dropna()
        if values.empty:
            return UNKNOWN
        if pd.api.types.is_object_dtype(dtype) and not all(
            isinstance(v, str) for v in (values.iloc[0], values.iloc[-1])
        ):
            return UNKNOWN
        return TEXT if _is_text(column) else CATEGORICAL
    return UNKNOWN


def few_values(reference: pd.Series, current: pd.Series, limit: int = FEW_VALUES) -> int | None:
    """The number of distinct values of both samples together when it is at most ``limit``,
    else None (told from the first rows alone whenever they already have more)."""
    head = pd.concat([reference.iloc[:1000], current.iloc[:1000]])
    if head.nunique() > limit:
        return None
    n = int(pd.concat([reference, current]).nunique())
    return n if n <= limit else None


def default_test(kind: str, reference: pd.Series, current: pd.Series) -> Test:
    """Evidently's choice for a column of this kind and these (clean) samples."""
    large = len(reference) > LARGE_SAMPLE
    if large and kind == CATEGORICAL:
        return TESTS["jensenshannon"]
    n_values = few_values(reference, current)
    if not large:
        if kind == NUMERICAL and n_values is None:
            return TESTS["ks"]
        return TESTS["chisquare"] if n_values is None or n_values > 2 else TESTS["z"]
    if kind == NUMERICAL and n_values is None:
        return TESTS["wasserstein"]
    return TESTS["jensenshannon"]
