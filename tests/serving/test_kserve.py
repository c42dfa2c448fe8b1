"""The manual's KServe InferenceServices (docs/serving.md), checked offline.

kubernetes-validate bundles the Kubernetes core schemas but not KServe's CRDs: the predictor
(a PodSpec plus KServe's component fields) is validated strictly as a core/v1 Pod, the rest
against what KServe's custom predictor needs, and every path the YAML points at is asked of
the server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from starlette.testclient import TestClient

from jupyter_mlver.serving.__main__ import parser

SERVING_PAGE = Path(__file__).resolve().parents[2] / "docs" / "serving.md"
# Fields of KServe's ComponentExtensionSpec that a predictor has next to its PodSpec.
KSERVE_FIELDS = {
    "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "scaleMetricType",
    "containerConcurrency", "timeout", "canaryTrafficPercent", "logger", "batcher", "labels",
    "annotations", "deploymentStrategy", "autoScaling",
}  # fmt: skip
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def inference_services() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", SERVING_PAGE.read_text(), re.DOTALL)
    docs = [yaml.safe_load(b) for b in blocks]
    return [d for d in docs if d.get("kind") == "InferenceService"]


SERVICES = inference_services()


def test_the_manual_shows_both_ways() -> None:
    assert len(SERVICES) == 2
    envs = [
        {e["name"] for e in s["spec"]["predictor"]["containers"][0].get("env", [])}
        for s in SERVICES
    ]
    assert "STORAGE_URI" not in envs[0]  # the model baked into the image
    assert "STORAGE_URI" in envs[1]  # the model from storage, in /mnt/models


@pytest.mark.parametrize("isvc", SERVICES, ids=[s["metadata"]["name"] for s in SERVICES])
def test_inference_service(isvc: dict[str, Any], client: TestClient) -> None:
    assert isvc["apiVersion"] == "serving.kserve.io/v1beta1"
    assert DNS_1123.match(isvc["metadata"]["name"])
    assert set(isvc["spec"]) == {"predictor"}
    predictor = isvc["spec"]["predictor"]
    pod_spec = {k: v for k, v in predictor.items() if k not in KSERVE_FIELDS}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": isvc["metadata"]["name"]},
        "spec": pod_spec,
    }
    kubernetes_validate.validate(pod, kubernetes_validate.latest_version(), strict=True)

    [container] = predictor["containers"]
    assert container["name"] == "kserve-container"
    assert [p["containerPort"] for p in container["ports"]] == [8080]
    if "command" in container:
        assert container["command"][-2:] == ["-m", "jupyter_mlver.serving"]
        parser().parse_args(container.get("args", []))
    for env in container.get("env", []):
        if env["name"].startswith("MLVER_SAMPLE_RATE"):
            assert 0 <= float(env["value"]) <= 1
    for probe in ("readinessProbe", "livenessProbe"):
        if probe in container:
            assert container[probe]["httpGet"]["port"] == 8080
            assert client.get(container[probe]["httpGet"]["path"]).status_code == 200
    annotations = isvc["metadata"].get("annotations", {})
    if "prometheus.kserve.io/path" in annotations:
        assert annotations["prometheus.kserve.io/port"] == "8080"
        metrics = client.get(annotations["prometheus.kserve.io/path"])
        assert "mlver_requests_total" in metrics.text


def test_strict_validation_catches_a_mistake() -> None:
    isvc = SERVICES[0]
    container = {**isvc["spec"]["predictor"]["containers"][0], "port": 8080}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [container]},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, kubernetes_validate.latest_version(), strict=True)
