"""Data drift of two tables: ``compare_frames`` against Evidently's default preset.

    .venv/bin/python benchmarks/bench_drift.py [--rows 1000000] [--columns 20] [--repeat 3]

Builds a reference and a current frame of ROWS rows and COLUMNS columns (70 % float, the
rest integers with many values, integer codes, strings and a yes/no column; a third of
the columns shifted) and a small pair of 1,000 rows each (the hypothesis-test branch).
Both tools get the same frames in memory: ours in this process (median of REPEAT runs),
Evidently 0.7.23 (scripts/ensure-evidently.sh: its own venv) through
``tests/drift/evidently_oracle.py``, timed around ``Report.run`` alone, once per case.
The per-column verdicts of the two are compared and printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import WORK, table, timed

from jupyter_mlver.core.drift import compare_frames

ROOT = Path(__file__).resolve().parents[1]


def frames(rows: int, columns: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def make(shifted: bool) -> pd.DataFrame:
        out: dict[str, object] = {}
        for i in range(columns):
            shift = 0.2 if shifted and i % 3 == 0 else 0.0
            slot = i % 10
            if slot < 7:
                out[f"f{i}"] = rng.normal(shift, 1 + i / 10, rows)
            elif slot == 7:
                out[f"n{i}"] = rng.integers(0, 1000, rows) + int(100 * shift)
            elif slot == 8:
                p = [0.4, 0.3, 0.2, 0.1] if shift else None
                out[f"c{i}"] = rng.choice(["ams", "ber", "cph", "dub"], rows, p=p)
            else:
                p = [0.45, 0.55] if shift else None
                out[f"b{i}"] = rng.choice(["no", "yes"], rows, p=p)
        frame: pd.DataFrame = pd.DataFrame(out)
        return frame

    return make(False), make(True)


def evidently(cases: list[tuple[pd.DataFrame, pd.DataFrame]]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [str(ROOT / "scripts" / "ensure-evidently.sh")], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"scripts/ensure-evidently.sh failed:\n{proc.stderr[-3000:]}")
    python = proc.stdout.strip().splitlines()[-1]
    WORK.mkdir(exist_ok=True)
    job = []
    for i, (reference, current) in enumerate(cases):
        ref, cur = WORK / f"drift-ref{i}.parquet", WORK / f"drift-cur{i}.parquet"
        reference.to_parquet(ref)
        current.to_parquet(cur)
        job.append({"reference": str(ref), "current": str(cur)})
    proc = subprocess.run(
        [python, str(ROOT / "tests" / "drift" / "evidently_oracle.py")],
        input=json.dumps({"cases": job}),
        capture_output=True,
        text=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"Evidently failed:\n{proc.stderr[-3000:]}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)["results"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cases = {
        f"{args.rows:,} x {args.columns}": frames(args.rows, args.columns, 1),
        f"1,000 x {args.columns}": frames(1000, args.columns, 2),
    }
    print(f"frames built; running Evidently on {len(cases)} cases …", file=sys.stderr)
    theirs = evidently(list(cases.values()))
    rows = []
    for (name, (reference, current)), peer in zip(cases.items(), theirs, strict=True):
        result = compare_frames(reference, current)
        ours = timed(partial(compare_frames, reference, current), args.repeat)
        peer_columns: dict[str, dict[str, object]] = peer["columns"]
        agree = sum(
            c.drifted == peer_columns[c.name]["drifted"]
            and c.test == peer_columns[c.name]["method"]
            for c in result.tested
        )
        seconds = float(peer["seconds"])
        rows.append(
            [
                name,
                f"{ours:.2f} s",
                f"{seconds:.2f} s",
                f"{seconds / ours:.1f}x",
                f"{agree}/{len(result.tested)}",
                f"{result.drift_share:.2f} / {peer['share']:.2f}",
            ]
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (other work on the machine slows both)")
    print(
        table(
            [
                "reference and current",
                "jupyter_mlver",
                "Evidently 0.7.23",
                "ratio",
                "same test+verdict",
                "drift share (ours / theirs)",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
