"""``python -m jupyter_mlver.serving`` as a real process on a free port, answered over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.serving.conftest import records
from tests.serving.helpers import fit_slow, write_model_dir
from tests.support import read_only

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "jupyter_mlver.serving", *args]


@contextlib.contextmanager
def server(
    model_dir: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen(
        serve_command(
            *args, "--model-dir", str(model_dir), "--host", "127.0.0.1", "--port", str(port)
        ),
        cwd=ROOT,  # the slow test model's pipeline step is imported from tests/
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"the server exited {proc.returncode}:\n{output(proc)}")
            try:
                if get(f"{url}/v2/health/ready")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not become ready in 60 s")
            time.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def output(proc: subprocess.Popen[str]) -> str:
    return proc.stdout.read() if proc.stdout else ""


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.read()


def post(url: str, body: bytes | Any, content_type: str = "application/json") -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_process_predicts_like_the_fitted_model(
    model_dir: Path, churn: Any, rows: pd.DataFrame, tmp_path: Path
) -> None:
    expected = churn.predict(rows).tolist()
    env = {"MLVER_SAMPLE_DIR": str(tmp_path / "samples"), "MLVER_SAMPLE_CAP": "5"}
    # ``serve``: the argument SageMaker starts a serving container with.
    with server(model_dir, "serve", env=env) as (url, _):
        status, body = post(f"{url}/invocations", {"dataframe_split": rows.to_dict(orient="split")})
        assert status == 200
        assert body == {"predictions": expected}
        status, body = post(f"{url}/invocations", rows.to_csv(index=False).encode(), "text/csv")
        assert (status, body) == (200, {"predictions": expected})
        tensors = [
            {
                "name": "age",
                "shape": [len(rows)],
                "datatype": "INT64",
                "data": rows["age"].tolist(),
            },
            {
                "name": "income",
                "shape": [len(rows)],
                "datatype": "FP64",
                "data": rows["income"].tolist(),
            },
            {
                "name": "plan",
                "shape": [len(rows)],
                "datatype": "BYTES",
                "data": rows["plan"].tolist(),
            },
            {
                "name": "active",
                "shape": [len(rows)],
                "datatype": "BOOL",
                "data": rows["active"].tolist(),
            },
        ]
        status, body = post(f"{url}/v2/models/churn/infer", {"inputs": tensors})
        assert status == 200
        assert body["model_name"] == "churn"
        assert body["model_version"] == "2"
        assert body["outputs"][0]["data"] == expected
        status, body = post(f"{url}/invocations", {"instances": [[1, 2]]})
        assert status == 400
        assert body["error"].startswith("instances[0]:")

        requests = {
            (sample.labels["endpoint"], sample.labels["status"]): sample.value
            for family in text_string_to_metric_families(get(f"{url}/metrics")[1].decode())
            for sample in family.samples
            if sample.name == "mlver_requests_total" and sample.labels["version"] == "2"
        }
        assert requests[("invocations", "2xx")] == 2
        assert requests[("invocations", "4xx")] == 1
        assert requests[("infer", "2xx")] == 1
        # The cap is 5 rows: the newest five of the last request.
        newest = [json.loads(x) for x in get(f"{url}/mlver/samples")[1].splitlines()]
        assert newest == records(rows)[:5]
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [
        "churn-2.1.jsonl",
        "churn-2.jsonl",
    ]


def test_sigterm_lets_in_flight_requests_finish(tmp_path: Path) -> None:
    model_dir = write_model_dir(tmp_path / "slow", fit_slow(), "slow", 1, None)
    env = {"MLVER_TEST_PREDICT_SECONDS": "2", "MLVER_SAMPLE_RATE": "0"}
    with server(model_dir, env=env) as (url, proc):
        answers: list[tuple[int, Any]] = []
        request = threading.Thread(
            target=lambda: answers.append(
                post(f"{url}/invocations", {"inputs": {"x": [3.0, 15.0]}})
            )
        )
        request.start()
        time.sleep(0.7)  # the request is in the model now
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # the listening socket is closed at once: refused (URLError) or reset (ConnectionError)
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            get(f"{url}/v2/health/ready")
        request.join(timeout=30)
        assert answers == [(200, {"predictions": [False, True]})]
        assert proc.wait(timeout=30) == 0
    assert "Traceback" not in output(proc)


def test_a_read_only_model_dir_is_enough(
    model_dir: Path, rows: pd.DataFrame, tmp_path: Path
) -> None:
    """Nothing is written into the model directory; the sample log is the only file made."""
    samples = tmp_path / "samples"
    env = {"MLVER_SAMPLE_DIR": str(samples)}
    with read_only(model_dir), server(model_dir, env=env) as (url, _):
        status, _answer = post(f"{url}/invocations", {"dataframe_records": records(rows)})
        assert status == 200
    assert [p.name for p in samples.iterdir()] == ["churn-2.jsonl"]


def test_a_bad_model_dir_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = subprocess.run(
        serve_command("--model-dir", str(tmp_path)), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: no model.json in {tmp_path} (a model directory holds")
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_bad_sample_rate_is_one_line(model_dir: Path) -> None:
    proc = subprocess.run(
        serve_command("--model-dir", str(model_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MLVER_SAMPLE_RATE": "often"},
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: sample rate 'often' is not a number from 0 to 1")


def test_help_lists_the_endpoints() -> None:
    proc = subprocess.run(serve_command("--help"), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for text in (
        "/v2/models/NAME",
        "/invocations",
        "/metrics",
        "/mlver/samples",
        "MLVER_SAMPLE_CAP",
    ):
        assert text in proc.stdout


def test_the_server_imports_no_jupyter_or_ipython() -> None:
    code = (
        "import sys, jupyter_mlver.serving.__main__, jupyter_mlver.serving.app;"
        "print([m for m in ('IPython', 'ipykernel', 'jupyter_server', 'tornado', 'traitlets',"
        " 'jupyter_core', 'nbformat', 'git', 'blake3', 'docker') if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
