"""Serving images without an engine: the overlay's Dockerfile and inputs, the server's
runtime files and requirements, the names and tags of a version's image."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from jupyter_mlver.core.engine.target import Target
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.images import model_common as model_image
from jupyter_mlver.core.images.extras import Layer
from jupyter_mlver.core.images.overlay import Overlay, Run, context, render
from jupyter_mlver.core.images.runtime_layer import requirements, runtime_layer
from jupyter_mlver.core.records import ModelRecord
from jupyter_mlver.serving import model as served
from tests.serving.helpers import fit_churn, write_model_dir

BASE = "sha256:" + "ab" * 32


def overlay(**changes: object) -> Overlay:
    fields: dict[str, object] = {
        "base": BASE,
        "steps": (Layer("/opt/lib", {"a.py": b"A = 1\n"}), Run(("python", "-m", "compileall"))),
        "tail": (Layer("/opt/model", {"model.json": b"{}"}),),
        "user": "1000:1000",
        "env": {"PYTHONPATH": "/opt/lib"},
        "expose": (8080,),
        "entrypoint": ("python", "-m", "server"),
        "labels": {"io.example": 'say "$HOME"'},
        "header": ("built for a test",),
    }
    return Overlay(**{**fields, **changes})  # type: ignore[arg-type]


def test_render_puts_settings_before_the_tail_and_labels_last() -> None:
    text = render(overlay())
    assert text.splitlines() == [
        "# built for a test",
        f"FROM {BASE}",
        "COPY layers/0/ /opt/lib/",
        "USER 0:0",
        'RUN ["python", "-m", "compileall"]',
        'ENV PYTHONPATH="/opt/lib"',
        "USER 1000:1000",
        "EXPOSE 8080",
        'ENTRYPOINT ["python", "-m", "server"]',
        "COPY layers/2/ /opt/model/",
        'LABEL io.example="say \\"\\$HOME\\""',
    ]
    entries = context(overlay(), text).entries
    assert sorted(entries) == ["Dockerfile", "layers/0/a.py", "layers/2/model.json"]
    assert entries["layers/0/a.py"].data == b"A = 1\n"


def test_inputs_follow_the_content_not_the_labels() -> None:
    first = overlay().inputs()
    assert overlay(labels={"other": "x"}, header=()).inputs() == first
    assert overlay(tail=(Layer("/opt/model", {"model.json": b"[]"}),)).inputs() != first
    assert overlay(base="sha256:" + "cd" * 32).inputs() != first
    assert overlay(user="0:0").inputs() != first


def test_the_runtime_files_are_all_the_server_needs(tmp_path: Path) -> None:
    """Only the runtime's copy of jupyter_mlver on the path: the server imports, loads a
    scikit-learn model and answers, without a module the layer lacks."""
    layer = runtime_layer()
    root = tmp_path / "runtime" / "jupyter_mlver"
    for name, source in layer.files.items():
        assert isinstance(source, Path)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(source.read_bytes())
    model_dir = write_model_dir(tmp_path / "model", fit_churn())
    script = f"""
import pathlib, sys, jupyter_mlver
assert jupyter_mlver.__file__.startswith({str(root)!r}), jupyter_mlver.__file__
import jupyter_mlver.serving.__main__, jupyter_mlver.serving.app as app
from jupyter_mlver.serving.model import load
from starlette.testclient import TestClient
client = TestClient(app.create_app(load(pathlib.Path({str(model_dir)!r})), None))
row = {{"age": 41, "income": 5e4, "plan": "pro", "active": True}}
assert client.post("/invocations", json={{"dataframe_records": [row]}}).status_code == 200
print("\\n".join(sorted(m for m in sys.modules if m.startswith("jupyter_mlver"))))
"""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root.parent), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.split()
    assert "jupyter_mlver.core.models.flavors" in loaded
    assert "jupyter_mlver.core.store.store" not in loaded


def test_the_server_requirements_are_the_serve_extra_for_linux() -> None:
    wanted = requirements(Target("3.11.2", "x86_64", "2.36", probed=True))
    names = [w.split(">")[0].split("=")[0] for w in wanted]
    assert names == ["httptools", "numpy", "prometheus-client", "starlette", "uvicorn", "uvloop"]
    assert all(">=" in w and ";" not in w for w in wanted)


def test_where_the_image_puts_the_model_is_where_the_server_looks() -> None:
    assert Path(model_image.MODEL_DIR) == served.BAKED_IN
    assert model_image.ENTRYPOINT == ("python", "-m", "jupyter_mlver.serving")


def test_repository_names_and_servable_models() -> None:
    assert model_image.repository("reg:5000/team/", "churn") == "reg:5000/team/churn"
    assert model_image.repository("", "a..b-_c.") == "a-b-c"
    record: dict[str, Any] = {"name": "m", "version": 1, "flavor": "file", "signature": None}
    with pytest.raises(InvalidInput, match="plain file"):
        model_image.check_servable(cast(ModelRecord, record))
    tensor = {**record, "flavor": "torch", "signature": {"format": "tensor", "inputs": []}}
    with pytest.raises(InvalidInput, match="N-dimensional tensor"):
        model_image.check_servable(cast(ModelRecord, tensor))
    model_image.check_servable(cast(ModelRecord, {**record, "flavor": "sklearn"}))
