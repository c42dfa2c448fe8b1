"""KServe and Kubernetes manifests, checked against KServe's CRD schema and Kubernetes' own
(kubernetes-validate, strict). No cluster runs here; `--apply` says so in one line."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import kubernetes_validate
import pytest
import yaml

from jupyter_mlver.core.deploy import kserve
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.records import ModelRecord
from tests.deploy.kserve_schema import errors

IMAGE = "127.0.0.1:5055/team/churn@sha256:" + "ab" * 32
# Versions as KServe's manifests read them (id, name, version): the rest is never looked at.
V1 = cast(ModelRecord, {"id": "1" * 64, "name": "churn", "version": 1})
V2 = cast(ModelRecord, {"id": "2" * 64, "name": "churn", "version": 2})
K8S = "1.32.0"


def test_serverless_canary_is_a_valid_inference_service() -> None:
    isvc = kserve.inference_service("churn", V2, IMAGE, 20, "ml")
    assert errors(isvc) == []
    predictor = isvc["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 20
    assert predictor["containers"][0]["image"] == IMAGE
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Serverless"
    assert isvc["metadata"]["namespace"] == "ml"
    # The schema is strict: a misspelt field is refused.
    broken = kserve.inference_service("churn", V2, IMAGE, 20, None)
    broken["spec"]["predictor"]["canaryTraficPercent"] = 20
    assert any("canaryTraficPercent" in e for e in errors(broken))
    assert (
        "canaryTrafficPercent"
        not in kserve.inference_service("c", V1, IMAGE, None, None)["spec"]["predictor"]
    )


@pytest.mark.parametrize("split", [(1, None), (5, 20), (10, 50)])
def test_raw_objects_are_valid_kubernetes(split: tuple[int, int | None]) -> None:
    total, percent = split
    if percent is None:
        docs = kserve.raw_objects("churn", [(V1, IMAGE, total)], None)
    else:
        old, new = kserve.split_replicas(total, percent)
        assert old + new == total
        assert new == round(total * percent / 100)
        docs = kserve.raw_objects("churn", [(V1, IMAGE, old), (V2, IMAGE, new)], "ml")
    for doc in docs:
        kubernetes_validate.validate(doc, K8S, strict=True)
    service = docs[-1]
    for deployment in docs[:-1]:
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert all(labels[k] == v for k, v in service["spec"]["selector"].items())
    # The same check refuses what a cluster would refuse.
    bad = dict(docs[0], spec={**docs[0]["spec"], "replica": 2})
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S, strict=True)


def test_names_and_splits() -> None:
    assert kserve.k8s_name("churn.model_v2") == "churn-model-v2"
    with pytest.raises(InvalidInput, match="DNS-1035"):
        kserve.k8s_name("2fast")
    assert kserve.split_replicas(5, 1) == (4, 1)
    assert kserve.split_replicas(5, 99) == (1, 4)
    with pytest.raises(InvalidInput):
        kserve.split_replicas(1, 20)


def test_apply_without_a_context_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    manifests = kserve.Manifests([kserve.inference_service("churn", V1, IMAGE, None, None)], IMAGE)
    with pytest.raises(InvalidInput, match="kubectl has none configured"):
        kserve.apply(manifests)
    kserve.write(manifests, tmp_path / "out" / "isvc.yaml")
    assert list(yaml.safe_load_all((tmp_path / "out" / "isvc.yaml").read_text())) == [
        manifests.documents[0]
    ]
