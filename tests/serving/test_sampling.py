"""Input sampling: the rate, the cap and rotation, the files, and ``GET /mlver/samples``."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.serving.app import create_app
from jupyter_mlver.serving.model import ServedModel
from jupyter_mlver.serving.sampling import Sampler, SampleSettings, json_lines
from jupyter_mlver.serving.table import Table
from tests.serving.conftest import records


def lines_of(numbers: Iterable[int]) -> list[str]:
    return [json.dumps({"i": i}, separators=(",", ":")) + "\n" for i in numbers]


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_sampled_rows_are_the_inputs_as_json_lines(
    client: TestClient, sampler: Sampler, rows: pd.DataFrame
) -> None:
    sent = records(rows.head(3))
    assert client.post("/invocations", json={"dataframe_records": sent}).status_code == 200
    tensors = [
        {"name": "x", "shape": [1, 4], "datatype": "BYTES", "data": [44, 12.5, "pro", False]}
    ]
    assert client.post("/v2/models/churn/infer", json={"inputs": tensors}).status_code == 200
    expected = [*sent, {"age": 44, "income": 12.5, "plan": "pro", "active": False}]
    assert lines(sampler.current) == expected
    answer = client.get("/mlver/samples")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/jsonl")
    assert [json.loads(x) for x in answer.text.splitlines()] == expected
    assert [json.loads(x) for x in client.get("/mlver/samples?limit=1").text.splitlines()] == [
        expected[-1]
    ]
    assert client.get("/mlver/samples?limit=0").text == ""
    assert client.get("/mlver/samples?limit=-1").status_code == 400


def test_bad_payloads_are_not_sampled(client: TestClient, sampler: Sampler) -> None:
    assert client.post("/invocations", json={"dataframe_records": [{"age": 1}]}).status_code == 400
    assert not sampler.current.exists()


def test_missing_values_are_null(sampler: Sampler, served: ServedModel, rows: pd.DataFrame) -> None:
    with TestClient(create_app(served, sampler)) as client:
        row = {**records(rows.head(1))[0], "income": None}
        assert client.post("/invocations", json={"dataframe_records": [row]}).status_code == 500
    assert lines(sampler.current) == [row]


def test_rotation_keeps_the_newest_cap_rows(tmp_path: Path) -> None:
    sampler = Sampler(tmp_path, "m-1", rate=1.0, cap=10)
    for start in range(0, 34, 4):  # nine writes of 4 rows: 0..35
        assert sampler.write(lines_of(range(start, start + 4))) == 4
    newest = [json.loads(x)["i"] for x in sampler.newest().splitlines()]
    assert newest == list(range(26, 36))
    assert [json.loads(x)["i"] for x in sampler.newest(3).splitlines()] == [33, 34, 35]
    # Two files at most, together never more than twice the cap.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.1.jsonl", "m-1.jsonl"]
    assert len(lines(sampler.current)) + len(lines(sampler.previous)) <= 20
    # A request larger than the cap keeps its first cap rows.
    assert sampler.write(lines_of(range(100, 125))) == 10
    assert [json.loads(x)["i"] for x in sampler.newest().splitlines()] == list(range(100, 110))


def test_a_restarted_server_continues_the_count(tmp_path: Path) -> None:
    Sampler(tmp_path, "m-1", cap=5).write(lines_of(range(4)))
    again = Sampler(tmp_path, "m-1", cap=5)
    again.write(lines_of([4, 5]))
    assert [r["i"] for r in lines(again.previous)] == [0, 1, 2, 3]
    assert [r["i"] for r in lines(again.current)] == [4, 5]


def test_a_line_being_written_is_not_served(tmp_path: Path) -> None:
    sampler = Sampler(tmp_path, "m-1")
    sampler.write(lines_of([1]))
    with open(sampler.current, "a") as f:
        f.write('{"i": 2')  # another writer's line, not finished yet
    assert sampler.newest() == b'{"i":1}\n'


@pytest.mark.parametrize(("rate", "low", "high"), [(0.0, 0, 0), (0.25, 30, 70), (1.0, 200, 200)])
def test_rate_is_the_fraction_of_requests_sampled(
    tmp_path: Path, rate: float, low: int, high: int
) -> None:
    sampler = Sampler(tmp_path, "m-1", rate=rate, rng=random.Random(14))
    chosen = sum(sampler.chosen() for _ in range(200))
    assert low <= chosen <= high


def test_rate_through_the_app(served: ServedModel, tmp_path: Path, rows: pd.DataFrame) -> None:
    sampler = Sampler(tmp_path, "churn-2", rate=0.0)
    with TestClient(create_app(served, sampler)) as client:
        for _ in range(5):
            client.post("/invocations", json={"dataframe_records": records(rows)})
        assert client.get("/mlver/samples").text == ""
    assert not sampler.current.exists()


def test_settings_from_the_environment(tmp_path: Path) -> None:
    default = SampleSettings.from_env({})
    assert (default.rate, default.cap) == (1.0, 10_000)
    assert default.directory.name == "mlver-samples"
    env = {"MLVER_SAMPLE_RATE": "0.1", "MLVER_SAMPLE_CAP": "500", "MLVER_SAMPLE_DIR": str(tmp_path)}
    assert SampleSettings.from_env(env) == SampleSettings(0.1, 500, tmp_path)
    for bad in ({"MLVER_SAMPLE_RATE": "2"}, {"MLVER_SAMPLE_RATE": "x"}, {"MLVER_SAMPLE_CAP": "0"}):
        with pytest.raises(InvalidInput):
            SampleSettings.from_env(bad)


def test_a_full_disk_does_not_fail_predictions(
    served: ServedModel, tmp_path: Path, rows: pd.DataFrame
) -> None:
    sampler = Sampler(tmp_path / "samples", "churn-2")
    sampler.current.mkdir()  # appending to a directory fails like a full or read-only disk
    with TestClient(create_app(served, sampler)) as client:
        answer = client.post("/invocations", json={"dataframe_records": records(rows)})
        assert answer.status_code == 200
        assert client.get("/mlver/samples").status_code == 200


def test_json_lines_of_every_dtype() -> None:
    table = Table(
        ["f", "i", "b", "s", "o", "t", "100%"],
        [
            np.array([1.5, np.nan, np.inf]),
            np.array([1, -2, 3], dtype=np.int32),
            np.array([True, False, True]),
            np.array(["a", 'quote " and \\', "é"], dtype=object),
            np.array([None, 2.5, float("nan")], dtype=object),
            np.array(["2026-01-02", "2026-01-03", "2026-01-04"], dtype="datetime64[D]"),
            np.array([0.1, 0.2, 1e300]),
        ],
    )
    got = [json.loads(line) for line in json_lines(table, 2)]
    assert got == [
        {"f": 1.5, "i": 1, "b": True, "s": "a", "o": None, "t": "2026-01-02", "100%": 0.1},
        {
            "f": None,
            "i": -2,
            "b": False,
            "s": 'quote " and \\',
            "o": 2.5,
            "t": "2026-01-03",
            "100%": 0.2,
        },
    ]
    assert json.loads(json_lines(table, 3)[2])["o"] is None
