"""The dashboard's REST API through a real Jupyter server: experiments rows and drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store

from .conftest import Api, ApiError, snap


async def test_experiments_are_table_rows_with_param_and_metric_columns(
    project: dict[str, Any], api: Api
) -> None:
    with Store(project["root"] / ".mlver") as store:
        series = take_snapshot(
            store, SnapshotOptions(message="curve", metrics={"loss": [0.9, 0.5, 0.3]})
        )
    page = await api("experiments")
    assert page["total"] == 5
    assert len(page["experiments"]) == 5
    assert page["params"] == ["epochs", "lr"]
    assert page["metrics"] == ["acc", "loss"]
    assert page["series"] == ["loss"]
    rows = {r["id"]: r for r in page["experiments"]}
    curve = rows[series["id"]]
    assert curve["metrics"] == {"loss": 0.3}
    assert curve["series"] == {"loss": 3}
    best = rows[project["ids"]["a2"]]
    assert best["params"] == {"lr": 0.1, "epochs": 3}
    assert best["tags"] == ["best"]
    assert best["metrics"]["acc"] == 0.6
    assert best["notebook"] == "nb/a.ipynb"
    assert page["generation"] > 0


async def test_experiments_scope_filter_and_paging(project: dict[str, Any], api: Api) -> None:
    mine = await api("experiments", params={"notebook": "nb/a.ipynb"})
    assert [r["message"] for r in mine["experiments"]] == ["higher lr", "baseline"]
    everything = await api("experiments", params={"notebook": "nb/a.ipynb", "all": "1"})
    assert everything["total"] == 4
    found = await api("experiments", params={"q": "terminal"})
    assert [r["message"] for r in found["experiments"]] == ["from a terminal"]
    page = await api("experiments", params={"limit": 1, "offset": 1})
    assert len(page["experiments"]) == 1
    assert page["total"] == 4


async def test_experiments_without_a_store_is_empty(api: Api, jp_root_dir: Path) -> None:
    page = await api("experiments")
    assert page["experiments"] == []
    assert page["total"] == 0


async def test_drift_of_the_changed_tables_between_two_snapshots(
    project: dict[str, Any], api: Api, api_error: ApiError
) -> None:
    root = project["root"]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(0, 1, 400), "k": rng.choice(["a", "b", "c"], 400)})
    frame.to_csv(root / "train.csv", index=False)
    with Store(root / ".mlver") as store:
        a = snap(store, None, "before", 0.1, data=[root / "train.csv", root / "data.csv"])
        frame.assign(x=frame["x"] + 1).to_csv(root / "train.csv", index=False)
        b = snap(store, None, "after", 0.1, data=[root / "train.csv", root / "data.csv"])
    report = await api("drift", params={"a": a[:12], "b": b[:12]})
    assert report["schema"] == "mlver.drift/1"
    (file,) = report["files"]  # data.csv did not change
    assert file["path"] == "train.csv"
    assert file["drift_share"] == 0.5
    x = next(c for c in file["columns"] if c["name"] == "x")
    assert x["test"] == "ks"
    assert x["drifted"]
    assert x["histogram"]["kind"] == "bins"
    assert len(x["histogram"]["reference"]) == 20
    asked = await api("drift", params={"a": a, "b": b, "path": "data.csv"})
    assert [f["path"] for f in asked["files"]] == ["data.csv"]
    assert not asked["files"][0]["drifted"]
    none = await api("drift", params={"a": project["ids"]["b1"], "b": project["ids"]["a2"]})
    assert none["files"] == []
    assert none["drifted"] is False
    status, body = await api_error("drift", params={"a": a})
    assert status == 400
    assert "two refs" in body["message"]
    status, body = await api_error("drift", params={"a": a, "b": b, "path": "nope.csv"})
    assert status == 400
    assert body["code"] == "invalid_input"
