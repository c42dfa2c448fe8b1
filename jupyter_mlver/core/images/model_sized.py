"""``model build`` (the default, ``--env model``): a serving image sized to the model.

``FROM`` a base with the snapshot's Python (``bases.py``), a virtual environment of only what
the model needs to load and predict plus the server's packages (``model_deps.py``), each at
the snapshot's version, installed from wheels resolved on the host (no index in the build),
in a stage of its own so no wheel or pip reaches the image; packages' test suites are left
out and the venv is byte-compiled in parallel. Then the server's runtime, the model as the
last small layer, port 8080, uid 1000. A new version of the same model type finds every
layer but the model's in the engine's cache, and its lock in the store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ... import _version
from .. import records
from ..engine.protocol import Engine
from ..engine.target import Target, check_compatible
from ..hashing import hash_bytes
from ..records import EnvironmentRecord, ImageRecord, SnapshotRecord
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import bases
from . import model_deps as deps
from .build import connect
from .context import Context
from .dockerfile import UID, USER, VENV
from .lock import Lock, fetch_wheels, load_lock
from .model_common import (
    COMPILE,
    ModelImageResult,
    ServingBuild,
    ServingRequest,
    build_serving,
    serving_overlay,
)
from .overlay import CopyFrom, Run
from .progress import ProgressCallback, ProgressEvent
from .resolve import resolve_lock
from .runtime_layer import RUNTIME_DIR, runtime_layer
from .source import Source

#: Bump when the choice of packages or the venv's layout changes for the same inputs.
MODEL_ENV_VERSION = 1
_TMP = "/tmp/mlver"
PATH = f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ENV = {
    "VIRTUAL_ENV": VENV,
    "PATH": PATH,
    "PYTHONPATH": RUNTIME_DIR,
    "LANG": "C.UTF-8",
    "PYTHONUNBUFFERED": "1",
}
ADD_USER = (
    "useradd",
    "--create-home",
    "--uid",
    str(UID),
    "--user-group",
    "--shell",
    "/bin/sh",
    USER,
)


def deps_stage(base_id: str) -> str:
    """The stage that builds the venv: the base's pip installs the locked wheels into a venv
    without pip, test suites go, and everything is compiled on all cores."""
    pip = (
        f"python3 -m pip --python {VENV}/bin/python install --no-deps --no-index "
        f"--require-hashes --no-compile --find-links {_TMP}/wheels -r {_TMP}/requirements.txt"
    )
    return "\n".join(
        [
            f"FROM {base_id} AS deps",
            "ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore "
            "PIP_NO_INPUT=1",
            f"COPY mlver/requirements.txt {_TMP}/",
            f"COPY mlver/wheels/ {_TMP}/wheels/",
            f"RUN python3 -m venv --without-pip {VENV} \\",
            f" && {pip} \\",
            f" && find {VENV}/lib -depth -type d -name tests -path '*/site-packages/*' "
            "-exec rm -rf {} + \\",
            f" && {VENV}/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash "
            f"{VENV}/lib",
        ]
    )


def _packages_key(
    packages: deps.ModelPackages, environment: EnvironmentRecord, target_key: str
) -> str:
    return hash_bytes(
        records.canonical_json(
            {
                "model_env": MODEL_ENV_VERSION,
                "fingerprint": environment["fingerprint"],
                "target": target_key,
                "top": sorted({*packages.flavor, *(packages.loaded or []), *packages.table}),
                "server": packages.server,
            }
        )
    )


def _earlier_lock(
    store: Store, environment: EnvironmentRecord, key: str
) -> tuple[Lock, list[str]] | None:
    """The lock and pins an earlier model-sized image of this environment resolved for the
    same packages and platform, its wheels still stored."""
    for rid in store.index.model_images_of_environment(environment["id"]):
        record = store.get(rid, ImageRecord)
        packages = record.get("model_packages")
        if (packages.get("key") if packages else None) != key:
            continue
        lock = load_lock(store, record["lock"])
        if all(store.objects.exists(w.object) for w in lock.wheels()):
            return lock, list(record.get("requirements") or [])
    return None


def model_lock(
    store: Store,
    writer: ObjectWriter,
    packages: deps.ModelPackages,
    environment: EnvironmentRecord,
    target_key: str,
    lock_for: tuple[Target, str, str | None],  # target, base, suggested base
    progress: ProgressCallback,
) -> tuple[Lock, str]:
    """The lock of the model's packages (reused when an earlier image resolved the same) and
    the key that finds it again."""
    target, base, suggested = lock_for
    key = _packages_key(packages, environment, target_key)
    earlier = _earlier_lock(store, environment, key)
    if earlier is not None:
        packages.pins = earlier[1]
        return earlier[0], key
    with tempfile.TemporaryDirectory(prefix="mlver-model-env-") as tmp:
        pins = deps.pin(packages, environment, target, Path(tmp), progress)
    packages.pins = [f"{n}=={v}" for n, v in pins]
    progress(ProgressEvent("resolve", f"locking {len(pins)} packages for {target_key}"))
    lock = resolve_lock(
        store,
        writer,
        deps.sub_environment(environment, pins),
        target,
        base=base,
        suggested_base=suggested,
        progress=progress,
    )
    writer.commit()
    return lock, key


def _deps_files(store: Store, ctx: Context, lock: Lock) -> None:
    ctx.add_bytes("mlver/requirements.txt", "".join(lock.files().values()).encode())
    for wheel, path in fetch_wheels(store, lock):
        ctx.add_file(f"mlver/wheels/{wheel.file}", path)


def build_model_sized(
    store: Store,
    request: ServingRequest,
    engine: Engine | None,
    progress: ProgressCallback,
    base_default: str | None,
) -> ModelImageResult:
    engine = connect(engine, dry_run=False)
    assert engine is not None
    record = request.model
    snapshot = store.get(record["snapshot"], SnapshotRecord)
    environment = store.get(snapshot["environment"], EnvironmentRecord)
    named = bases.named_base(request.options.base, base_default)
    base, base_info = bases.choose(engine, environment, named)
    assert base_info is not None
    target = engine.probe(base_info)
    suggested = bases.suggested(engine, environment)
    unreproducible = check_compatible(target, environment, base, suggested)
    progress(ProgressEvent("resolve", f"finding what model {record['name']} needs to load"))
    packages = deps.find_packages(store, record, environment, target)
    with (
        tempfile.TemporaryDirectory(prefix="mlver-model-image-") as tmp,
        store.writing(),
        store.objects.writer() as writer,
    ):
        lock, key = model_lock(
            store, writer, packages, environment, target.key, (target, base, suggested), progress
        )
        progress(ProgressEvent("context", "assembling the model's environment and layers"))
        job = ServingBuild(
            source=Source(snapshot, environment),
            base=base,
            on=(base, environment["id"]),
            overlay=serving_overlay(
                store,
                record,
                Path(tmp),
                base=base_info.id,
                prelude=deps_stage(base_info.id),
                steps=(Run(ADD_USER), CopyFrom("deps", VENV, VENV), runtime_layer(), Run(COMPILE)),
                env=ENV,
            ),
            header=(
                f"Built by jupyter_mlver {_version.__version__}: model "
                f"{record['name']}:{record['version']} ({record['id']}), with the "
                f"{len(lock.packages)} packages it needs from snapshot {snapshot['id']}",
            ),
            lock=lock,
            unreproducible=unreproducible + lock.unreproducible,
            extra={
                "environment_image": None,
                "server": {"requirements": packages.server, "runtime": _version.__version__},
                "requirements": packages.pins,
                "model_packages": {**packages.to_json(), "key": key},
            },
            files=lambda build_context: _deps_files(store, build_context, lock),
            notes=[packages.note] if packages.note else [],
        )
        result = build_serving(store, writer, engine, request, job, Path(tmp), progress)
    result.packages = len(result.record.get("requirements") or []) if result.record else 0
    return ModelImageResult(result, record, None)
