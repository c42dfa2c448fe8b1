"""POST runs: the panel's "Run with parameters…" as a job that runs real kernels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.store.store import Store

from ..run.test_run import write
from .test_images import wait_for


@pytest.fixture(autouse=True)
def _ipython_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


async def test_a_sweep_from_the_panel_runs_as_a_job(
    jp_root_dir: Path, api: Any, api_error: Any
) -> None:
    (jp_root_dir / "nb").mkdir()
    write(
        jp_root_dir / "nb" / "train.ipynb",
        ["%load_ext jupyter_mlver", "%mlver log acc={lr * depth}"],
    )
    body = {
        "notebook": "nb/train.ipynb",
        "params": {"depth": 3},
        "sweep": {"lr": [0.1, 0.2]},
        "jobs": 2,
        "metric": "acc",
    }
    started = await api("runs", method="POST", body=body)
    assert started["runs"] == 2
    assert started["url"].endswith(f"/jupyter-mlver/jobs/{started['job']}")
    job = await wait_for(api, started["job"], timeout=300)
    assert job["state"] == "succeeded", job
    assert job["kind"] == "notebook-run"
    assert job["params"]["sweep"] == {"lr": [0.1, 0.2]}
    assert any("started" in line for line in job["log"])
    assert job["message"] == "2 run(s): 2 ok, 0 failed"
    assert job["step"] == job["total"] == 2
    runs = job["result"]["runs"]
    assert [r["params"]["lr"] for r in runs] == [0.2, 0.1]  # best acc first
    assert [r["status"] for r in runs] == ["ok", "ok"]
    with Store.open(jp_root_dir / "nb") as store:
        for run in runs:
            record = store.get(run["snapshot"])
            assert record["params"] == {"lr": run["params"]["lr"], "depth": 3}
            assert record["metrics"] == run["metrics"]
            assert record["run"]["notebook"] == "train.ipynb"  # the store is nb/.mlver


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"sweep": {"lr": [1]}}, 400, "'notebook' is required"),
        ({"notebook": "nb/missing.ipynb"}, 400, "is not a notebook file"),
        ({"notebook": "../outside.ipynb"}, 403, ""),
        ({"notebook": "nb/train.ipynb", "sweep": {"lr": 0.1}}, 400, "non-empty list"),
        ({"notebook": "nb/train.ipynb", "params": {"x": [1]}}, 400, "number, string or bool"),
        ({"notebook": "nb/train.ipynb", "params": {"2x": 1}}, 400, "not a Python variable"),
        ({"notebook": "nb/train.ipynb", "jobs": 0}, 400, "'jobs' must be"),
        ({"notebook": "nb/train.ipynb", "metric": "acc:best"}, 400, "NAME:max or NAME:min"),
    ],
)
async def test_bad_run_requests_are_refused_before_a_job_starts(
    jp_root_dir: Path, api: Any, api_error: Any, body: dict[str, Any], status: int, text: str
) -> None:
    (jp_root_dir / "nb").mkdir()
    write(jp_root_dir / "nb" / "train.ipynb", ["x = 1"])
    code, error = await api_error("runs", method="POST", body=body)
    assert code == status
    assert text in error.get("message", "")
    assert (await api("jobs"))["jobs"] == []
    assert not (jp_root_dir / "nb" / ".mlver").exists()
