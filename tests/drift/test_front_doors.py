"""``jupyter mlver drift`` as a subprocess and ``%mlver drift`` in a real kernel."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.kernel.conftest import Kernel
from tests.support import CLI

rng = np.random.default_rng(5)


def write(path: Path, n: int, shift: float = 0.0) -> None:
    pd.DataFrame(
        {
            "x": rng.normal(shift, 1, n),
            "y": rng.normal(0, 1, n),
            "city": rng.choice(["a", "b", "c"], n, p=[0.5 - shift / 4, 0.3, 0.2 + shift / 4]),
            "user": [f"u{i}" for i in range(n)],
        }
    ).to_csv(path, index=False)


@pytest.fixture
def drifted(project: Path, cli: CLI) -> Path:
    """HEAD~1 recorded data/train.csv; HEAD a shifted one (x and city moved)."""
    write(project / "data" / "train.csv", 500)
    cli("snapshot", "-m", "before", "--data", "data/train.csv")
    write(project / "data" / "train.csv", 500, shift=1.0)
    cli("snapshot", "-m", "after", "--data", "data/train.csv")
    return project


def test_cli_text_json_and_check(drifted: Path, cli: CLI) -> None:
    text = cli("drift", "HEAD~1", "HEAD").stdout
    assert text.startswith("data/train.csv: DRIFT: 2 of 3 column(s), 67 %")
    assert "not tested: user (text columns are not tested)" in text
    x = next(line.split() for line in text.splitlines() if line.split()[1:2] == ["x"])
    assert x[0] == "!"
    assert x[2:4] == ["numerical", "ks"]

    report = cli.json("drift", "HEAD~1", "HEAD")
    assert report["schema"] == "mlver.drift/1"
    assert report["drifted"]
    (file,) = report["files"]
    assert set(file) >= {"path", "reference", "current", "columns", "drift_share", "drifted"}
    assert file["path"] == "data/train.csv"
    assert file["drift_share"] == pytest.approx(2 / 3)
    assert all("histogram" not in c for c in file["columns"])

    # Against the disk (HEAD's content) nothing drifts; --check then exits 0.
    assert cli("drift", "HEAD", "--check").returncode == 0
    failed = cli("drift", "HEAD~1", "HEAD", "--check", check=False)
    assert failed.returncode == 1
    assert "DRIFT" in failed.stdout


def test_cli_current_file_options_and_errors(drifted: Path, cli: CLI) -> None:
    live = drifted / "live.jsonl"
    frame = pd.read_csv(drifted / "data" / "train.csv")
    live.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict(orient="records")))
    report = cli.json("drift", "HEAD", "--current", "live.jsonl", "--test", "x=psi")
    (file,) = report["files"]
    assert report["current"] == {"source": "file", "path": "live.jsonl"}
    assert not file["drifted"]
    x = next(c for c in file["columns"] if c["name"] == "x")
    assert x["test"] == "psi"
    assert x["distance"] == pytest.approx(0.0, abs=1e-12)

    bad = cli("drift", "HEAD", "--test", "bogus", check=False)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "jupyter mlver: error: unknown drift test 'bogus' "
        "(use one of ks, chisquare, z, wasserstein, jensenshannon, psi)"
    ]
    missing = cli("drift", "HEAD", "--path", "data/nope.csv", check=False)
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert "is not a tabular data file" in missing.stderr


@pytest.fixture
def kernel(project: Path, tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel(
        project,
        {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONUNBUFFERED": "1"},
    )
    k.ok("%load_ext jupyter_mlver")
    yield k
    k.close()


def test_magic_shows_a_histogram_per_drifted_column(kernel: Kernel, project: Path) -> None:
    write(project / "data" / "train.csv", 400)
    kernel.ok('%mlver snapshot -m "before" --data data/train.csv')
    write(project / "data" / "train.csv", 400, shift=1.0)
    out = kernel.ok("%mlver drift HEAD")  # the recorded copy against the file on disk
    result = out["results"][-1]
    assert "data/train.csv: DRIFT" in result["text/plain"]
    page = result["text/html"]
    assert page.count('class="mlver-histogram"') == 2  # x and city drifted, y did not
    assert 'aria-label="x: reference and current distributions"' in page
    assert ">a</text>" in page
    assert ">c</text>" in page
    assert "var(--jp-" in page
