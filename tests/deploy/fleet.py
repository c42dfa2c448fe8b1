"""The deploy tests' project (and the benchmark's): one model, four versions, three serving
images built with ``model build`` from a snapshot whose environment is a small venv; and, for
the latency tests, a second model whose versions answer with a busy machine's latency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.models.signature import infer_signature
from jupyter_mlver.core.records import ModelRecord, Record
from jupyter_mlver.core.snapshot import take as snapshot_module
from jupyter_mlver.core.snapshot.take import SnapshotOptions
from jupyter_mlver.core.store.store import Store
from tests.deploy import toy_models
from tests.images.helpers import make_venv, venv_environment
from tests.support import CLI, git

#: What the toy models need in their serving image, at this process's versions.
LIBRARIES = ("numpy", "pandas", "cloudpickle")


def training_frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(0, 1, rows) + shift
    x2 = rng.uniform(0, 1, rows)
    frame: pd.DataFrame = pd.DataFrame({"x1": x1, "x2": x2, "y": (x1 + x2 > 1).astype(int)})
    return frame


@dataclass
class Fleet:
    """A project whose model ``name`` has versions 1 (good), 2 (good), 3 (fails when
    x1 > 0.8), and 4 (registered, no serving image)."""

    root: Path
    name: str
    versions: dict[int, ModelRecord]
    proxy_image: str
    base: str = ""
    environment: Record | None = None  # the snapshots' (the small venv's)

    def cli(self) -> CLI:
        return CLI(self.root)

    @property
    def env(self) -> dict[str, str]:
        return {"MLVER_PROXY_IMAGE": self.proxy_image}


def make_fleet(tmp: Path, engine: DockerEngine, base: str, proxy_image: str) -> Fleet:
    root = tmp / "project"
    (root / "data").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "train.py").write_text("print('training')\n")
    git(root, "add", "train.py")
    git(root, "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-q", "-m", "t")
    training_frame(1000, seed=1).to_csv(root / "data" / "train.csv", index=False)
    python = make_venv(tmp / "venv", *(f"{n}=={metadata.version(n)}" for n in LIBRARIES))
    name = f"deploytest-{uuid.uuid4().hex[:6]}"
    cloudpickle.register_pickle_by_value(toy_models)
    models = {
        1: toy_models.Threshold(1.0),
        2: toy_models.Threshold(0.9),
        3: toy_models.FailsOnLargeX1(1.0),
        4: toy_models.Threshold(0.8),
    }
    example = training_frame(5, seed=2)[["x1", "x2"]]
    versions: dict[int, ModelRecord] = {}
    with Store.open(root, create=True) as store, pytest.MonkeyPatch.context() as mp:
        # The snapshot's environment is the small venv's: that is what the images are built of.
        environment = venv_environment(python)
        mp.setattr(snapshot_module, "capture_environment", lambda *a, **k: environment)
        snap = snapshot_module.take_snapshot(
            store, SnapshotOptions(message="train", data=[str(root / "data" / "train.csv")])
        )
        for v, obj in models.items():
            prepared = prepare_object(obj, name="model", serializer="cloudpickle")
            versions[v] = registry.register(
                store,
                prepared,
                RegistrationOptions(name, signature=infer_signature(example)),
                snapshot=snap["id"],
            )
            prepared.cleanup()
            if v < 4:
                build_model_image(store, ModelImageOptions(f"{name}:{v}", base=base), engine)
    return Fleet(root, name, versions, proxy_image, base, environment)


def add_busy_model(fleet: Fleet, engine: DockerEngine) -> str:
    """Model ``<fleet>-busy``, gated on accuracy: versions 1 and 2 alike with a busy machine's
    latency (2 trained with a lower accuracy, so the gate keeps it out of production), 3 the
    same answering 10 ms later. Their images reuse the fleet's environment image."""
    name = f"{fleet.name}-busy"
    example = training_frame(5, seed=2)[["x1", "x2"]]
    models = {
        1: (toy_models.Jittery(1.0, 0.0, seed=1), 0.9),
        2: (toy_models.Jittery(1.0, 0.0, seed=2), 0.8),
        3: (toy_models.Jittery(1.0, 10.0, seed=3), 0.9),
    }
    with Store.open(fleet.root) as store, pytest.MonkeyPatch.context() as mp:
        mp.setattr(snapshot_module, "capture_environment", lambda *a, **k: fleet.environment)
        for v, (obj, accuracy) in models.items():
            snap = snapshot_module.take_snapshot(
                store, SnapshotOptions(message=f"busy {v}", metrics={"accuracy": accuracy})
            )
            prepared = prepare_object(obj, name="model", serializer="cloudpickle")
            options = RegistrationOptions(
                name, gate=Gate("accuracy"), signature=infer_signature(example)
            )
            registry.register(store, prepared, options, snapshot=snap["id"])
            prepared.cleanup()
            build_model_image(store, ModelImageOptions(f"{name}:{v}", base=fleet.base), engine)
    return name
