"""Column kinds, default test choice, options and verdicts on frames with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_mlver.core.drift import (
    ColumnDrift,
    DriftOptions,
    TableDrift,
    compare_frames,
    infer_type,
)
from jupyter_mlver.core.errors import InvalidInput

rng = np.random.default_rng(7)


def frame(n: int, shift: float = 0.0, shares: list[float] | None = None) -> pd.DataFrame:
    shares = shares or [0.25, 0.25, 0.25, 0.25]
    table: pd.DataFrame = pd.DataFrame(
        {
            "income": rng.normal(50 + 10 * shift, 10, n),
            "age": rng.normal(40, 12, n),
            "city": rng.choice(["ams", "ber", "cph", "dub"], n, p=shares),
            "churned": rng.choice(["no", "yes"], n, p=[0.8 - 0.3 * shift, 0.2 + 0.3 * shift]),
        }
    )
    return table


def by_name(table: TableDrift) -> dict[str, ColumnDrift]:
    return {c.name: c for c in table.columns}


def test_small_data_shifted_numeric_drifts_by_ks_and_unchanged_does_not() -> None:
    cols = by_name(compare_frames(frame(500), frame(500, shift=1.0)))
    assert cols["income"].test == "ks"
    assert cols["income"].drifted
    p_value = cols["income"].p_value
    assert p_value is not None
    assert p_value < 1e-6
    assert cols["income"].threshold == 0.05
    assert cols["age"].test == "ks"
    assert not cols["age"].drifted
    assert cols["age"].distance is None


def test_small_data_changed_category_shares_drift_by_chi_squared() -> None:
    table = compare_frames(frame(800), frame(600, shares=[0.55, 0.15, 0.15, 0.15]))
    city = by_name(table)["city"]
    assert city.type == "categorical"
    assert city.test == "chisquare"
    assert city.drifted
    assert city.statistic is not None
    assert city.statistic > 30
    same = compare_frames(frame(800), frame(600))
    assert not by_name(same)["city"].drifted


def test_binary_column_gets_the_z_test() -> None:
    table = by_name(compare_frames(frame(900), frame(900, shift=1.0)))
    churned = table["churned"]
    assert churned.test == "z"
    assert churned.drifted
    steady = by_name(compare_frames(frame(900), frame(900)))["churned"]
    assert steady.test == "z"
    assert not steady.drifted


def test_large_data_uses_distances_at_0_1() -> None:
    ref, cur = frame(5000), frame(4000, shift=0.5, shares=[0.7, 0.1, 0.1, 0.1])
    cols = by_name(compare_frames(ref, cur))
    assert cols["income"].test == "wasserstein"
    assert cols["income"].drifted
    assert cols["income"].distance == pytest.approx(0.5, abs=0.08)
    assert cols["income"].p_value is None
    assert cols["income"].threshold == 0.1
    assert cols["age"].test == "wasserstein"
    assert not cols["age"].drifted
    assert cols["city"].test == "jensenshannon"
    assert cols["city"].drifted
    assert cols["churned"].test == "jensenshannon"


def test_few_valued_numerical_columns_get_category_tests() -> None:
    ref = pd.DataFrame({"score": rng.choice([1.0, 2.0, 3.0, 4.0], 600)})
    cur = pd.DataFrame({"score": rng.choice([1.0, 2.0, 3.0, 4.0], 600, p=[0.7, 0.1, 0.1, 0.1])})
    small = by_name(compare_frames(ref, cur))["score"]
    assert small.type == "numerical"
    assert small.test == "chisquare"
    assert small.drifted
    two = by_name(compare_frames(ref.clip(upper=2.0), cur.clip(upper=2.0)))["score"]
    assert two.test == "z"
    big = pd.concat([ref] * 3, ignore_index=True)
    large = by_name(compare_frames(big, cur))["score"]
    assert large.test == "jensenshannon"


def test_dataset_drifts_when_at_least_half_the_columns_do() -> None:
    ref = frame(700)
    cur = frame(700, shift=1.0, shares=[0.55, 0.15, 0.15, 0.15])  # income, city, churned
    table = compare_frames(ref, cur)
    assert table.drift_share == pytest.approx(0.75)
    assert table.drifted
    cur2 = frame(700)
    cur2["income"] += 30
    half = compare_frames(ref, cur2)
    assert half.drift_share == pytest.approx(0.25)
    assert not half.drifted
    assert compare_frames(ref, cur2, DriftOptions(drift_share=0.25)).drifted


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([0.5, 1.5, 2.5]), "numerical"),
        (pd.Series(range(100)), "numerical"),
        (pd.Series([1, 2, 3] * 10), "categorical"),
        (pd.Series([True, False] * 5), "categorical"),
        (pd.Series(["a", "b"] * 10), "categorical"),
        (pd.Series([f"id-{i}" for i in range(30)]), "text"),
        (pd.Series(pd.date_range("2026-01-01", periods=5)), "datetime"),
        (pd.Series([None, None], dtype=object), "unknown"),
        (pd.Series(["x", "y"] * 5, dtype="category"), "categorical"),
    ],
)
def test_column_kinds_follow_evidently(values: pd.Series, kind: str) -> None:
    assert infer_type(values) == kind


def test_untested_columns_are_listed_and_left_out_of_the_share() -> None:
    ref = frame(300).assign(user=[f"u{i}" for i in range(300)])
    cur = frame(300).assign(user=[f"v{i}" for i in range(300)])
    table = compare_frames(ref, cur)
    user = by_name(table)["user"]
    assert user.type == "text"
    assert user.test is None
    assert not user.drifted
    assert user.note is not None
    assert "not tested" in user.note
    assert len(table.tested) == 4


def test_missing_values_and_infinities_are_dropped() -> None:
    ref = pd.DataFrame({"x": rng.normal(0, 1, 400)})
    cur = ref.copy()
    cur.loc[::5, "x"] = np.nan
    cur.loc[1, "x"] = np.inf
    col = by_name(compare_frames(ref, cur))["x"]
    assert col.test == "ks"
    assert not col.drifted
    empty = by_name(compare_frames(ref, pd.DataFrame({"x": [np.nan] * 5})))["x"]
    assert empty.test is None
    assert empty.note is not None
    assert "no values" in empty.note


def test_per_column_test_and_threshold_options() -> None:
    ref, cur = frame(600), frame(600, shift=0.15)
    options = DriftOptions.parse(
        tests=["income=wasserstein", "psi"], thresholds=["income=0.5", "city=0.01"]
    )
    cols = by_name(compare_frames(ref, cur, options))
    assert cols["income"].test == "wasserstein"
    assert cols["income"].threshold == 0.5
    assert not cols["income"].drifted
    # The test for every column applies where it fits (psi fits both kinds).
    assert cols["age"].test == "psi"
    assert cols["age"].threshold == 0.1
    assert cols["city"].test == "psi"
    assert cols["city"].threshold == 0.01


def test_a_numeric_code_can_be_declared_categorical() -> None:
    ref = pd.DataFrame({"zip": rng.integers(1000, 1100, 500)})
    cur = pd.DataFrame({"zip": rng.integers(1000, 1100, 500)})
    col = by_name(compare_frames(ref, cur, DriftOptions.parse(types=["zip=categorical"])))["zip"]
    assert col.type == "categorical"
    assert col.test == "chisquare"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tests": ["nope"]}, "unknown drift test"),
        ({"thresholds": ["x=abc"]}, "must be a number"),
        ({"thresholds": ["-1"]}, ">= 0"),
        ({"types": ["numerical"]}, "--type needs a column"),
        ({"types": ["x=text"]}, "unknown column type"),
        ({"drift_share": 0.0}, "drift share"),
    ],
)
def test_bad_options_are_one_line_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        DriftOptions.parse(**kwargs)  # type: ignore[arg-type]


def test_a_test_that_cannot_compare_a_column_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot compare categorical column 'city'"):
        compare_frames(frame(100), frame(100), DriftOptions.parse(tests=["city=ks"]))
    with pytest.raises(InvalidInput, match="neither table has"):
        compare_frames(frame(100), frame(100), DriftOptions.parse(tests=["nope=ks"]))


def test_columns_only_on_one_side_are_reported() -> None:
    ref = frame(100).assign(old=1.0)
    cur = frame(100).assign(new=2.0)
    table = compare_frames(ref, cur, DriftOptions(columns=("income", "city")))
    assert [c.name for c in table.columns] == ["income", "city"]
    assert table.only_in_reference == ["old"]
    assert table.only_in_current == ["new"]
    with pytest.raises(InvalidInput, match="no column 'old' in both"):
        compare_frames(ref, cur, DriftOptions(columns=("old",)))


def test_histograms_for_drifted_columns() -> None:
    table = compare_frames(frame(500), frame(500, shift=1.0), histograms=True)
    cols = by_name(table)
    income = cols["income"].histogram
    assert income is not None
    assert income["kind"] == "bins"
    assert len(income["edges"]) == 21
    assert sum(income["reference"]) == pytest.approx(1.0)
    assert cols["age"].histogram is None  # not drifted
    churned = cols["churned"].histogram
    assert churned is not None
    assert churned["kind"] == "categories"
    assert set(churned["categories"]) == {"no", "yes"}


def test_wide_large_frames_run_in_threads_with_the_same_answers() -> None:
    n = 60_000
    ref = pd.DataFrame({f"c{i}": rng.normal(0, 1, n) for i in range(4)})
    shifts = [0.0, 0.05, 0.3, 0.6]
    cur = pd.DataFrame({f"c{i}": rng.normal(s, 1, n) for i, s in enumerate(shifts)})
    table = compare_frames(ref, cur)
    assert [c.drifted for c in table.columns] == [False, False, True, True]
    one = compare_frames(ref[["c2"]], cur[["c2"]]).columns[0]
    assert one.distance == table.columns[2].distance
