"""Per-column verdicts, tests and scores equal Evidently's default preset on the same frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_mlver.core.drift import compare_frames

from .conftest import Oracle


def frames(n_ref: int, n_cur: int, seed: int, shift: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def make(n: int, s: float) -> pd.DataFrame:
        skew = [0.4, 0.3, 0.2, 0.1]
        frame: pd.DataFrame = pd.DataFrame(
            {
                "num": rng.normal(s, 1, n),
                "num_same": rng.normal(0, 1, n),
                "expon": rng.exponential(1 + s, n),
                "num_few": rng.choice([0.5, 1.5, 2.5, 3.5], n, p=skew if s else None),
                "num_two": rng.choice([0.0, 1.0], n, p=[0.35, 0.65] if s else None),
                "int_many": rng.integers(0, 100, n) + int(10 * s),
                "int_codes": rng.integers(0, 4, n),
                "cat": rng.choice(list("abcd"), n, p=skew if s else None),
                "cat_same": rng.choice(list("xyz"), n),
                "binary": rng.choice(["yes", "no"], n, p=[0.3, 0.7] if s else None),
                "flag": rng.choice([True, False], n),
                "with_gaps": np.where(rng.random(n) < 0.1, np.nan, rng.normal(s / 2, 1, n)),
            }
        )
        return frame

    return make(n_ref, 0.0), make(n_cur, shift)


CASES = [
    # (reference rows, current rows, seed, shift): both sides of the 1000-row branch,
    # unequal sizes, no shift at all and shifts near the thresholds.
    (300, 400, 1, 0.3),
    (1000, 1000, 2, 0.0),
    (800, 300, 3, 0.5),
    (1001, 700, 4, 0.15),
    (5000, 4000, 5, 0.2),
    (20000, 20000, 6, 0.05),
    (2000, 150, 7, 0.0),
]


def test_verdicts_equal_evidentlys_default_preset(evidently: Oracle) -> None:
    pairs = [frames(*case) for case in CASES]
    expected = evidently(pairs)
    compared = 0
    for case, (reference, current), theirs in zip(CASES, pairs, expected, strict=True):
        table = compare_frames(reference, current)
        tested = {c.name: c for c in table.tested}
        assert set(tested) == set(theirs["columns"]), case
        for name, col in tested.items():
            want = theirs["columns"][name]
            score = col.p_value if col.p_value is not None else col.distance
            assert (col.test, col.drifted) == (want["method"], want["drifted"]), (case, name)
            assert col.threshold == want["threshold"], (case, name)
            assert score == pytest.approx(want["score"], rel=1e-9, abs=1e-12), (case, name)
            compared += 1
        assert table.drift_share == pytest.approx(theirs["share"]), case
        assert table.drifted is theirs["dataset_drift"], case
    assert compared == len(CASES) * 12
    # The cases exercise every default test, drifting and not.
    seen = {(c.test, c.drifted) for ref, cur in pairs for c in compare_frames(ref, cur).tested}
    for test in ("ks", "chisquare", "z", "wasserstein", "jensenshannon"):
        assert (test, True) in seen, test
        assert (test, False) in seen, test
