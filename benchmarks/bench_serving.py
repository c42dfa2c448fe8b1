"""The model server against ``mlflow models serve``, the same scikit-learn model behind both.

    .venv/bin/python benchmarks/bench_serving.py [--seconds 5] [--rounds 3] [--connections 4]

The model is the tests' churn pipeline (scaler, one-hot encoder, logistic regression over an
int, a float, a string and a bool column), fitted here; ``--model dummy`` puts a
DummyClassifier on the same columns instead, whose predict costs next to nothing, so what is
measured is each server's own work. It is written twice: as a jupyter_mlver
model directory (``model.json`` + ``artifact/`` from ``flavors.save_model``) and, in a venv of
its own under ``benchmarks/.work`` (mlflow brings about a hundred packages, Flask, gunicorn and
SQLAlchemy among them, that the project's venv must not get), with ``mlflow.sklearn.save_model``
and the signature inferred from the same rows; both venvs have scikit-learn 1.9.1 and pandas 3.

The servers run side by side, one process each (``--workers 1`` for mlflow; ours has no
workers), and are loaded one at a time, taking turns: ``python -m jupyter_mlver.serving`` on
loopback (defaults: uvicorn with uvloop and httptools, every request's rows sampled to the
sample log), the same server in its serving image (``model build``, see ``_serving_image.py``;
a container on the engine's bridge network, reached at its own address as a cluster reaches a
pod; ``--no-image`` leaves it out) and ``mlflow models serve --env-manager local`` on loopback
(MLflow 3 serves with FastAPI on uvicorn). Every answer is checked against the model's
predictions in this process first.

The load generator is ``wrk`` (Debian's package, installed when missing): one thread,
``--connections`` kept-alive connections, ``--seconds`` per case after a 1 s warm-up, the median
of ``--rounds`` runs, POSTing ``dataframe_split`` JSON of 1 and of 1,000 rows to
``/invocations`` (and the same rows as v2 tensors to ours). Printed: requests/s and wrk's p50/p99
latency, side by side with the ratio (of the medians, and the lowest and highest of the runs);
then the time from start to ready and the resident memory after the load; then the serving
image's build times and its size above its base; then (unless ``--no-sizes``) the sizes and
cold and next-version build times of model-sized and ``--env snapshot`` serving images for a
small kernel and a JupyterLab kernel (``_image_sizes.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from _common import BIN, WORK, peer_venv, table
from sklearn.dummy import DummyClassifier

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _image_sizes import HEADERS, size_rows  # noqa: E402
from _serving_image import ServedImage, serve_image  # noqa: E402
from _serving_image import _venv as serving_venv  # noqa: E402

from tests.images.helpers import DEFAULT_BASE  # noqa: E402
from tests.serving.helpers import fit_churn, training_frame, write_model_dir  # noqa: E402

MLFLOW = ("mlflow==3.17.2", "scikit-learn==1.9.1")
IMAGE = "jupyter_mlver image"
SAVE_FOR_MLFLOW = """
import sys, joblib, pandas as pd, mlflow.sklearn
from mlflow.models import infer_signature
model = joblib.load(sys.argv[1])
rows = pd.read_json(sys.argv[2], orient="split", dtype={"plan": object})
mlflow.sklearn.save_model(model, sys.argv[3], signature=infer_signature(rows))
"""
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("{body}", "rb")
wrk.body = f:read("*a")
f:close()
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float


def start_server(
    command: Callable[[int], list[str | Path]], env: dict[str, str]
) -> tuple[str, subprocess.Popen[bytes], float]:
    """A server on a free port: its URL, its process and how long it took to be ready."""
    port = free_port()
    started = time.perf_counter()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(c) for c in command(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return url, proc, wait_ready(url, proc) - started


def write_bodies(work: Path, rows: dict[int, Any]) -> dict[str, Path]:
    """The request bodies of each payload: a dataframe_split and v2 tensors."""
    bodies: dict[str, Path] = {}
    for n, frame in rows.items():
        split = json.loads(frame.to_json(orient="split", index=False))
        bodies[f"{n} row(s), /invocations"] = write(
            work / f"split-{n}.json", {"dataframe_split": split}
        )
        tensors = [
            {"name": c, "shape": [n], "datatype": t, "data": frame[c].tolist()}
            for c, t in zip(frame.columns, ("INT64", "FP64", "BYTES", "BOOL"), strict=True)
        ]
        bodies[f"{n} row(s), v2 infer"] = write(work / f"v2-{n}.json", {"inputs": tensors})
    return bodies


def measure(
    urls: dict[str, str], bodies: dict[str, Path], args: argparse.Namespace, wrk: str
) -> dict[tuple[str, str], list[Load]]:
    """Each payload on each server, ``args.rounds`` times."""
    runs: dict[tuple[str, str], list[Load]] = {}
    for round_ in range(args.rounds):
        for case, body in bodies.items():
            path = "/v2/models/churn/infer" if "v2" in case else "/invocations"
            lua = body.with_suffix(".lua")
            lua.write_text(LUA.format(body=body))
            # Every server is up (idle costs nothing); alternating who goes first spreads
            # the machine's other load over them.
            for name in sorted(urls, reverse=bool(round_ % 2)):
                if "v2" in case and name == "mlflow serve":
                    continue
                url = urls[name] + path
                run_wrk(wrk, url, lua, 1, args.connections)  # warm-up
                load = run_wrk(wrk, url, lua, args.seconds, args.connections)
                runs.setdefault((case, name), []).append(load)
                print(f"round {round_ + 1}: {name:20} {case:28} {load}", file=sys.stderr)
    return runs


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--model", choices=["pipeline", "dummy"], default="pipeline",
        help="dummy: a DummyClassifier on the same columns, to see each server's own cost",
    )  # fmt: skip
    parser.add_argument(
        "--base", default=os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE,
        help="base of the serving image's environment image ($MLVER_TEST_BASE_IMAGE)",
    )  # fmt: skip
    parser.add_argument(
        "--no-image", action="store_true", help="leave out the serving image (no engine needed)"
    )
    parser.add_argument(
        "--no-sizes", action="store_true",
        help="leave out the image sizes and cold builds (small and JupyterLab kernels, both --env)",
    )  # fmt: skip
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    wrk = ensure_wrk()
    work = WORK / "serving"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    frame = training_frame(2000, seed=1)
    model = fit_churn(frame)
    if args.model == "dummy":
        model = DummyClassifier().fit(frame, model.predict(frame))
    ours_dir = write_model_dir(work / "ours", model)
    rows = {n: training_frame(n, seed=n) for n in (1, 1000)}
    expected = {n: model.predict(frame).tolist() for n, frame in rows.items()}
    (work / "rows.json").write_text(rows[1000].to_json(orient="split", index=False))
    mlflow_bin = peer_venv("mlflow", MLFLOW)
    subprocess.run(
        [mlflow_bin / "python", "-c", SAVE_FOR_MLFLOW, ours_dir / "artifact" / "model.joblib",
         work / "rows.json", work / "mlflow"],
        check=True,
    )  # fmt: skip

    bodies = write_bodies(work, rows)

    servers: dict[str, Callable[[int], list[str | Path]]] = {
        "jupyter_mlver": lambda port: [
            BIN / "python", "-m", "jupyter_mlver.serving", "--model-dir", ours_dir,
            "--host", "127.0.0.1", "--port", str(port),
        ],
        "mlflow serve": lambda port: [
            mlflow_bin / "mlflow", "models", "serve", "-m", work / "mlflow", "--env-manager",
            "local", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        ],
    }  # fmt: skip
    # mlflow starts ``uvicorn`` from PATH.
    env = {
        "jupyter_mlver": {"MLVER_SAMPLE_DIR": str(work / "samples")},
        "mlflow serve": {"PATH": f"{mlflow_bin}{os.pathsep}{os.environ['PATH']}"},
    }
    urls: dict[str, str] = {}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    startup: dict[str, float] = {}
    image: ServedImage | None = None
    try:
        for name, command in servers.items():
            urls[name], procs[name], startup[name] = start_server(command, env[name])
        if not args.no_image:
            print("building the serving image …", file=sys.stderr)
            image = serve_image(model, rows[1000].head(), args.base)
            urls[IMAGE] = image.url
            startup[IMAGE] = image.startup
        for name, url in urls.items():
            for n, frame_expected in expected.items():
                got = post(f"{url}/invocations", bodies[f"{n} row(s), /invocations"])
                assert got["predictions"] == frame_expected, f"{name}: wrong predictions"
        runs = measure(urls, bodies, args, wrk)
        memory = {name: rss_mib(proc.pid) for name, proc in procs.items()}
        if image is not None:
            memory[IMAGE] = image.rss_mib()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
        if image is not None:
            image.stop()
    print(
        f"\n{args.connections} connection(s), median of {args.rounds} runs of {args.seconds} s, "
        "wrk; ratio = jupyter_mlver / mlflow (req/s: higher is better)\n"
    )
    print(load_table(bodies, urls, runs))
    print()
    print(table(
        ["server", "start to ready", "memory after load"],
        [[n, f"{startup[n]:.1f} s", f"{memory[n]:.0f} MiB"] for n in urls],
    ))  # fmt: skip
    if image is not None:
        report_image(image, None if args.no_sizes else (model, rows[1000].head()))


def load_table(
    bodies: dict[str, Path], urls: dict[str, str], runs: dict[tuple[str, str], list[Load]]
) -> str:
    """Per payload and server: the median req/s, p50 and p99 against mlflow's."""
    results = {key: median_load(loads) for key, loads in runs.items()}
    rows_out = []
    for case in bodies:
        peer = results.get((case, "mlflow serve"))
        for name in [n for n in urls if n != "mlflow serve"]:
            ours = results[(case, name)]
            rows_out.append([
                case, name,
                f"{ours.rps:,.0f}", f"{peer.rps:,.0f}" if peer else "-",
                f"{ours.rps / peer.rps:.2f}x" if peer else "",
                spread(runs[(case, name)], runs.get((case, "mlflow serve"))),
                f"{ours.p50_ms:.2f}", f"{peer.p50_ms:.2f}" if peer else "-",
                f"{ours.p99_ms:.2f}", f"{peer.p99_ms:.2f}" if peer else "-",
            ])  # fmt: skip
    return table(
        ["payload", "ours", "ours req/s", "mlflow req/s", "ratio", "ratio per run", "ours p50 ms",
         "mlflow p50 ms", "ours p99 ms", "mlflow p99 ms"],
        rows_out,
    )  # fmt: skip


def report_image(image: ServedImage, sizes_of: tuple[Any, Any] | None) -> None:
    """The serving image's builds and size; with ``(model, example)`` the model-sized and
    --env snapshot images of a small kernel and a JupyterLab kernel too."""
    print()
    print(table(["serving image build", "seconds"], [[w, f"{t:.1f}"] for w, t in image.builds]))
    print()
    added = image.image_size - image.env_size
    print(table(
        ["image", "size"],
        [["base image alone", f"{image.env_size / 2**20:,.0f} MiB"],
         ["serving image (model-sized)", f"{image.image_size / 2**20:,.0f} MiB"],
         ["above the base", f"{added / 2**20:,.1f} MiB"]],
    ))  # fmt: skip
    if sizes_of is not None:
        sized = size_rows(*sizes_of, serving_venv())
        print(
            "\nserving images of a small kernel and a JupyterLab kernel, cold (--no-cache, wheels "
            "in the host pip's cache) and the next version\n"
        )
        print(table(HEADERS, [row.cells() for row in sized]))


def spread(ours: list[Load], peer: list[Load] | None) -> str:
    """The lowest and highest ratio of the runs (each run's servers loaded back to back)."""
    if not peer:
        return ""
    ratios = [a.rps / b.rps for a, b in zip(ours, peer, strict=False)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}x"


def median_load(loads: list[Load]) -> Load:
    return Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
    )


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get …", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return shutil.which("wrk") or "wrk"
    raise SystemExit("bench_serving.py needs wrk (apt-get install wrk, brew install wrk)")


def write(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> float:
    """When the server first answered ``/ping`` (perf_counter)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=5) as answer:
                if answer.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} was not ready in 180 s")


def post(url: str, body: Path) -> Any:
    request = urllib.request.Request(
        url, data=body.read_bytes(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def run_wrk(wrk: str, url: str, script: Path, seconds: int, connections: int) -> Load:
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"errors under load at {url}:\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rps, out
    return Load(float(rps.group(1)), percentile(out, "50"), percentile(out, "99"))


def percentile(out: str, which: str) -> float:
    match = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    assert match, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return float(match.group(1)) * scale


def rss_mib(pid: int) -> float:
    parent = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20


if __name__ == "__main__":
    main()
