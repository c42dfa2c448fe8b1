"""Data drift between tabular data sets, on scipy, following Evidently's default preset.

``compare_frames`` compares two pandas frames; ``drift_snapshot``/``drift_refs`` compare a
snapshot's recorded tabular files with another snapshot's, the files on disk or one file.
Results serialise to ``mlver.drift/1`` (``DriftReport.to_json``).
"""

from __future__ import annotations

from .columns import TESTS, default_test, infer_type
from .frames import DriftOptions, compare_column, compare_frames
from .report import SCHEMA, ColumnDrift, DriftReport, FileDrift, Side, TableDrift
from .snapshots import drift_refs, drift_snapshot
from .tables import is_table, read_table, table_format

__all__ = [
    "SCHEMA",
    "TESTS",
    "ColumnDrift",
    "DriftOptions",
    "DriftReport",
    "FileDrift",
    "Side",
    "TableDrift",
    "compare_column",
    "compare_frames",
    "default_test",
    "drift_refs",
    "drift_snapshot",
    "infer_type",
    "is_table",
    "read_table",
    "table_format",
]
