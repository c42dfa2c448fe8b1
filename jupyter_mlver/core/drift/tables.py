"""Tabular files in, pandas frames out: CSV, TSV, Parquet and JSON Lines (optionally gzipped).

The format is told by the file's name, not its bytes: a recorded copy in the store has no
name of its own, so callers pass the name it was recorded under. JSON Lines is what the
serving image writes for sampled live inputs (one object per row, column -> value); a
``.json`` file holding one array of such objects is read too.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
Compression = Literal["gzip", "bz2", "xz", "zstd"]
COMPRESSIONS: dict[str, Compression] = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


def _suffixes(name: str) -> tuple[str, Compression | None]:
    """(format suffix, compression) of a file name: ``a.csv.gz`` -> (".csv", "gzip")."""
    base = os.path.basename(name).lower()
    stem, ext = os.path.splitext(base)
    compression = COMPRESSIONS.get(ext)
    if compression is not None:
        ext = os.path.splitext(stem)[1]
    return ext, compression


def table_format(name: str) -> str | None:
    """``csv``, ``tsv``, ``parquet``, ``jsonl`` or ``json`` from a file name, else None."""
    ext, _ = _suffixes(name)
    return FORMATS.get(ext)


def is_table(name: str) -> bool:
    return table_format(name) is not None


def has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _json_is_lines(path: Path, compression: Compression | None) -> bool:
    """A ``.json`` file whose first non-blank character opens an array is not JSON Lines."""
    if compression is not None:
        return True
    with open(path, "rb") as f:
        head = f.read(4096).lstrip()
    return not head.startswith(b"[")


def read_table(path: str | os.PathLike[str], name: str | None = None) -> pd.DataFrame:
    """The table in ``path``, its format told by ``name`` (default: the path itself)."""
    import pandas as pd

    path = Path(path)
    label = name or str(path)
    fmt = table_format(label)
    if fmt is None:
        raise InvalidInput(
            f"{label} is not a tabular file",
            "drift compares .csv, .tsv, .parquet, .jsonl and .json files (optionally .gz)",
        )
    _, compression = _suffixes(label)
    engine = "pyarrow" if has_pyarrow() else None
    try:
        if fmt == "parquet":
            if engine is None:
                raise InvalidInput(
                    f"reading {label} needs pyarrow",
                    "pip install 'jupyter_mlver[parquet]' (or pyarrow)",
                )
            return pd.read_parquet(path)
        if fmt in ("csv", "tsv"):
            sep = "\t" if fmt == "tsv" else ","
            if engine is not None and compression in (None, "gzip", "bz2"):
                return pd.read_csv(path, sep=sep, compression=compression, engine="pyarrow")
            return pd.read_csv(path, sep=sep, compression=compression)
        lines = fmt == "jsonl" or _json_is_lines(path, compression)
        return pd.read_json(path, lines=lines, orient="records", compression=compression)
    except InvalidInput:
        raise
    except (ValueError, OSError, ImportError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InvalidInput(
            f"cannot read {label} as {fmt}: {reason}",
            "check that the file is a complete table with a header row",
        ) from None
