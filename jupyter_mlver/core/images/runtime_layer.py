"""The model server's layers of a serving image.

* **runtime**: ``jupyter_mlver.serving`` and the few modules it imports (``RUNTIME``), copied
  from the jupyter_mlver that builds the image, so the server is always this version's;
* **lib**: the ``serve`` extra's packages (starlette, uvicorn, prometheus-client, ...) that
  the environment lacks. They are resolved by the host's pip for the image's platform with
  every index package of the environment pinned as a constraint, so the server shares the
  model's numpy and never shadows a package of the environment; their wheels are kept in
  the store (a lock, like an environment's) and unpacked on the host with ``installer``.

Both go under ``SERVER_ROOT`` on ``PYTHONPATH``: no pip, wheel or cache enters the image.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

from ... import _version
from .. import records
from ..engine.target import Target
from ..errors import InvalidInput, StoreError
from ..hashing import hash_bytes
from ..records import EnvironmentRecord, ImageRecord, Server
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import pip
from .extras import Layer
from .lock import (
    DEPS,
    Lock,
    LockedPackage,
    UnresolvablePackage,
    _store_wheel,
    fetch_wheels,
    known_wheels,
    load_lock,
)
from .progress import ProgressCallback, ProgressEvent

SERVER_ROOT = "/opt/mlver-server"
RUNTIME_DIR = f"{SERVER_ROOT}/runtime"
LIB_DIR = f"{SERVER_ROOT}/lib"
PYTHONPATH = f"{RUNTIME_DIR}:{LIB_DIR}"
#: What ``python -m jupyter_mlver.serving`` imports of jupyter_mlver besides ``serving/``
#: (jupyter_mlver/serving/ruff.toml bans the rest; a test checks this list is enough).
RUNTIME = (
    "__init__.py",
    "_version.py",
    "core/__init__.py",
    "core/errors.py",
    "core/models/__init__.py",
    "core/models/flavors.py",
    "core/models/model_files.py",
)
EXTRA = "serve"
#: Bump when the resolution below changes what it picks for the same inputs.
RESOLVE_VERSION = 1


def runtime_layer() -> Layer:
    """The server's own modules, from the installed jupyter_mlver."""
    package = Path(__file__).resolve().parents[2]
    paths = {name: package / name for name in RUNTIME}
    for path in sorted((package / "serving").rglob("*.py")):
        paths[path.relative_to(package).as_posix()] = path
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise StoreError(
            f"this jupyter_mlver installation lacks {', '.join(missing)}",
            "reinstall jupyter_mlver",
        )
    return Layer(f"{RUNTIME_DIR}/jupyter_mlver", dict(paths))


def requirements(target: Target) -> list[str]:
    """The ``serve`` extra's requirements whose markers hold in the image (Linux, CPython,
    the image's Python), without their markers."""
    env: dict[str, str] = {
        **{k: str(v) for k, v in default_environment().items()},
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": target.machine,
        "platform_python_implementation": "CPython",
        "implementation_name": "cpython",
        "python_version": target.major_minor,
        "python_full_version": target.python,
        "extra": EXTRA,
    }
    try:
        lines = metadata.requires("jupyter_mlver") or []
    except metadata.PackageNotFoundError:
        raise InvalidInput(
            "jupyter_mlver is not installed as a package: the model server's requirements "
            "are read from its metadata",
            "pip install jupyter_mlver (or pip install -e . in its checkout)",
        ) from None
    out = []
    for line in lines:
        req = Requirement(line)
        # The extra's own requirements: true with the extra asked for, false without it.
        if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
            continue
        if req.marker.evaluate(env):
            req.marker = None
            out.append(str(req))
    return sorted(out)


@dataclass
class ServerLock:
    """The server's packages for one environment and platform: ``key`` names what they were
    resolved for; ``lock`` holds only what the environment lacks."""

    key: str
    requirements: list[str]
    lock: Lock

    def to_json(self) -> Server:
        return {"key": self.key, "requirements": self.requirements, "runtime": _version.__version__}


def lock_key(environment: EnvironmentRecord, target: Target, wanted: list[str]) -> str:
    return hash_bytes(
        records.canonical_json(
            {
                "resolve": RESOLVE_VERSION,
                "fingerprint": environment["fingerprint"],
                "target": target.key,
                "requirements": wanted,
            }
        )
    )


def _earlier(store: Store, environment: EnvironmentRecord, key: str) -> Lock | None:
    """The lock an earlier serving image of this environment resolved for the same key."""
    for rid in store.index.model_images_of_environment(environment["id"]):
        record = store.get(rid, ImageRecord)
        server = record.get("server")
        if (server.get("key") if server else None) != key:
            continue
        try:
            lock = load_lock(store, record["lock"])
        except (StoreError, ValueError, KeyError, TypeError):
            continue
        if all(w is not None and store.objects.exists(w.object) for w in lock.wheels()):
            return lock
    return None


def resolve_server_lock(
    store: Store,
    writer: ObjectWriter,
    environment: EnvironmentRecord,
    target: Target,
    progress: ProgressCallback,
) -> ServerLock:
    """The server's packages the environment lacks, with their wheels in the store (the
    caller holds ``store.writing()``). An earlier resolution for the same environment,
    platform and requirements is reused, so a rebuild needs no network."""
    wanted = requirements(target)
    key = lock_key(environment, target, wanted)
    earlier = _earlier(store, environment, key)
    if earlier is not None:
        return ServerLock(key, wanted, earlier)
    have = {p["name"] for p in environment["packages"]}
    pins = [
        f"{p['name']}=={p['version']}"
        for p in environment["packages"]
        if p["source"] in ("index", "conda")
    ]
    progress(ProgressEvent("resolve", f"resolving the model server's packages for {target.key}"))
    with tempfile.TemporaryDirectory(prefix="mlver-server-") as tmp:
        try:
            resolved = pip.resolve(wanted, pins, target, Path(tmp) / "resolve", progress)
        except pip.PipFailed as e:
            raise UnresolvablePackage(
                f"the model server's packages ({', '.join(wanted)}) cannot be installed next "
                f"to the environment's: {e.last_error()}",
                "the environment pins a version the server cannot use; upgrade it in the "
                "kernel and snapshot again",
            ) from None
        missing = sorted((n, v) for n, v in resolved if n not in have)
        known = known_wheels(store, target)
        fetch = [f"{n}=={v}" for n, v in missing if f"{n}=={v}" not in known]
        files: dict[str, Path] = {}
        if fetch:
            progress(ProgressEvent("resolve", f"downloading {len(fetch)} wheels for the server"))
            dest = Path(tmp) / "wheels"
            try:
                pip.download(fetch, target, dest, progress)
            except pip.PipFailed as e:
                raise UnresolvablePackage(
                    f"cannot download the model server's packages: {e.last_error()}",
                    "check the host's pip configuration (index URL, proxy, /etc/pip.conf)",
                ) from None
            for path in dest.glob("*.whl"):
                parsed = pip.parse_wheel_name(path.name)
                if parsed is not None:
                    files[f"{parsed.name}=={parsed.version}"] = path
        packages = []
        for name, version in missing:
            spec = f"{name}=={version}"
            if spec not in known and spec not in files:
                raise UnresolvablePackage(f"pip reported success but left no wheel for {spec}")
            wheel = known.get(spec) or _store_wheel(writer, files[spec])
            packages.append(LockedPackage(name, version, "index", DEPS, spec, wheel))
    writer.commit()
    return ServerLock(key, wanted, Lock(target, False, packages))


def lib_layer(store: Store, lock: Lock, workdir: Path) -> Layer | None:
    """The server's packages unpacked as ``installer`` installs them (no bytecode, no
    scripts: the server starts with ``python -m``); None when the environment had all."""
    if not lock.packages:
        return None
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    lib = workdir / "lib"
    scheme = {
        "purelib": lib,
        "platlib": lib,
        "headers": workdir / "headers",
        "scripts": workdir / "scripts",
        "data": workdir / "data",
    }
    destination = SchemeDictionaryDestination(
        {k: str(v) for k, v in scheme.items()},
        interpreter="/opt/venv/bin/python",
        script_kind="posix",
        bytecode_optimization_levels=(),
    )
    named = workdir / "wheels"
    named.mkdir(parents=True)
    for wheel, path in fetch_wheels(store, lock):
        # installer reads the wheel's name from its file name; store objects have none.
        link = named / wheel.file
        link.symlink_to(path)
        with WheelFile.open(link) as source:
            install(source, destination, {"INSTALLER": b"jupyter_mlver\n"})
    return Layer(LIB_DIR, dict(_files(lib)))


def _files(root: Path) -> Iterator[tuple[str, bytes | Path]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            yield path.relative_to(root).as_posix(), path
