"""Serving images for the deploy tests: the test base image, the server's wheels (resolved on
the host, installed with --no-index), jupyter_mlver's package and a model directory, labelled
and tagged ``NAME:VERSION`` the way ``model build`` does."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import jupyter_mlver
from jupyter_mlver.core.images.docker_engine import DockerEngine

PACKAGES = [
    "numpy==2.4.6", "pandas==3.1.1", "cloudpickle==3.1.3", "starlette==1.10.0",
    "uvicorn==0.54.0", "prometheus-client==0.26.0", "httptools==0.9.0",
]  # fmt: skip
DOCKERFILE = """\
FROM {base}
COPY wheels /tmp/wheels
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -q --no-index /tmp/wheels/*.whl \\
    && rm -rf /tmp/wheels /root/.cache
COPY app /opt/app
COPY model /opt/mlver/model
ENV PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin PYTHONPATH=/opt/app
USER 65534
EXPOSE 8080
ENTRYPOINT ["python", "-m", "jupyter_mlver.serving"]
LABEL io.mlver.model={name} io.mlver.model.version={version}
"""


def download_wheels(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
         "--platform", "manylinux2014_x86_64", "--platform", "any", "-d", str(dest),
         *PACKAGES],
        check=True, capture_output=True,
    )  # fmt: skip
    return dest


def _package(tar: tarfile.TarFile) -> None:
    root = Path(jupyter_mlver.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tar.add(path, f"app/jupyter_mlver/{path.relative_to(root)}")


def build(
    engine: DockerEngine, base: str, wheels: Path, model_dir: Path, name: str, version: int
) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = DOCKERFILE.format(base=base, name=name, version=version).encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        tar.add(wheels, "wheels")
        _package(tar)
        tar.add(model_dir, "model")
    buffer.seek(0)
    image = engine.build(buffer, nocache=False, on_line=lambda _: None, on_step=lambda *_: None)
    engine.tag(image, f"{name}:{version}")
    return image
