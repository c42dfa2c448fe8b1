"""Drift results as typed values and as ``mlver.drift/1`` JSON (``core/records/drift.py``,
``schemas/drift.json``).

``{"schema", "reference", "current", "files": [{path, reference, current, columns: [{name,
type, test, statistic, p_value, distance, threshold, drifted}], drift_share, drifted}],
"drifted"}``. Numbers that are not finite (a chi-squared statistic when the current data
has a category the reference never had) are written as null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..records.drift import (
    ColumnDriftJson,
    DriftReportJson,
    DriftTarget,
    FileDriftJson,
    HistogramJson,
    SideJson,
)

SCHEMA = "mlver.drift/1"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass
class ColumnDrift:
    name: str
    type: str
    test: str | None = None  # None: not tested (``note`` says why)
    statistic: float | None = None
    p_value: float | None = None
    distance: float | None = None
    threshold: float | None = None
    drifted: bool = False
    note: str | None = None
    histogram: HistogramJson | None = None

    @property
    def tested(self) -> bool:
        return self.test is not None

    def to_json(self) -> ColumnDriftJson:
        out: ColumnDriftJson = {
            "name": self.name,
            "type": self.type,
            "test": self.test,
            "statistic": _finite(self.statistic),
            "p_value": _finite(self.p_value),
            "distance": _finite(self.distance),
            "threshold": self.threshold,
            "drifted": self.drifted,
        }
        if self.note is not None:
            out["note"] = self.note
        if self.histogram is not None:
            out["histogram"] = self.histogram
        return out


@dataclass
class TableDrift:
    """The columns of one table compared with another, and the table's verdict."""

    columns: list[ColumnDrift]
    share_threshold: float
    reference_rows: int
    current_rows: int
    only_in_reference: list[str] = field(default_factory=list)
    only_in_current: list[str] = field(default_factory=list)

    @property
    def tested(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.tested]

    @property
    def drift_share(self) -> float:
        tested = self.tested
        return sum(c.drifted for c in tested) / len(tested) if tested else 0.0

    @property
    def drifted(self) -> bool:
        return bool(self.tested) and self.drift_share >= self.share_threshold


@dataclass
class Side:
    """Where one side of a comparison came from."""

    source: str  # "snapshot" | "disk" | "file"
    path: str
    snapshot: str | None = None
    hash: str | None = None
    rows: int | None = None

    def to_json(self) -> SideJson:
        return {
            "source": self.source,
            "path": self.path,
            "snapshot": self.snapshot,
            "hash": self.hash,
            "rows": self.rows,
        }


@dataclass
class FileDrift:
    path: str
    reference: Side
    current: Side
    table: TableDrift | None = None
    note: str | None = None  # why a file could not be compared

    @property
    def drifted(self) -> bool:
        return self.table is not None and self.table.drifted

    def to_json(self) -> FileDriftJson:
        table = self.table
        out: FileDriftJson = {
            "path": self.path,
            "reference": self.reference.to_json(),
            "current": self.current.to_json(),
            "columns": [c.to_json() for c in table.columns] if table else [],
            "drift_share": table.drift_share if table else 0.0,
            "drifted": self.drifted,
        }
        if table is not None:
            out["share_threshold"] = table.share_threshold
            out["only_in_reference"] = table.only_in_reference
            out["only_in_current"] = table.only_in_current
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass
class DriftReport:
    reference: DriftTarget  # {"source": "snapshot", "snapshot": id} of REF
    current: DriftTarget  # REF2's, {"source": "disk"} or {"source": "file", "path"}
    files: list[FileDrift]

    @property
    def drifted(self) -> bool:
        return any(f.drifted for f in self.files)

    def to_json(self) -> DriftReportJson:
        return {
            "schema": SCHEMA,
            "reference": self.reference,
            "current": self.current,
            "files": [f.to_json() for f in self.files],
            "drifted": self.drifted,
        }
