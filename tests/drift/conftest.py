"""The Evidently oracle: its own venv (scripts/ensure-evidently.sh), run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE = Path(__file__).with_name("evidently_oracle.py")

Oracle = Callable[[list[tuple[pd.DataFrame, pd.DataFrame]]], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def evidently_python() -> str:
    """The Evidently venv's python: $MLVER_TEST_EVIDENTLY_PYTHON, else made (once) here."""
    given = os.environ.get("MLVER_TEST_EVIDENTLY_PYTHON")
    if given:
        return given
    proc = subprocess.run(
        [str(ROOT / "scripts" / "ensure-evidently.sh")], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/ensure-evidently.sh failed:\n{proc.stderr[-4000:]}")
    return proc.stdout.strip().splitlines()[-1]


@pytest.fixture
def evidently(evidently_python: str, tmp_path: Path) -> Oracle:
    """Evidently's default data drift preset on (reference, current) frames."""

    def run(cases: list[tuple[pd.DataFrame, pd.DataFrame]]) -> list[dict[str, Any]]:
        job = []
        for i, (reference, current) in enumerate(cases):
            ref_path, cur_path = tmp_path / f"ref{i}.parquet", tmp_path / f"cur{i}.parquet"
            reference.to_parquet(ref_path)
            current.to_parquet(cur_path)
            job.append({"reference": str(ref_path), "current": str(cur_path)})
        proc = subprocess.run(
            [evidently_python, str(ORACLE)],
            input=json.dumps({"cases": job}),
            capture_output=True,
            text=True,
            env={**os.environ, "DO_NOT_TRACK": "1"},
            timeout=600,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"the Evidently oracle failed:\n{proc.stderr[-4000:]}")
        results: list[dict[str, Any]] = json.loads(proc.stdout)["results"]
        return results

    return run
