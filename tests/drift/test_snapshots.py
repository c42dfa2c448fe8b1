"""A snapshot's recorded tabular files against another snapshot, the disk, or one file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jupyter_mlver.core.drift import drift_refs
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.store.store import Store
from tests.support import CLI
from tests.test_records import validate

rng = np.random.default_rng(11)


def table(n: int, shift: float = 0.0) -> pd.DataFrame:
    frame: pd.DataFrame = pd.DataFrame(
        {
            "income": rng.normal(50 + 10 * shift, 10, n),
            "age": rng.normal(40, 12, n),
            "city": rng.choice(
                ["ams", "ber", "cph"], n, p=[0.6 - 0.3 * shift, 0.2, 0.2 + 0.3 * shift]
            ),
        }
    )
    return frame


@pytest.fixture
def two_snapshots(project: Path, cli: CLI) -> Path:
    """HEAD~1 recorded data/train.csv and data/model.txt; HEAD a shifted train.csv."""
    data = project / "data"
    table(600).to_csv(data / "train.csv", index=False)
    (data / "model.txt").write_text("not a table\n")
    cli("snapshot", "-m", "before", "--data", "data/")
    table(600, shift=1.0).to_csv(data / "train.csv", index=False)
    cli("snapshot", "-m", "after", "--data", "data/")
    return project


def open_store(project: Path) -> Store:
    return Store.open(project)


def test_snapshot_against_snapshot(two_snapshots: Path) -> None:
    with open_store(two_snapshots) as store:
        report = drift_refs(store, "HEAD~1", "HEAD").to_json()
        ids = (store.resolve("HEAD~1"), store.resolve("HEAD"))
    assert report["schema"] == "mlver.drift/1"
    assert report["reference"] == {"source": "snapshot", "snapshot": ids[0]}
    assert report["current"] == {"source": "snapshot", "snapshot": ids[1]}
    paths = [f["path"] for f in report["files"]]
    assert paths == ["data/test.csv", "data/train.csv"]  # model.txt is not a table
    test, train = report["files"]
    assert not test["drifted"]
    assert test["drift_share"] == 0.0
    assert train["drifted"]
    assert train["drift_share"] == pytest.approx(2 / 3)
    assert train["reference"]["rows"] == 600
    assert train["current"]["snapshot"] == ids[1]
    cols = {c["name"]: c for c in train["columns"]}
    assert cols["income"]["test"] == "ks"
    assert cols["income"]["drifted"]
    assert cols["city"]["test"] == "chisquare"
    assert cols["city"]["drifted"]
    assert not cols["age"]["drifted"]
    assert set(cols["age"]) >= {
        "name",
        "type",
        "test",
        "statistic",
        "p_value",
        "distance",
        "threshold",
        "drifted",
    }
    json.dumps(report, allow_nan=False)
    validate(report, "drift")


def test_snapshot_against_the_files_on_disk(two_snapshots: Path) -> None:
    with open_store(two_snapshots) as store:
        head = drift_refs(store, "HEAD", paths=["data/train.csv"]).to_json()
        before = drift_refs(store, "HEAD~1", paths=["data"]).to_json()
    assert head["current"] == {"source": "disk"}
    (only,) = head["files"]
    assert only["current"]["source"] == "disk"
    assert not only["drifted"]
    assert only["current"]["hash"] == only["reference"]["hash"]
    assert [f["drifted"] for f in before["files"]] == [False, True]
    validate(head, "drift")


def test_snapshot_against_a_json_lines_file_of_live_inputs(two_snapshots: Path) -> None:
    live = two_snapshots / "live.jsonl"
    rows = table(300, shift=1.0).to_dict(orient="records")
    live.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with open_store(two_snapshots) as store:
        report = drift_refs(
            store, "HEAD~1", paths=["data/train.csv"], current=str(live), histograms=True
        ).to_json()
    assert report["current"] == {"source": "file", "path": str(live)}
    (file,) = report["files"]
    assert file["current"]["rows"] == 300
    assert file["drifted"]
    income = next(c for c in file["columns"] if c["name"] == "income")
    assert income["histogram"]["kind"] == "bins"
    validate(report, "drift")


def test_changed_only_leaves_out_files_with_the_same_content(two_snapshots: Path) -> None:
    from jupyter_mlver.core.drift import drift_snapshot

    with open_store(two_snapshots) as store:
        a, b = store.resolve("HEAD~1"), store.resolve("HEAD")
        report = drift_snapshot(store, a, b, changed_only=True)
    assert [f.path for f in report.files] == ["data/train.csv"]


def test_mistakes_are_one_line_errors(two_snapshots: Path) -> None:
    with open_store(two_snapshots) as store:
        with pytest.raises(InvalidInput, match="not a tabular data file"):
            drift_refs(store, "HEAD", paths=["data/model.txt"])
        with pytest.raises(InvalidInput, match="--current compares one file"):
            drift_refs(store, "HEAD", current="live.jsonl")
        with pytest.raises(InvalidInput, match="not both"):
            drift_refs(store, "HEAD~1", "HEAD", current="data/train.csv")
        with pytest.raises(InvalidInput, match="is not a file"):
            drift_refs(store, "HEAD", paths=["data/train.csv"], current="nope.csv")


def test_files_missing_on_one_side_are_noted(project: Path, cli: CLI) -> None:
    table(200).to_csv(project / "data" / "train.csv", index=False)
    cli("snapshot", "--data", "data/train.csv", "--hash-only")
    cli("snapshot", "--data", "data/test.csv")
    (project / "data" / "train.csv").write_text("income\n1\n")
    with open_store(project) as store:
        hash_only = drift_refs(store, "HEAD~1").to_json()
        other = drift_refs(store, "HEAD", "HEAD~1").to_json()
        (project / "data" / "test.csv").unlink()
        gone = drift_refs(store, "HEAD").to_json()
    (file,) = hash_only["files"]
    assert "has no copy" in file["note"]
    assert file["columns"] == []
    assert not file["drifted"]
    assert other["files"][0]["note"].startswith("not in snapshot")
    assert gone["files"][0]["note"] == "not on disk"
    for report in (hash_only, other, gone):
        validate(report, "drift")


def test_a_snapshot_without_tables(project: Path, cli: CLI) -> None:
    (project / "data" / "train.csv").unlink()
    (project / "data" / "test.csv").unlink()
    (project / "data" / "notes.txt").write_text("x")
    cli("snapshot", "--data", "data/")
    with open_store(project) as store, pytest.raises(InvalidInput, match="no tabular data"):
        drift_refs(store, "HEAD")
