"""Drift of a version's live inputs (what its server sampled) against its training data.

The training data is the tabular data of the model version's snapshot: of its tables, the one
sharing most columns with the model's signature (or, without a signature, the first input).
The live inputs are the newest rows the server sampled (``GET /mlver/samples``). The figure
is the drift share: the fraction of shared columns whose distribution drifted, by the drift
core's tests (Evidently's defaults).
"""

from __future__ import annotations

import tempfile
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..drift import compare_frames, is_table, read_table
from ..records import ModelRecord
from ..store.datarefs import data_files
from ..store.store import Store
from .metrics import get

if TYPE_CHECKING:
    import pandas as pd

#: Fewer sampled rows than this give no drift share (a test on a handful of rows says little).
MIN_ROWS = 30
#: The newest sampled rows compared.
SAMPLE_ROWS = 2000


@dataclass(frozen=True)
class Reference:
    path: str  # as the snapshot recorded it
    frame: pd.DataFrame


def training_table(store: Store, model: ModelRecord) -> Reference | None:
    """The model version's training table, or None when its snapshot kept no usable copy."""
    sid = model.get("snapshot")
    if not sid or not store.index.has(sid):
        return None
    files = data_files(store.objects.get_bytes, store.get(sid))
    tables = [d for d in files if is_table(str(d["path"])) and d.get("stored")]
    tables = [d for d in tables if store.objects.exists(str(d["hash"]))]
    signature = model.get("signature")
    inputs = {str(i["name"]) for i in (signature["inputs"] if signature else [])}
    best: Reference | None = None
    best_score = -1
    with tempfile.TemporaryDirectory(prefix="mlver-training-") as tmp:
        for entry in sorted(tables, key=lambda d: d.get("role") != "input"):
            copy = Path(tmp) / str(entry["hash"])
            store.objects.copy_to(str(entry["hash"]), copy)
            try:
                frame = read_table(copy, name=str(entry["path"]))
            except Exception:  # a file that does not parse as a table is no reference
                continue
            score = len(inputs & {str(c) for c in frame.columns}) if inputs else 0
            if score > best_score:
                best, best_score = Reference(str(entry["path"]), frame), score
            if not inputs:
                break
    return best


def sampled(url: str, limit: int = SAMPLE_ROWS, timeout: float = 10.0) -> pd.DataFrame | None:
    """The newest sampled input rows a server holds, or None when it has none or cannot say."""
    try:
        status, data = get(f"{url}/mlver/samples?limit={limit}", timeout)
    except (urllib.error.URLError, OSError):
        return None
    if status != 200 or not data.strip():
        return None
    with tempfile.TemporaryDirectory(prefix="mlver-samples-") as tmp:
        path = Path(tmp) / "samples.jsonl"
        path.write_bytes(data)
        try:
            return read_table(path)
        except Exception:  # rows the table reader cannot make a frame of: no figure
            return None


def drift_share(reference: Reference | None, current: pd.DataFrame | None) -> float | None:
    """The share of drifted columns, or None without a reference or enough sampled rows."""
    if reference is None or current is None or len(current) < MIN_ROWS:
        return None
    table = compare_frames(reference.frame, current)
    if not table.tested:
        return None
    return round(table.drift_share, 4)
