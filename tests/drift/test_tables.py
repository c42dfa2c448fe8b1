"""Every tabular format reads to the same frame; bad files are one-line errors."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from jupyter_mlver.core.drift import is_table, read_table, table_format
from jupyter_mlver.core.errors import InvalidInput

FRAME = pd.DataFrame({"x": [1.5, 2.5, 3.5], "n": [1, 2, 3], "city": ["ams", "ber", "ams"]})


def check(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["x", "n", "city"]
    assert frame["x"].tolist() == [1.5, 2.5, 3.5]
    assert frame["n"].tolist() == [1, 2, 3]
    assert frame["city"].tolist() == ["ams", "ber", "ams"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.csv", "csv"),
        ("dir/b.TSV", "tsv"),
        ("c.parquet", "parquet"),
        ("d.jsonl", "jsonl"),
        ("e.ndjson", "jsonl"),
        ("f.json", "json"),
        ("g.csv.gz", "csv"),
        ("model.pkl", None),
        ("notes.gz", None),
    ],
)
def test_format_from_the_name(name: str, fmt: str | None) -> None:
    assert table_format(name) == fmt
    assert is_table(name) is (fmt is not None)


def test_csv_tsv_parquet(tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "t.csv", index=False)
    FRAME.to_csv(tmp_path / "t.tsv", index=False, sep="\t")
    FRAME.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.tsv", "t.parquet"):
        check(read_table(tmp_path / name))


def test_json_lines_as_the_serving_image_writes_them(tmp_path: Path) -> None:
    rows = FRAME.to_dict(orient="records")
    (tmp_path / "live.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    check(read_table(tmp_path / "live.jsonl"))
    (tmp_path / "rows.json").write_text(json.dumps(rows))  # one array of objects
    check(read_table(tmp_path / "rows.json"))
    (tmp_path / "lines.json").write_text("\n".join(json.dumps(r) for r in rows))
    check(read_table(tmp_path / "lines.json"))


def test_compressed_and_nameless_copies(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "t.csv.gz", "wt") as f:
        FRAME.to_csv(f, index=False)
    check(read_table(tmp_path / "t.csv.gz"))
    # A store object has no suffix: the recorded name tells the format.
    shutil.copy(tmp_path / "t.csv.gz", tmp_path / "0123abcd")
    check(read_table(tmp_path / "0123abcd", name="data/t.csv.gz"))


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04")
    with pytest.raises(InvalidInput, match="not a tabular file"):
        read_table(tmp_path / "model.pkl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InvalidInput, match=r"cannot read .*bad\.parquet as parquet") as err:
        read_table(tmp_path / "bad.parquet")
    assert "\n" not in str(err.value)
    (tmp_path / "bad.jsonl").write_text('{"x": 1}\n{"x": \n')
    with pytest.raises(InvalidInput, match="as jsonl"):
        read_table(tmp_path / "bad.jsonl")
