"""Evidently's default data drift preset on pairs of Parquet files: the drift tests' oracle.

Runs in the Evidently venv (scripts/ensure-evidently.sh), never imports jupyter_mlver.
Reads ``{"cases": [{"reference": PATH, "current": PATH}]}`` on stdin and prints, per case,
``{"columns": {name: {"method", "threshold", "score", "drifted"}}, "share", "dataset_drift",
"seconds"}`` (seconds: the report alone, frames already in memory).
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

os.environ.setdefault("DO_NOT_TRACK", "1")
warnings.filterwarnings("ignore")

import pandas as pd  # noqa: E402
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

METHODS = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
}


def run(reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, object]:
    report = Report([DataDriftPreset()], include_tests=True)
    start = time.perf_counter()
    result = report.run(current, reference).dict()
    seconds = time.perf_counter() - start
    columns: dict[str, dict[str, object]] = {}
    by_metric: dict[str, str] = {}
    share = None
    for metric in result["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            columns[config["column"]] = {
                "method": METHODS.get(config["method"], config["method"]),
                "threshold": config["threshold"],
                "score": metric["value"],
            }
            by_metric[metric["id"]] = config["column"]
        elif config["type"].endswith("DriftedColumnsCount"):
            share = metric["value"]["share"]
    dataset_drift = None
    for test in result["tests"]:
        metric_id = test["metric_config"]["metric_id"]
        failed = test["status"] == "FAIL"
        if metric_id in by_metric:
            columns[by_metric[metric_id]]["drifted"] = failed
        else:
            dataset_drift = failed
    return {"columns": columns, "share": share, "dataset_drift": dataset_drift, "seconds": seconds}


def main() -> None:
    job = json.load(sys.stdin)
    out = []
    for case in job["cases"]:
        reference = pd.read_parquet(case["reference"])
        current = pd.read_parquet(case["current"])
        out.append(run(reference, current))
    json.dump({"results": out}, sys.stdout)


if __name__ == "__main__":
    main()
