"""Environment images: cold build, code-only rebuild, reuse, and size.

    DOCKER_HOST=... .venv/bin/python benchmarks/bench_images.py [--base IMAGE] [--repeat 3]

The kernel is a venv with numpy, pandas and scikit-learn (and their dependencies); the
project is the quickstart notebook with its data and a train.py, in git. Measured:

1. cold build: a fresh store (wheels resolved and downloaded on the host) and
   ``--no-cache`` (every Docker step runs);
2. rebuild after a code-only change (a new snapshot with a changed train.py), against
   the cold build (target: under 15%);
3. the same environment and code again: reused, no build (target: under 3 s), through
   the API and through the CLI (interpreter start included);
4. the image's size against the base plus what was installed (target: within 10%);
5. the peer: a naive Dockerfile that copies the project before installing (one layer
   chain for code and dependencies, as many hand-written and tool-generated Dockerfiles
   are), cold and after the same code-only change, from the same wheels.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from _common import BIN, WORK, table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyter_mlver.core.engine.docker import DockerEngine  # noqa: E402
from jupyter_mlver.core.images import BuildOptions, ProgressEvent, build_image  # noqa: E402
from jupyter_mlver.core.store.store import Store  # noqa: E402
from tests.images.helpers import (  # noqa: E402
    DEFAULT_BASE,
    git,
    make_venv,
    take_snapshot,
    venv_environment,
)

PACKAGES = ("numpy==2.4.6", "pandas==3.1.1", "scikit-learn==1.9.1")
PREFIX = "mlver-bench/"
NAIVE = """\
FROM {base}
COPY . /app
RUN python3 -m venv /opt/venv && /opt/venv/bin/python -m pip install --no-deps --no-index \\
    --no-cache-dir --find-links /app/mlver/wheels -r /app/mlver/requirements.txt
WORKDIR /app
"""


def kernel_venv() -> Path:
    venv = WORK / "images-venv"
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(PACKAGES):
        shutil.rmtree(venv, ignore_errors=True)
        print(f"creating {venv} with {' '.join(PACKAGES)} …", file=sys.stderr)
        make_venv(venv, *PACKAGES)
        stamp.write_text(" ".join(PACKAGES))
    return venv / "bin" / "python"


def fresh_project() -> Path:
    project = WORK / "images-project"
    shutil.rmtree(project, ignore_errors=True)
    (project / "data").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "quickstart.ipynb", project)
    shutil.copy(REPO / "notebooks" / "data" / "wine.csv", project / "data")
    (project / "train.py").write_text("print('train')\n")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "bench")
    return project


class Phases:
    """Wall-clock time of each phase of a build, from its progress events."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}

    def __call__(self, event: ProgressEvent) -> None:
        self.marks.setdefault(event.phase, time.perf_counter() - self.start)

    def span(self, first: str, until: str) -> float:
        return self.marks.get(until, 0.0) - self.marks.get(first, 0.0)


def timed_build(
    store: Store, engine: DockerEngine, options: BuildOptions
) -> tuple[float, Phases, str]:
    phases = Phases()
    start = time.perf_counter()
    result = build_image(store, options, engine, progress=phases)
    seconds = time.perf_counter() - start
    assert result.record is not None
    return seconds, phases, result.record["image_id"]


def naive_build(engine: DockerEngine, context: Path) -> float:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(context, arcname=".")
    buf.seek(0)
    start = time.perf_counter()
    for chunk in engine.api.build(
        fileobj=buf,
        custom_context=True,
        rm=True,
        forcerm=True,
        decode=True,
        tag="mlver-bench/naive:latest",
    ):
        if "error" in chunk:
            raise SystemExit(f"naive build failed: {chunk['error']}")
    return time.perf_counter() - start


def container_bytes(engine: DockerEngine, image: str) -> int:
    script = "du -sb /opt/venv /home/mlver /opt/mlver | awk '{s+=$1} END {print s}'"
    result = engine.run(image, ["/bin/sh", "-c", script])
    return int(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast measurements")
    args = parser.parse_args()

    engine = DockerEngine.connect()
    python = kernel_venv()
    environment = venv_environment(python)
    project = fresh_project()
    base = engine.image(args.base)
    if base is None:
        raise SystemExit(f"base image {args.base} not found (scripts/ensure-base-image.sh)")

    rows: list[list[str]] = []
    with Store.open(project, create=True) as store:
        snap = take_snapshot(store, environment, "v1", project / "quickstart.ipynb")
        options = BuildOptions(ref=snap["id"], base=args.base, prefix=PREFIX, no_cache=True)
        cold, phases, image_id = timed_build(store, engine, options)
        lock_s = phases.span("resolve", "context")
        docker_s = phases.span("build", "tag")
        wheels = sum(
            store.objects.size(w) for w in store.get(store.index.images_of(snap["id"])[0])["wheels"]
        )
        rows.append(
            [
                "cold build (fresh store, --no-cache)",
                f"{cold:.1f}",
                f"{len(environment['packages'])} packages, {wheels / 1e6:.0f} MB of wheels; "
                f"lock+download {lock_s:.1f} s, docker build {docker_s:.1f} s",
            ]
        )

        rebuilds = []
        for i in range(args.repeat):
            (project / "train.py").write_text(f"print('train, change {i}')\n")
            snap_i = take_snapshot(store, environment, f"change {i}", project / "quickstart.ipynb")
            seconds, _, _ = timed_build(
                store, engine, BuildOptions(ref=snap_i["id"], base=args.base, prefix=PREFIX)
            )
            rebuilds.append(seconds)
        rebuild = statistics.median(rebuilds)
        rows.append(
            [
                "rebuild after a code-only change (median)",
                f"{rebuild:.1f}",
                f"{100 * rebuild / cold:.1f}% of the cold build (target < 15%)",
            ]
        )

        reuse = []
        for _ in range(args.repeat):
            seconds, _, reused_id = timed_build(
                store, engine, BuildOptions(ref=snap["id"], base=args.base, prefix=PREFIX)
            )
            assert reused_id == image_id
            reuse.append(seconds)
        rows.append(
            [
                "same environment and code again (API, median)",
                f"{statistics.median(reuse):.2f}",
                "reused: tags added, record written, no build (target < 3 s)",
            ]
        )
    cli = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "jupyter-mlver"),
                "env",
                "build",
                snap["id"][:12],
                "--base",
                args.base,
                "--name",
                "mlver-bench/cli",
            ],
            cwd=project,
            check=True,
            capture_output=True,
        )
        cli.append(time.perf_counter() - start)
    rows.append(
        [
            "same again through the CLI (median)",
            f"{statistics.median(cli):.2f}",
            "jupyter mlver env build REF, interpreter start included",
        ]
    )

    # The peer: a naive Dockerfile over the same wheels, code copied before the install.
    naive_dir = WORK / "images-naive"
    shutil.rmtree(naive_dir, ignore_errors=True)
    with Store.open(project) as store:
        build_image(
            store,
            BuildOptions(ref=snap["id"], base=args.base, dry_run=True, output=naive_dir),
            engine,
        )
    shutil.copytree(project, naive_dir / "project", ignore=shutil.ignore_patterns(".mlver", ".git"))
    (naive_dir / "Dockerfile").write_text(NAIVE.format(base=args.base))
    naive_cold = naive_build(engine, naive_dir)
    (naive_dir / "project" / "train.py").write_text("print('train, naive change')\n")
    naive_rebuild = naive_build(engine, naive_dir)
    rows.append(
        ["peer: naive Dockerfile, cold", f"{naive_cold:.1f}", "same wheels, code copied first"]
    )
    rows.append(
        [
            "peer: naive Dockerfile after the code-only change",
            f"{naive_rebuild:.1f}",
            f"{100 * naive_rebuild / naive_cold:.1f}% of its cold build (reinstalls everything)",
        ]
    )
    engine.untag("mlver-bench/naive:latest")

    print(table(["measurement", "seconds", "note"], rows))
    print()
    info = engine.image(image_id)
    assert info is not None
    added = container_bytes(engine, image_id)
    expected = base.size + added
    print(
        table(
            [
                "image",
                "base",
                "installed (venv + project + records)",
                "base + installed",
                "image / (base + installed)",
            ],
            [
                [
                    f"{info.size / 1e6:.1f} MB",
                    f"{base.size / 1e6:.1f} MB",
                    f"{added / 1e6:.1f} MB",
                    f"{expected / 1e6:.1f} MB",
                    f"{info.size / expected:.3f} (target <= 1.10)",
                ]
            ],
        )
    )


if __name__ == "__main__":
    main()
