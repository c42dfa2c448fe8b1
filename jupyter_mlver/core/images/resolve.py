"""Resolving a lock: every package of an environment record pinned for the image's platform.

Every package ends up in one of three places, and nothing is dropped silently:

* the dependency layer: index packages as ``name==version`` with the sha256 of a wheel
  downloaded on the host for the image's platform (``--online``: just the pin), and
  VCS packages built on the host at their recorded commit;
* the local layer: local and editable packages built into wheels on the host; kept
  apart because they are usually the project itself and change more often;
* ``unreproducible``: what cannot be installed as it was (conda binaries with no pip
  equivalent, files edited in site-packages, a local source that is gone), each with
  its reason, shown in the build output and kept in the Image record.

Wheels are stored in the store as objects (content-addressed) and found again by later
locks for the same target, so a rebuild needs no network.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..capture.environment import normalize_name
from ..engine.target import Target
from ..records import EnvironmentRecord, Package, Unreproducible
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import pip
from .live import edited_packages
from .lock import (
    DEPS,
    LOCAL,
    Lock,
    LockedPackage,
    UnresolvablePackage,
    Wheel,
    _file_path,
    _single_wheel,
    _store_wheel,
    known_wheels,
)
from .progress import ProgressCallback, ProgressEvent, ignore
from .source import Source


@dataclass
class _Plan:
    """What resolve_lock decided for each package before fetching anything."""

    index: dict[str, Package] = field(default_factory=dict)  # spec -> package
    built: dict[str, Package] = field(default_factory=dict)  # spec -> package
    vendored_files: dict[Path, Package] = field(default_factory=dict)
    unreproducible: list[Unreproducible] = field(default_factory=list)


def _classify(environment: EnvironmentRecord) -> _Plan:
    plan = _Plan()
    for pkg in environment["packages"]:
        name, version, source = pkg["name"], pkg["version"], pkg["source"]
        if name == "pkg-resources" and version == "0.0.0":
            plan.unreproducible.append(
                {"name": name, "reason": "an artefact of Debian/Ubuntu venvs, not a distribution"}
            )
        elif source in ("index", "conda"):
            plan.index[f"{name}=={version}"] = pkg
        elif source == "vcs":
            url = pkg.get("url") or ""
            # The bare URL form: older pips reject "name @ git+file://…@commit".
            spec = f"{url}@{pkg['commit']}" if pkg.get("commit") else url
            plan.built[spec] = pkg
        else:  # local, editable
            path = _file_path(pkg.get("url"))
            if path is None or not path.exists():
                plan.unreproducible.append(
                    {
                        "name": name,
                        "reason": f"{source} package whose source {pkg.get('url') or '(unknown)'} "
                        "is not on this machine; not installed",
                    }
                )
            elif path.is_file() and path.suffix == ".whl":
                plan.vendored_files[path] = pkg
            else:
                plan.built[str(path)] = pkg
    return plan


@dataclass(frozen=True)
class BaseNames:
    """The base a lock is made for and the one with the environment's Python, for messages."""

    base: str = "the base image"
    suggested: str | None = None


def _check_python(
    failure: pip.PipFailed, requirements: list[str], target: Target, names: BaseNames, python: str
) -> None:
    """A package passed over for its Requires-Python: say what it needs, both Pythons and
    the base to use."""
    for requirement in requirements:
        needs = failure.requires_python(requirement)
        if needs is not None:
            raise UnresolvablePackage(
                f"{requirement} needs Python {needs} (its Requires-Python); the base image "
                f"{names.base} has Python {target.python}, the environment recorded {python}",
                f"use a base image with Python {python}: "
                f"--base {names.suggested or f'python:{python}-slim'} (or $MLVER_BASE_IMAGE, "
                "c.Mlver.base_image)",
            )


def _download_index(
    plan: _Plan,
    want: list[str],
    target: Target,
    dest: Path,
    progress: ProgressCallback,
    names: BaseNames,
    python: str,
) -> dict[str, Path]:
    """Download binary wheels; a package with no wheel for the target is built from its
    sdist on the host; a conda package pip cannot find is listed, not fatal."""
    remaining = list(want)
    built: dict[str, Path] = {}
    while remaining:
        try:
            pip.download(remaining, target, dest, progress)
            break
        except pip.PipFailed as e:
            _check_python(e, remaining, target, names, python)
            failed = e.requirement
            if failed is None or failed not in remaining:
                raise UnresolvablePackage(
                    f"pip could not resolve the lock: {e.last_error()}",
                    "check the host's pip configuration (index URL, proxy, /etc/pip.conf)",
                ) from None
            remaining.remove(failed)
            pkg = plan.index[failed]
            if pkg["source"] == "conda":
                plan.unreproducible.append(
                    {
                        "name": pkg["name"],
                        "reason": f"conda package {failed} has no pip equivalent; not installed",
                    }
                )
                del plan.index[failed]
                continue
            progress(
                ProgressEvent("resolve", f"no wheel of {failed} for {target.key}; building it")
            )
            sdist_dir = dest / "sdist" / pkg["name"]
            try:
                # The sdist is fetched for the image's Python (Requires-Python checked),
                # then built on the host.
                sdist = pip.download_sdist(failed, target, sdist_dir / "src", progress)
                pip.build_wheel(str(sdist), sdist_dir, progress)
            except pip.PipFailed as e2:
                _check_python(e2, [failed], target, names, python)
                raise UnresolvablePackage(
                    f"cannot resolve {failed} for Python {target.python} on "
                    f"{target.machine}: no wheel or source distribution fits "
                    f"({e2.last_error()})",
                    "is it on the index the host's pip uses (pip config list)? does it "
                    "need another Python than the base image has?",
                ) from None
            built[failed] = _single_wheel(sdist_dir)
    files: dict[str, Path] = dict(built)
    by_name = {}
    for path in dest.glob("*.whl"):
        parsed = pip.parse_wheel_name(path.name)
        if parsed:
            by_name[parsed.name] = path
    for spec in want:
        if spec in files or spec not in plan.index:
            continue
        name = plan.index[spec]["name"]
        if name not in by_name:
            raise UnresolvablePackage(f"pip reported success but left no wheel for {spec}")
        files[spec] = by_name[name]
    return files


class _Locker:
    """The packages of one lock as they are pinned, with the wheels stored through ``writer``
    (known ones reused)."""

    def __init__(
        self, plan: _Plan, known: Mapping[str, Wheel], writer: ObjectWriter, tmpdir: Path
    ) -> None:
        self.plan = plan
        self.known = known
        self.writer = writer
        self.tmpdir = tmpdir
        self.locked: list[LockedPackage] = []

    def add(self, pkg: Package, spec: str, layer: str, wheel: Wheel | None) -> None:
        version = pkg["version"]
        parsed = pip.parse_wheel_name(wheel.file) if wheel is not None else None
        if parsed and parsed.version != version and pkg["source"] != "index":
            self.plan.unreproducible.append(
                {
                    "name": pkg["name"],
                    "reason": f"built from source as version {parsed.version}; "
                    f"the environment recorded {version}",
                }
            )
            version = parsed.version
        self.locked.append(LockedPackage(pkg["name"], version, pkg["source"], layer, spec, wheel))

    def index_wheels(
        self,
        environment: EnvironmentRecord,
        target: Target,
        bases: BaseNames,
        progress: ProgressCallback,
    ) -> None:
        want = [s for s in self.plan.index if s not in self.known]
        files: dict[str, Path] = {}
        if want:
            progress(ProgressEvent("resolve", f"downloading {len(want)} wheels for {target.key}"))
            python = environment["python"]["version"]
            files = _download_index(
                self.plan, want, target, self.tmpdir / "index", progress, bases, python
            )
        for spec, pkg in list(self.plan.index.items()):
            wheel = self.known.get(spec) or _store_wheel(self.writer, files[spec])
            self.add(pkg, spec, DEPS, wheel)

    def built_wheels(self, prebuilt: Mapping[str, Path] | None, progress: ProgressCallback) -> None:
        """VCS, local and editable packages: built on the host into wheels."""
        for i, (spec, pkg) in enumerate(self.plan.built.items()):
            layer = DEPS if pkg["source"] == "vcs" else LOCAL
            if spec in self.known:
                self.add(pkg, spec, layer, self.known[spec])
            elif prebuilt and spec in prebuilt:
                self.add(pkg, spec, layer, _store_wheel(self.writer, prebuilt[spec]))
            else:
                out = self.tmpdir / "built" / str(i)
                _build_wheel(spec, pkg, out, progress)
                self.add(pkg, spec, layer, _store_wheel(self.writer, _single_wheel(out)))
        for path, pkg in self.plan.vendored_files.items():
            self.add(pkg, str(path), LOCAL, _store_wheel(self.writer, path))


def _not_as_recorded(
    environment: EnvironmentRecord,
    plan: _Plan,
    locked: list[LockedPackage],
    live_paths: list[str] | None,
) -> Iterator[Unreproducible]:
    """What the image cannot hold exactly as the environment had it."""
    for pkg in environment["packages"]:
        if pkg["source"] == "conda" and f"{pkg['name']}=={pkg['version']}" in plan.index:
            yield {
                "name": pkg["name"],
                "reason": "a conda package, installed from the pip index at the same "
                "version (a different build)",
            }
    yield from _conda_binaries(environment)
    if live_paths is not None:
        pristine = {p.name for p in locked if p.source in ("index", "conda")}
        for name, changed in edited_packages(live_paths, pristine).items():
            yield {
                "name": name,
                "reason": "files changed in site-packages after install (installed "
                f"unchanged from its wheel): {', '.join(changed)}",
            }


def resolve_lock(
    store: Store,
    writer: ObjectWriter,
    environment: EnvironmentRecord,
    target: Target,
    *,
    base: str = "the base image",
    suggested_base: str | None = None,
    online: bool = False,
    live_paths: list[str] | None = None,
    progress: ProgressCallback = ignore,
    prebuilt: Mapping[str, Path] | None = None,
) -> Lock:
    """Lock an environment for ``target`` (the Python and platform of image ``base``);
    wheels go into the store through ``writer`` (the caller holds ``store.writing()``
    until a record references them). ``prebuilt`` wheels (``build_outside_wheels``) are
    used as they are for their specs."""
    plan = _classify(environment)
    with tempfile.TemporaryDirectory(prefix="mlver-wheels-") as tmp:
        locker = _Locker(plan, known_wheels(store, target), writer, Path(tmp))
        # Index packages: pins only with --online, else wheels (known ones reused).
        if online:
            for spec, pkg in plan.index.items():
                locker.add(pkg, spec, DEPS, None)
        else:
            bases = BaseNames(base, suggested_base)
            locker.index_wheels(environment, target, bases, progress)
        locker.built_wheels(prebuilt, progress)
    locked = sorted(locker.locked, key=lambda p: p.name)
    plan.unreproducible += _not_as_recorded(environment, plan, locked, live_paths)
    return Lock(target, online, locked, sorted(plan.unreproducible, key=lambda u: u["name"]))


def _conda_binaries(environment: EnvironmentRecord) -> Iterator[Unreproducible]:
    """Conda packages that are not Python distributions (compilers, BLAS, CUDA, ...)."""
    conda = environment.get("conda")
    if not conda:
        return
    python_names = {p["name"] for p in environment["packages"]}
    for spec in conda.get("explicit") or []:
        # "<channel>::<name>==<version>=<build>"
        name_part = spec.split("::", 1)[-1]
        name = normalize_name(name_part.split("==", 1)[0])
        channel = spec.split("::", 1)[0] if "::" in spec else ""
        if name in python_names or name == "python" or channel == "pypi":
            continue
        yield {
            "name": name,
            "reason": f"conda binary package {name_part} (not a Python distribution); "
            "not installed — use a base image that has it",
        }


def _build_wheel(spec: str, pkg: Package, out: Path, progress: ProgressCallback) -> None:
    progress(ProgressEvent("resolve", f"building a wheel of {pkg['name']} ({pkg['source']})"))
    try:
        pip.build_wheel(spec, out, progress)
    except pip.PipFailed as e:
        raise UnresolvablePackage(
            f"cannot build {pkg['name']} ({pkg['source']}, {spec}): {e.last_error()}",
            "check that the source is reachable from this machine",
        ) from None


def build_outside_wheels(
    store: Store, source: Source, dest: Path, progress: ProgressCallback = ignore
) -> dict[str, Path]:
    """Wheels of the local and editable packages whose source is outside the snapshot's
    project (``pip install ../mylib``, a tool installed from its checkout): spec -> wheel.

    The project's commit and diff do not cover their content, so the hash of the wheel
    built for them keys image reuse; wheels are built with fixed timestamps, so an
    unchanged source gives the same wheel.
    """
    git = source.git
    root = (store.root / git["root"]).resolve() if git else None
    out: dict[str, Path] = {}
    for i, (spec, pkg) in enumerate(_classify(source.environment).built.items()):
        if pkg["source"] not in ("local", "editable"):
            continue
        if root is not None and Path(spec).resolve().is_relative_to(root):
            continue
        _build_wheel(spec, pkg, dest / str(i), progress)
        out[spec] = _single_wheel(dest / str(i))
    return out
