"""`jupyter mlver run` end to end: the command line, its progress, table, JSON and exit code."""

from __future__ import annotations

from pathlib import Path

from jupyter_mlver.core.store.store import Store
from tests.support import CLI

from .test_run import write


def test_run_sweep_json_table_and_exit_status(project: Path, cli: CLI, tmp_path: Path) -> None:
    env = {"IPYTHONDIR": str(tmp_path / "ipython")}
    write(
        project / "train.ipynb",
        [
            "%load_ext jupyter_mlver",
            "if lr > 1:\n    raise ValueError('lr too large')",
            "%mlver log loss={1 / (lr * depth)}",
        ],
    )
    args = ["run", "train.ipynb", "-p", "depth", "2", "--sweep", "lr=0.5,0.25,2"]
    proc = cli(
        *args, "-j", "2", "--metric", "loss:min", "--output", "out", "--json", check=False, env=env
    )
    assert proc.returncode == 1, proc.stderr  # one run failed
    assert "[1/3 depth=2 lr=0.5] started" in proc.stderr
    assert "[3/3 depth=2 lr=2] failed at cell 4: ValueError: lr too large" in proc.stderr
    import json

    out = json.loads(proc.stdout)
    runs = out["runs"]
    assert [r["params"] for r in runs] == [
        {"depth": 2, "lr": 0.5},
        {"depth": 2, "lr": 0.25},
        {"depth": 2, "lr": 2},
    ]  # best (lowest loss) first, the failed run last
    assert [r["status"] for r in runs] == ["ok", "ok", "failed"]
    assert [r["metrics"] for r in runs[:2]] == [{"loss": 1.0}, {"loss": 2.0}]
    assert runs[0]["output"] == "out/train-1-depth=2_lr=0.5.ipynb"
    assert runs[2]["error"]["error"] == "ValueError: lr too large"
    with Store.open(project) as store:
        for r in runs:
            record = store.get(r["snapshot"])
            assert record["params"] == r["params"]
            assert record["run"]["status"] == r["status"]
            assert (project / r["output"]).is_file()

    shown = cli(
        "run",
        "train.ipynb",
        "-p",
        "lr",
        "0.5",
        "--sweep",
        "depth=1,4",
        "--metric",
        "loss:min",
        env=env,
    )
    lines = shown.stdout.splitlines()
    assert lines[0] == (
        "2 run(s) of train.ipynb: 2 ok, 0 failed; best first by loss (lower is better)"
    )
    assert lines[1].split() == ["#", "STATUS", "lr", "depth", "loss", "SNAPSHOT"]
    assert lines[2].split()[:5] == ["2", "ok", "0.5", "4", "0.5"]
    assert lines[3].split()[:5] == ["1", "ok", "0.5", "1", "2"]
    assert lines[-1].startswith("executed notebooks in runs/train-")


def test_run_refuses_bad_input_in_one_line(project: Path, cli: CLI) -> None:
    write(project / "train.ipynb", ["x = 1"])
    for args, expected in [
        (["missing.ipynb"], "is not a notebook file"),
        (["train.ipynb", "--sweep", "lr"], "--sweep expects NAME=V1,V2"),
        (["train.ipynb", "-p", "lr", "1", "--sweep", "lr=1,2"], "both -p and --sweep"),
        (["train.ipynb", "-p", "2x", "1"], "not a Python variable name"),
        (["train.ipynb", "--metric", "acc:best"], "NAME:max or NAME:min"),
    ]:
        proc = cli("run", *args, check=False)
        assert proc.returncode == 1
        assert expected in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = cli("run", "train.ipynb", "-j", "0", check=False)
    assert proc.returncode == 2
    assert "argument -j/--jobs: must be 1 or more" in proc.stderr
    assert not (project / ".mlver").exists()
    assert not (project / "runs").exists()


def test_the_magic_runs_the_same_command(project: Path, tmp_path: Path) -> None:
    import os

    from tests.kernel.conftest import Kernel

    write(project / "train.ipynb", ["%load_ext jupyter_mlver", "%mlver log acc={depth}"])
    kernel = Kernel(project, {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")})
    try:
        kernel.ok("%load_ext jupyter_mlver")
        out = kernel.ok("%mlver run train.ipynb --sweep depth=2,5 --metric acc")
    finally:
        kernel.close()
    assert "[2/2 depth=5] ok" in out["stdout"]
    shown = out["results"][-1]["text/plain"]
    assert "2 run(s) of train.ipynb: 2 ok, 0 failed" in shown
    assert shown.splitlines()[2].split()[:4] == ["2", "ok", "5", "5"]
