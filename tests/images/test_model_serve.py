"""``model serve``: the session's serving image run on the real engine from the CLI, in the
background and in the foreground, and its one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from jupyter_mlver.core.deploy.serve import SERVE_LABEL
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object
from jupyter_mlver.core.models.options import RegistrationOptions
from tests.images.conftest import ServingImage
from tests.images.model_helpers import variant
from tests.kernel.conftest import Kernel
from tests.serving.helpers import training_frame

from .helpers import CLI, cli
from .model_helpers import free_port, request


def servers(engine: DockerEngine) -> list[str]:
    return [c.labels[SERVE_LABEL] for c in engine.containers({SERVE_LABEL: ""})]


def predict(url: str, serving_image: ServingImage) -> None:
    frame = training_frame(7, seed=5)
    split = json.loads(frame.to_json(orient="split", index=False))
    status, answer = request(f"{url}/invocations", {"dataframe_split": split})
    assert status == 200, answer
    assert answer == {"predictions": serving_image.churn.model.predict(frame).tolist()}


def test_detached_then_stopped(serving_image: ServingImage, engine: DockerEngine) -> None:
    project = serving_image.churn.project
    port = free_port()
    proc = cli(project, "model", "serve", "churn@production", "--port", str(port), "--detach",
               "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    try:
        assert out["url"] == f"http://127.0.0.1:{port}"
        assert (out["model"], out["version"], out["port"]) == ("churn", 1, port)
        assert out["image"] == serving_image.image
        assert out["detached"] is True
        assert out["stopped"] is False
        assert request(f"{out['url']}/v2/health/ready")[0] == 200
        predict(out["url"], serving_image)
        assert "churn:1" in servers(engine)
        # The port is taken now: one line that names who holds it.
        again = cli(project, "model", "serve", "churn:1", "--port", str(port), "--detach")
        assert again.returncode == 1
        assert f"port {port} is in use by the model server of churn:1" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1
    finally:
        stop = cli(project, "model", "serve", "--stop", "churn:1")
    assert stop.returncode == 0, stop.stderr
    assert f"stopped churn:1 (mlver-serve-churn-1-{port})" in stop.stdout
    assert "churn:1" not in servers(engine)
    assert engine.container(out["container_id"]) is None
    nothing = cli(project, "model", "serve", "--stop")
    assert "no model server" in nothing.stdout


def foreground(serving_image: ServingImage, port: int) -> tuple[subprocess.Popen[str], str]:
    """``model serve churn:1`` in the foreground, once it says it is serving; its stderr."""
    proc = subprocess.Popen(
        [str(CLI), "model", "serve", "churn:1", "--port", str(port)],
        cwd=serving_image.churn.project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while not any(f"serving churn:1 at http://127.0.0.1:{port}" in ln for ln in seen):
        assert time.monotonic() < deadline, "".join(seen)
        line = proc.stderr.readline()
        assert line or proc.poll() is None, "".join(seen)
        seen.append(line)
    return proc, "".join(seen)


def test_foreground_follows_the_log_until_interrupted(
    serving_image: ServingImage, engine: DockerEngine
) -> None:
    port = free_port()
    proc, seen = foreground(serving_image, port)
    try:
        predict(f"http://127.0.0.1:{port}", serving_image)
        assert "churn:1" in servers(engine)
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "serving churn version 1 (sklearn)" in seen + stderr  # the server's own log line
    assert f"stopped churn:1 (mlver-serve-churn-1-{port})" in stdout
    assert "churn:1" not in servers(engine)


def test_foreground_says_when_the_server_stops_by_itself(
    serving_image: ServingImage, engine: DockerEngine
) -> None:
    port = free_port()
    proc, _ = foreground(serving_image, port)
    try:
        (container,) = engine.containers({SERVE_LABEL: "churn:1"})
        engine.api.kill(container.id)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("jupyter mlver: error: the server of churn:1 stopped by itself"), last
    assert "churn:1" not in servers(engine)


def test_one_line_errors(serving_image: ServingImage, tmp_path: Path) -> None:
    project = serving_image.churn.project
    with serving_image.churn.store() as store:
        prepared = prepare_object(variant(serving_image.churn.model, "errors"), name="clf")
        try:
            version = registry.register(
                store,
                prepared,
                RegistrationOptions("churn"),
                snapshot=serving_image.churn.snapshot["id"],
            )["version"]
        finally:
            prepared.cleanup()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cases = [
            (["churn:1", "--port", str(port)], f"port {port} is in use on this machine"),
            (
                [f"churn:{version}"],
                f"model churn:{version} has no serving image in this engine "
                f"(run `jupyter mlver model build churn:{version}` first, or serve with --build)",
            ),
            (["nosuch"], "no model named 'nosuch'"),
            (["churn@nosuch"], "model churn has no alias 'nosuch'"),
            ([], "model serve needs a model ref"),
        ]
        for args, message in cases:
            proc = cli(project, "model", "serve", *args, "--detach")
            assert proc.returncode == 1, (args, proc.stdout)
            assert message in proc.stderr, proc.stderr
            assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = subprocess.run(
        [str(CLI), "model", "serve", "churn:1"],
        cwd=project, capture_output=True, text=True,
        env={**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no.sock"},
    )  # fmt: skip
    assert proc.returncode == 1
    assert "no Docker engine answers" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_magics_build_serve_and_stop(
    serving_image: ServingImage, base_image: str, prefix: str, tmp_path: Path
) -> None:
    """``%mlver model build|serve`` are the same declarations, through a real kernel."""
    project = serving_image.churn.project
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONUNBUFFERED": "1"}
    kernel = Kernel(project, env)
    try:
        kernel.ok(f"get_ipython().config.Mlver.image_prefix = {prefix!r}")
        kernel.ok("%load_ext jupyter_mlver")
        built = kernel.ok(f"%mlver model build churn@production --base {base_image} --env snapshot")
        text = built["results"][-1]["text/plain"]
        assert f"reused {prefix}churn:1 (" in text
        port = free_port()
        served = kernel.ok(f"%mlver model serve churn:1 --port {port} --detach")
        assert f"serving churn:1 at http://127.0.0.1:{port}" in served["results"][-1]["text/plain"]
        predict(f"http://127.0.0.1:{port}", serving_image)
        stopped = kernel.ok("%mlver model serve --stop churn")
        assert (
            f"stopped churn:1 (mlver-serve-churn-1-{port})" in stopped["results"][-1]["text/plain"]
        )
        failed = kernel.run("%mlver model build nosuch")
        assert "no model named 'nosuch'" in failed["stderr"]
        assert failed["error"] is None  # one red line, no traceback
    finally:
        kernel.close()


def test_build_builds_the_missing_image_first(
    serving_image: ServingImage, base_image: str, prefix: str, with_prefix: None
) -> None:
    with serving_image.churn.store() as store:
        prepared = prepare_object(variant(serving_image.churn.model, "build"), name="clf")
        try:
            version = registry.register(
                store,
                prepared,
                RegistrationOptions("churn"),
                snapshot=serving_image.churn.snapshot["id"],
            )["version"]
        finally:
            prepared.cleanup()
    project = serving_image.churn.project
    port = free_port()
    proc = cli(project, "model", "serve", f"churn:{version}", "--build", "--base", base_image,
               "--port", str(port), "--detach", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    try:
        assert out["image"] == f"{prefix}churn:{version}"
        predict(out["url"], serving_image)
    finally:
        stopped = cli(project, "model", "serve", "--stop", f"churn:{version}")
    assert f"stopped churn:{version}" in stopped.stdout
