"""For teams beyond one machine: KServe manifests of the pushed serving image, and the
Prometheus scrape config and alert rules, checked by promtool and run by a real Prometheus
against a live deployment."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from jupyter_mlver.core.engine.docker import DockerEngine
from tests.deploy.conftest import SETUP_HINT, free_port
from tests.deploy.fleet import Fleet
from tests.deploy.kserve_schema import errors
from tests.deploy.traffic import Client


@pytest.fixture(scope="module")
def pushed(fleet: Fleet, engine: DockerEngine) -> str:
    """The registry the serving images of versions 1 and 2 were pushed to."""
    registry = os.environ.get("MLVER_TEST_REGISTRY", "127.0.0.1:5055")
    for v in (1, 2):
        ref = f"{registry}/{fleet.name}:{v}"
        engine.tag(f"{fleet.name}:{v}", ref)
        try:
            engine.push(ref, lambda _: None)
        except Exception as e:
            pytest.fail(f"cannot push to the registry at {registry}: {e}. {SETUP_HINT}")
    return registry


def test_kserve_serverless_canary(fleet: Fleet, pushed: str, tmp_path: Path) -> None:
    out = tmp_path / "isvc.yaml"
    result = fleet.cli().json(
        "deploy", f"{fleet.name}:2", "--target", "kserve", "--canary", "20", "--name", "churn",
        "-o", str(out),
    )  # fmt: skip
    docs = list(yaml.safe_load_all(out.read_text()))
    assert docs == result["manifests"]
    assert len(docs) == 1
    assert errors(docs[0]) == []
    predictor = docs[0]["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 20
    image = predictor["containers"][0]["image"]
    assert image.startswith(f"{pushed}/{fleet.name}@sha256:")
    assert image == result["image"]


def test_kserve_raw_split(fleet: Fleet, pushed: str) -> None:
    cli = fleet.cli()
    cli("model", "alias", f"{fleet.name}:1", "production", "--force", "--reason", "stable")
    text = cli("deploy", f"{fleet.name}:2", "--target", "kserve", "--mode", "raw",
               "--canary", "20", "--replicas", "5", "--name", "churn").stdout  # fmt: skip
    docs = [d for d in yaml.safe_load_all(text) if d]
    for doc in docs:
        kubernetes_validate.validate(doc, "1.32.0", strict=True)
    kinds = [(d["kind"], d["spec"].get("replicas")) for d in docs]
    assert kinds == [("Deployment", 4), ("Deployment", 1), ("Service", None)]
    images = [d["spec"]["template"]["spec"]["containers"][0]["image"] for d in docs[:2]]
    assert all(i.startswith(f"{pushed}/{fleet.name}@sha256:") for i in images)
    assert images[0] != images[1]
    line = cli("deploy", f"{fleet.name}:1", "--target", "kserve", "--image", "x/y:1",
               "--apply", check=False, env={"KUBECONFIG": "/nonexistent"})  # fmt: skip
    assert line.returncode == 1
    assert "kubectl has none configured" in line.stderr


def test_kserve_needs_a_pushed_image(fleet: Fleet) -> None:
    proc = fleet.cli()("deploy", f"{fleet.name}:3", "--target", "kserve", check=False)
    assert proc.returncode == 1
    assert f"the serving image {fleet.name}:3 was never pushed" in proc.stderr


@pytest.fixture
def prometheus_bin() -> Path:
    found = Path(os.environ.get("MLVER_TEST_PROMETHEUS", "/opt/mlver-prometheus/usr/bin"))
    if not (found / "promtool").exists():
        pytest.fail(f"no promtool in {found}: run scripts/ensure-prometheus.sh (make test does)")
    return found


@pytest.fixture
def running(fleet: Fleet) -> Iterator[tuple[str, int]]:
    d, port = f"{fleet.name}-prom", free_port()
    fleet.cli()("deploy", f"{fleet.name}:1", "--name", d, "--port", str(port), env=fleet.env)
    try:
        yield d, port
    finally:
        fleet.cli()("deploy", "stop", d, env=fleet.env)


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/query?query={urllib.parse.quote(expr)}") as r:
        result: list[dict[str, Any]] = json.loads(r.read())["data"]["result"]
        return result


def test_prometheus_scrapes_the_deployment(
    fleet: Fleet, prometheus_bin: Path, running: tuple[str, int], tmp_path: Path
) -> None:
    d, port = running
    out = tmp_path / "prom"
    fleet.cli()("deploy", "prometheus", d, "-o", str(out), "--max-p95-ms", "250")
    for args in (["check", "config", str(out / "prometheus.yml")],
                 ["check", "rules", str(out / "mlver-rules.yml")]):  # fmt: skip
        done = subprocess.run([prometheus_bin / "promtool", *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    # The error-rate rule fires on a version failing 20% of 60 requests a minute.
    rules = yaml.safe_load((out / "mlver-rules.yml").read_text())["groups"][0]["rules"]
    description = next(r for r in rules if r["alert"] == "MlverErrorRate")["annotations"][
        "description"
    ]
    (out / "test.yml").write_text(yaml.safe_dump({
        "rule_files": ["mlver-rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": f'mlver_requests_total{{deployment="{d}",model="m",version="2"}}',
                 "values": "0+60x10"},
                {"series": f'mlver_request_errors_total{{deployment="{d}",model="m",version="2"}}',
                 "values": "0+12x10"},
            ],
            "alert_rule_test": [{
                "eval_time": "8m", "alertname": "MlverErrorRate",
                "exp_alerts": [{
                    "exp_labels": {"severity": "page", "deployment": d, "model": "m",
                                   "version": "2"},
                    "exp_annotations": {
                        "summary": f"m:2 of deployment {d} fails 20% of its requests",
                        "description": description,
                    },
                }],
            }],
        }],
    }))  # fmt: skip
    done = subprocess.run([prometheus_bin / "promtool", "test", "rules", out / "test.yml"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    client = Client(port, fleet.name)
    assert client.versions(30) == {"1": 30}
    web = free_port()
    proc = subprocess.Popen(
        [prometheus_bin / "prometheus", f"--config.file={out / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{web}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{web}"
        deadline = time.monotonic() + 60
        series: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                up = _query(url, f'up{{deployment="{d}"}}')
                series = _query(url, f'sum by (version) (mlver_requests_total{{deployment="{d}"}})')
            except OSError:
                continue
            if len(up) == 2 and all(s["value"][1] == "1" for s in up) and series:
                break
        assert {s["metric"]["job"] for s in up} == {f"mlver-{d}-server", f"mlver-{d}-proxy"}
        assert [(s["metric"]["version"], float(s["value"][1])) for s in series] == [("1", 30.0)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
