"""What a model needs to load and predict, out of the whole environment it was trained in.

A kernel's environment holds JupyterLab, plotting, notebooks' tools: hundreds of packages a
model server never imports. A model-sized serving image installs only:

* the flavour's libraries (scikit-learn and joblib for ``sklearn``, ...);
* the distributions whose modules loading the artifact imports, found by loading it in a
  clean subprocess (``python -I``) of the snapshot's own interpreter when it is still on this
  machine (a pickle names the classes it needs, and they import their own libraries);
* pandas when the model was fitted on named columns (the server hands it a DataFrame);
* the model server's own packages (the ``serve`` extra);

each pinned to the exact version in the snapshot's environment, with their dependencies
resolved by the host's pip under the environment's pins (so nothing moves off the kernel's
versions). ``model_packages`` says how each package got in.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture.environment import normalize_name
from ..engine.target import Target
from ..errors import InvalidInput
from ..models import flavors, registry
from ..plain import plain_env
from ..records import EnvironmentRecord, ModelRecord, Package, PackageReasons
from ..store.store import Store
from . import pip
from .lock import UnresolvablePackage
from .progress import ProgressCallback, ProgressEvent
from .runtime_layer import RUNTIME, requirements

#: Signature formats whose columns have names: the server passes a pandas DataFrame.
NAMED_FORMATS = ("dataframe", "columns", "records")
#: Never part of what a model imports: the image has its own runtime and no installer.
_LEFT_OUT = {"jupyter-mlver", "pip", "setuptools", "wheel"}
#: Runs in the snapshot's interpreter: load the model with jupyter_mlver's loader (stdlib
#: only at import), print the distributions of the non-stdlib modules that loading imported.
PROBE = r"""
import sys
runtime, artifact, flavor = sys.argv[1:4]
sys.path.insert(0, runtime)
from importlib import metadata
before = set(sys.modules)
from jupyter_mlver.core.models import flavors
loaded_by_us = set(sys.modules) - before
flavors.load_model(__import__("pathlib").Path(artifact), flavor)
tops = {m.split(".")[0] for m in set(sys.modules) - before - loaded_by_us}
tops -= set(sys.stdlib_module_names) | {"jupyter_mlver", "__main__"}
owners = metadata.packages_distributions()
found = sorted({d for t in tops for d in owners.get(t, [])})
print("\n" + __import__("json").dumps({"modules": sorted(tops), "distributions": found}))
"""


@dataclass
class ModelPackages:
    """The requirements of a model-sized image: ``pins`` (``name==version``, every package
    installed, dependencies included) and why the top-level ones are there."""

    flavor: list[str]
    loaded: list[str] | None  # None: the snapshot's interpreter is not on this machine
    table: list[str]  # pandas, for a model of named columns
    server: list[str]  # the serve extra's requirements
    pins: list[str] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> PackageReasons:
        return {
            "flavor": self.flavor,
            "loaded": self.loaded,
            "table": self.table,
            "server": self.server,
            "note": self.note,
        }


def _runtime_dir(dest: Path) -> Path:
    """The modules the probe imports (``flavors.py`` and its package), from this install."""
    package = Path(__file__).resolve().parents[2]
    for name in RUNTIME:
        target = dest / "jupyter_mlver" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((package / name).read_bytes())
    return dest


def loaded_distributions(python: Path, artifact: Path, flavor: str, tmp: Path) -> list[str]:
    """The distributions whose modules loading the artifact imports, in a clean subprocess of
    ``python`` (isolated mode: no PYTHON* variables, no user site, not the current directory)."""
    runtime = _runtime_dir(tmp / "runtime")
    proc = subprocess.run(
        [str(python), "-I", "-c", PROBE, str(runtime), str(artifact), flavor],
        capture_output=True,
        text=True,
        timeout=300,
        env=plain_env(),
        cwd=tmp,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InvalidInput(
            f"loading the model in the snapshot's interpreter {python} failed: {last}",
            "build the full environment's image instead (model build --env snapshot)",
        )
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return sorted(normalize_name(d) for d in found["distributions"])


def _interpreter(environment: EnvironmentRecord) -> Path | None:
    """The snapshot's interpreter, when it is still on this machine at the same version."""
    executable = environment["python"].get("executable")
    if not executable or not os.access(executable, os.X_OK):
        return None
    try:
        out = subprocess.run(
            [executable, "-I", "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True, timeout=60, env=plain_env(),
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or out.stdout.strip() != environment["python"]["version"]:
        return None
    return Path(executable)


def find_packages(
    store: Store, model: ModelRecord, environment: EnvironmentRecord, target: Target
) -> ModelPackages:
    """The top-level packages a model needs (not yet their dependencies, not pinned)."""
    have = {p["name"] for p in environment["packages"]}
    flavor = [p for p in flavors.DISTRIBUTIONS.get(model["flavor"], ()) if p in have]
    signature: Mapping[str, Any] = model.get("signature") or {}
    table = ["pandas"] if signature.get("format") in NAMED_FORMATS and "pandas" in have else []
    server = requirements(target)
    python = _interpreter(environment)
    if python is None:
        return ModelPackages(
            flavor, None, table, server,
            note="the snapshot's interpreter is not on this machine: the flavour's packages "
            "and their dependencies only",
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="mlver-model-probe-") as tmp:
        registry.export(store, model, Path(tmp) / "model")
        artifact = Path(tmp) / "model" / "artifact"
        loaded = loaded_distributions(python, artifact, model["flavor"], Path(tmp))
    return ModelPackages(flavor, [d for d in loaded if d in have], table, server)


def pin(
    packages: ModelPackages,
    environment: EnvironmentRecord,
    target: Target,
    workdir: Path,
    progress: ProgressCallback,
) -> list[tuple[str, str]]:
    """Every distribution to install, ``(name, version)``: the top-level packages at the
    environment's versions and their dependencies, resolved by the host's pip under every
    index pin of the environment (the server's own packages the environment lacks are
    resolved freely)."""
    versions = {p["name"]: p["version"] for p in environment["packages"]}
    index = {p["name"] for p in environment["packages"] if p["source"] in ("index", "conda")}
    top = sorted({*packages.flavor, *(packages.loaded or []), *packages.table} - _LEFT_OUT)
    wanted = [f"{n}=={versions[n]}" for n in top if n in index]
    constraints = [f"{n}=={versions[n]}" for n in sorted(index) if n not in _LEFT_OUT]
    progress(ProgressEvent("resolve", f"resolving {len(wanted)} packages the model needs"))
    try:
        resolved = pip.resolve([*wanted, *packages.server], constraints, target, workdir, progress)
    except pip.PipFailed as e:
        raise UnresolvablePackage(
            f"the model's packages ({', '.join(wanted)}) and the server's cannot be resolved "
            f"together: {e.last_error()}",
            "build the full environment's image instead (model build --env snapshot)",
        ) from None
    pins = {name: version for name, version in resolved if name not in _LEFT_OUT}
    # Packages not from an index (the project's own, VCS) that loading imported: as recorded.
    for name in top:
        if name not in index:
            pins.setdefault(name, versions[name])
    return sorted(pins.items())


def sub_environment(
    environment: EnvironmentRecord, pins: list[tuple[str, str]]
) -> EnvironmentRecord:
    """The environment record restricted to ``pins`` (packages it lacks: from the index), to
    lock like a whole environment."""
    by_name = {p["name"]: p for p in environment["packages"]}
    packages = [
        by_name[n] if n in by_name and by_name[n]["version"] == v else
        Package(name=n, version=v, source="index", url=None, commit=None)
        for n, v in pins
    ]  # fmt: skip
    return {**environment, "packages": packages}
