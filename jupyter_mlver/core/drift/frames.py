"""Compare two data frames column by column: the options, the per-column work, the verdict.

Columns run in a small thread pool: the sorts and hash tables underneath release the GIL,
so a wide table uses every core.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidInput
from ..records.drift import HistogramJson
from . import columns as cols
from .report import ColumnDrift, TableDrift

#: The share of drifted columns at which a whole table drifts (Evidently's default).
DRIFT_SHARE = 0.5
HISTOGRAM_BINS = 20
HISTOGRAM_CATEGORIES = 12


@dataclass(frozen=True)
class DriftOptions:
    """``test``/``threshold`` apply to every column the test suits; the per-column maps win."""

    test: str | None = None
    threshold: float | None = None
    tests: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None
    drift_share: float = DRIFT_SHARE

    def __post_init__(self) -> None:
        for name in [self.test, *self.tests.values()]:
            if name is not None and name not in cols.TESTS:
                raise InvalidInput(
                    f"unknown drift test {name!r}", f"use one of {', '.join(cols.TESTS)}"
                )
        for value in [self.threshold, *self.thresholds.values()]:
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise InvalidInput(f"a drift threshold must be a number >= 0, got {value}")
        for kind in self.types.values():
            if kind not in cols.TESTED:
                raise InvalidInput(
                    f"unknown column type {kind!r}", f"use {' or '.join(cols.TESTED)}"
                )
        if not 0 < self.drift_share <= 1:
            raise InvalidInput(f"the drift share must be in (0, 1], got {self.drift_share}")

    @classmethod
    def parse(
        cls,
        tests: Iterable[str] = (),
        thresholds: Iterable[str] = (),
        types: Iterable[str] = (),
        columns: Iterable[str] | None = None,
        drift_share: float = DRIFT_SHARE,
    ) -> DriftOptions:
        """From flags: ``NAME`` or ``COLUMN=NAME`` tests, ``X`` or ``COLUMN=X`` thresholds,
        ``COLUMN=numerical|categorical`` types."""
        test, per_test = _split(tests, "--test")
        threshold, per_threshold = _split(thresholds, "--threshold")
        kind, per_type = _split(types, "--type")
        if kind is not None:
            raise InvalidInput(f"--type needs a column: COLUMN={kind}")
        chosen = tuple(columns) if columns else None
        return cls(
            test=test,
            threshold=_number(threshold) if threshold is not None else None,
            tests=per_test,
            thresholds={k: _number(v) for k, v in per_threshold.items()},
            types=per_type,
            columns=chosen,
            drift_share=drift_share,
        )


def _split(items: Iterable[str], flag: str) -> tuple[str | None, dict[str, str]]:
    every: str | None = None
    per: dict[str, str] = {}
    for item in items:
        column, sep, value = item.rpartition("=")
        if not sep:
            every = item.strip()
        elif not column.strip() or not value.strip():
            raise InvalidInput(f"{flag} expects VALUE or COLUMN=VALUE, got {item!r}")
        else:
            per[column.strip()] = value.strip()
    return every, per


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"a drift threshold must be a number, got {text!r}") from None


def _clean(column: pd.Series) -> pd.Series:
    """Without missing values and infinities (Evidently drops both before testing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(column.cat.categories.dtype)
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        keep = np.isfinite(values)
        return column if keep.all() else column[keep]
    if column.dtype == object:
        column = column.replace([np.inf, -np.inf], np.nan)
    return column.dropna()


def _histogram(reference: pd.Series, current: pd.Series, kind: str) -> HistogramJson:
    """Shares of each side in 20 equal bins over both, or in the most common categories."""
    if kind == cols.NUMERICAL and pd.api.types.is_numeric_dtype(reference.dtype):
        ref = reference.to_numpy(dtype=np.float64)
        cur = current.to_numpy(dtype=np.float64)
        lo, hi = min(ref.min(), cur.min()), max(ref.max(), cur.max())
        edges = np.linspace(lo, hi if hi > lo else lo + 1, HISTOGRAM_BINS + 1)
        return {
            "kind": "bins",
            "edges": edges.tolist(),
            "reference": (np.histogram(ref, edges)[0] / len(ref)).tolist(),
            "current": (np.histogram(cur, edges)[0] / len(cur)).tolist(),
        }
    ref_shares = reference.astype(str).value_counts(normalize=True)
    cur_shares = current.astype(str).value_counts(normalize=True)
    both = ref_shares.add(cur_shares, fill_value=0).sort_values(ascending=False)
    top = list(both.index[:HISTOGRAM_CATEGORIES])
    ref_top = [float(ref_shares.get(k, 0.0)) for k in top]
    cur_top = [float(cur_shares.get(k, 0.0)) for k in top]
    if len(both) > len(top):
        top.append("(other)")
        ref_top.append(max(0.0, 1 - sum(ref_top)))
        cur_top.append(max(0.0, 1 - sum(cur_top)))
    return {"kind": "categories", "categories": top, "reference": ref_top, "current": cur_top}


def compare_column(
    name: str,
    reference: pd.Series,
    current: pd.Series,
    options: DriftOptions,
    histogram: bool = False,
) -> ColumnDrift:
    kind = options.types.get(name) or cols.infer_type(reference)
    if kind == cols.UNKNOWN and reference.isna().all():
        kind = cols.infer_type(current)
    if kind not in cols.TESTED:
        return ColumnDrift(name, kind, note=f"{kind} columns are not tested")
    ref, cur = _clean(reference), _clean(current)
    if ref.empty or cur.empty:
        side = "reference" if ref.empty else "current data"
        return ColumnDrift(name, kind, note=f"no values in the {side}")
    if kind == cols.NUMERICAL:
        for label, values in (("reference", ref), ("current data", cur)):
            if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
                values.dtype
            ):
                return ColumnDrift(name, kind, note=f"not numerical in the {label}")
    test = _choose_test(name, kind, options, ref, cur)
    threshold = options.thresholds.get(name, options.threshold)
    threshold = test.threshold if threshold is None else threshold
    score = test.run(ref, cur, kind == cols.NUMERICAL)
    drifted = test.drifted(score, threshold)
    return ColumnDrift(
        name,
        kind,
        test=test.name,
        statistic=score.statistic,
        p_value=score.p_value,
        distance=score.distance,
        threshold=threshold,
        drifted=drifted,
        histogram=_histogram(ref, cur, kind) if histogram and drifted else None,
    )


def _choose_test(
    name: str, kind: str, options: DriftOptions, ref: pd.Series, cur: pd.Series
) -> cols.Test:
    chosen = options.tests.get(name)
    if chosen is not None:
        test = cols.TESTS[chosen]
        if kind not in test.types:
            raise InvalidInput(
                f"the {chosen} test cannot compare {kind} column {name!r}",
                f"use a test for {kind} columns, or --type {name}=...",
            )
        return test
    if options.test is not None and kind in cols.TESTS[options.test].types:
        return cols.TESTS[options.test]
    return cols.default_test(kind, ref, cur)


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def compare_frames(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    options: DriftOptions | None = None,
    histograms: bool = False,
) -> TableDrift:
    """Every column both frames have (or the ones ``options.columns`` names), compared."""
    options = options or DriftOptions()
    ref_labels = {str(c): c for c in reference.columns}
    cur_labels = {str(c): c for c in current.columns}
    ref_names, cur_names = list(ref_labels), list(cur_labels)
    common = [c for c in ref_names if c in set(cur_names)]
    if options.columns is not None:
        missing = [c for c in options.columns if c not in common]
        if missing:
            raise InvalidInput(
                f"no column {missing[0]!r} in both tables",
                f"the columns they share: {', '.join(common[:20]) or 'none'}",
            )
        common = [c for c in common if c in set(options.columns)]
    for name in [*options.tests, *options.thresholds, *options.types]:
        if name not in ref_names and name not in cur_names:
            raise InvalidInput(f"an option names column {name!r}, which neither table has")

    def one(name: str) -> ColumnDrift:
        ref, cur = reference[ref_labels[name]], current[cur_labels[name]]
        return compare_column(name, ref, cur, options, histograms)

    if len(common) > 1 and len(reference) + len(current) > 100_000:
        with ThreadPoolExecutor(_workers(), thread_name_prefix="mlver-drift") as pool:
            results = list(pool.map(one, common))
    else:
        results = [one(name) for name in common]
    return TableDrift(
        columns=results,
        share_threshold=options.drift_share,
        reference_rows=len(reference),
        current_rows=len(current),
        only_in_reference=[c for c in ref_names if c not in set(cur_names)],
        only_in_current=[c for c in cur_names if c not in set(ref_names)],
    )
