"""Manifests for a cluster: KServe's ``InferenceService`` or a Deployment + Service pair.

Serverless mode (Knative) splits traffic itself: an ``InferenceService`` whose predictor runs
the new image with ``canaryTrafficPercent`` keeps its last rolled-out revision for the rest.
RawDeployment mode has no traffic split (kserve/kserve#5335), so ``raw`` writes plain
Kubernetes objects instead: a Deployment per version behind one Service, the split given by
their replica counts. The image is the serving image as pushed (``repo@sha256:…``), which a
cluster can pull and which never changes under the manifest.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.protocol import Engine
from ..errors import InvalidInput, MlverError
from ..models import aliases as al
from ..models import registry
from ..records import ModelRecord
from ..store.store import Store
from .runtime import MODEL, READY_PATH, SERVER_PORT, VERSION, serving_images

MODES = ("serverless", "raw")
#: DNS-1035 label: what Kubernetes accepts as a Service (and so an InferenceService) name.
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")

Manifest = dict[str, Any]


@dataclass
class Manifests:
    documents: list[Manifest]
    image: str
    file: Path | None = None
    applied: str | None = None  # kubectl's output
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "manifests": self.documents,
            "image": self.image,
            "file": str(self.file) if self.file else None,
            "applied": self.applied,
            "notes": self.notes,
        }

    def yaml(self) -> str:
        import yaml

        return str(yaml.safe_dump_all(self.documents, sort_keys=False))


def k8s_name(name: str) -> str:
    """A deployment name as a DNS-1035 label (dots and underscores become dashes)."""
    text = re.sub(r"[._]+", "-", name.lower()).strip("-")
    if not _DNS_1035.match(text):
        raise InvalidInput(
            f"{name!r} cannot name a Kubernetes service ({text!r} is no DNS-1035 label)",
            "give --name starting with a letter, of letters, digits and dashes, at most 63",
        )
    return text


def pushed_image(store: Store, engine: Engine, model: ModelRecord, prefix: str = "") -> str:
    """The version's serving image as pushed to a registry, by digest."""
    digests = [
        d
        for rid in store.index.images_of_model(model["id"])
        for d in store.get(rid).get("repo_digests") or []
    ]
    if not digests:
        for info in serving_images(store, engine, model, prefix):
            digests += info.repo_digests
    if digests:
        return str(digests[0])
    label = f"{model['name']}:{model['version']}"
    raise InvalidInput(
        f"the serving image {label} was never pushed to a registry",
        f"run `jupyter mlver model build {label} --push REPO`, or give --image REF",
    )


def _labels(name: str, model: ModelRecord) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/managed-by": "jupyter-mlver",
        MODEL: str(model["name"]),
        VERSION: str(model["version"]),
    }


def _container(image: str, name: str, probe_port: bool) -> dict[str, Any]:
    probe: dict[str, Any] = {"path": READY_PATH}
    if probe_port:
        probe["port"] = SERVER_PORT
    return {
        "name": name,
        "image": image,
        "ports": [{"containerPort": SERVER_PORT, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": probe, "periodSeconds": 5},
    }


def _manifest(
    api_version: str, kind: str, metadata: dict[str, Any], namespace: str | None, spec: Manifest
) -> Manifest:
    """A Kubernetes object; ``namespace``, when given, goes into its metadata."""
    if namespace:
        metadata = {**metadata, "namespace": namespace}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


def inference_service(
    name: str, model: ModelRecord, image: str, canary: int | None, namespace: str | None
) -> Manifest:
    metadata: dict[str, Any] = {
        "name": name,
        "labels": _labels(name, model),
        "annotations": {
            "serving.kserve.io/deploymentMode": "Serverless",
            "serving.kserve.io/enable-prometheus-scraping": "true",
            "prometheus.kserve.io/port": str(SERVER_PORT),
            "prometheus.kserve.io/path": "/metrics",
        },
    }
    predictor: dict[str, Any] = {
        "minReplicas": 1,
        # KServe names the predictor's container kserve-container; Knative probes its port.
        "containers": [_container(image, "kserve-container", probe_port=False)],
    }
    if canary is not None:
        predictor = {"canaryTrafficPercent": canary, **predictor}
    spec = {"predictor": predictor}
    return _manifest("serving.kserve.io/v1beta1", "InferenceService", metadata, namespace, spec)


def raw_objects(
    name: str,
    versions: Sequence[tuple[ModelRecord, str, int]],
    namespace: str | None,
) -> list[Manifest]:
    """A Deployment per ``(model, image, replicas)`` and one Service over all of them."""
    docs: list[Manifest] = []
    selector = {"app.kubernetes.io/name": name}
    for model, image, replicas in versions:
        labels = _labels(name, model)
        meta = {"name": f"{name}-v{model['version']}", "labels": labels}
        spec = {
            "replicas": replicas,
            "selector": {"matchLabels": {**selector, VERSION: str(model["version"])}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [_container(image, "server", probe_port=True)]},
            },
        }
        docs.append(_manifest("apps/v1", "Deployment", meta, namespace, spec))
    port = {"name": "http", "port": 80, "targetPort": SERVER_PORT, "protocol": "TCP"}
    spec = {"selector": selector, "ports": [port]}
    docs.append(_manifest("v1", "Service", {"name": name, "labels": selector}, namespace, spec))
    return docs


def split_replicas(total: int, percent: int) -> tuple[int, int]:
    """(stable, canary) replicas whose ratio is nearest ``percent``, each at least 1."""
    if total < 2:
        raise InvalidInput("a split over replicas needs --replicas 2 or more")
    canary = min(total - 1, max(1, round(total * percent / 100)))
    return total - canary, canary


@dataclass(frozen=True)
class KServeOptions:
    mode: str = "serverless"  # or raw
    canary: int | None = None  # percent
    replicas: int | None = None  # raw: in all (default 1, or 5 for a split)
    namespace: str | None = None
    image: str | None = None  # the version's image instead of its pushed serving image
    prefix: str = ""  # c.Mlver.image_prefix

    def __post_init__(self) -> None:
        if self.canary is not None and not 0 <= self.canary <= 100:
            raise InvalidInput(f"--canary {self.canary}: a share must be 0 to 100 (percent)")
        if self.mode == "serverless" and self.replicas is not None:
            raise InvalidInput("--replicas is for --mode raw (Serverless scales by itself)")


def manifests(
    store: Store,
    engine: Callable[[], Engine],
    ref: str,
    name: str | None,
    options: KServeOptions,
) -> Manifests:
    """The manifests for the version ``ref`` names; ``engine`` is called only when a pushed
    image has to be looked up."""
    model = registry.resolve(store, ref)
    name = k8s_name(name or model["name"])

    def image_of(record: ModelRecord) -> str:
        if options.image and record["id"] == model["id"]:
            return options.image
        return pushed_image(store, engine(), record, options.prefix)

    notes: list[str] = []
    if options.mode == "serverless":
        docs = [inference_service(name, model, image_of(model), options.canary, options.namespace)]
        if options.canary is not None:
            notes.append(
                f"KServe keeps the previously rolled-out revision of {name} for the other "
                f"{100 - options.canary}%"
            )
    elif options.canary is None:
        docs = raw_objects(
            name, [(model, image_of(model), options.replicas or 1)], options.namespace
        )
    else:
        stable = _stable(store, model)
        old, new = split_replicas(options.replicas or 5, options.canary)
        pairs = [(stable, image_of(stable), old), (model, image_of(model), new)]
        docs = raw_objects(name, pairs, options.namespace)
        notes.append(f"{new} of {old + new} replicas run the canary (~{100 * new // (old + new)}%)")
    return Manifests(docs, image_of(model), notes=notes)


def _stable(store: Store, model: ModelRecord) -> ModelRecord:
    """What a raw canary splits with: the version holding ``production``."""
    held = al.holder(store, model["name"], "production")
    if held is None or held.model_record == model["id"]:
        raise InvalidInput(
            f"a raw canary of {model['name']}:{model['version']} needs a stable version to split "
            f"with, and {model['name']}@production is " + ("this version" if held else "not set"),
            f"move it with `jupyter mlver model alias {model['name']}:N production`",
        )
    return store.get(held.model_record, ModelRecord)


def write(manifests: Manifests, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(manifests.yaml())
    manifests.file = path


def apply(manifests: Manifests) -> str:
    """``kubectl apply`` the manifests, when kubectl has a current context."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise InvalidInput("--apply needs kubectl, which is not on PATH", "install kubectl")
    context = subprocess.run(
        [kubectl, "config", "current-context"], capture_output=True, text=True, check=False
    )
    if context.returncode != 0 or not context.stdout.strip():
        raise InvalidInput(
            "--apply needs a Kubernetes context, and kubectl has none configured",
            "set one with `kubectl config use-context NAME`, or write the manifests with -o FILE",
        )
    done = subprocess.run(
        [kubectl, "apply", "-f", "-"],
        input=manifests.yaml(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        raise MlverError(
            f"kubectl apply failed in context {context.stdout.strip()}: "
            f"{last[-1] if last else 'no output'}"
        )
    manifests.applied = done.stdout.strip()
    return manifests.applied
