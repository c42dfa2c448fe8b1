"""Environment record -> a lock that reinstalls exactly the same distributions.

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

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import blake3

from .. import records
from ..capture.environment import normalize_name
from ..errors import InvalidInput, StoreError
from ..objects import ObjectWriter
from ..records import Record
from ..store import Store
from . import pip
from .live import edited_packages
from .progress import ProgressCallback, ProgressEvent, ignore
from .target import Target

LOCK_FORMAT = "mlver.lock/1"
DEPS = "deps"
LOCAL = "local"
#: Installed by ``python -m venv`` (ensurepip): pip, and setuptools before Python 3.12.
VENV_SEEDED = ("pip", "setuptools")


class UnresolvablePackage(InvalidInput):
    """A package the lock needs cannot be found or built; the message names it."""


@dataclass(frozen=True)
class Wheel:
    file: str
    object: str  # blake3, the object's name in the store
    sha256: str


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str  # what will be installed (a wheel built from source may say otherwise)
    source: str  # as recorded: index | vcs | local | editable | conda
    layer: str  # DEPS or LOCAL
    spec: str  # what pip was asked for: "six==1.17.0", "git+https://…@<commit>", a path
    wheel: Wheel | None  # None: installed from the index inside the build (--online)

    def requirement(self) -> str:
        line = f"{self.name}=={self.version}"
        return f"{line} --hash=sha256:{self.wheel.sha256}" if self.wheel else line


@dataclass
class Lock:
    target: Target
    online: bool
    packages: list[LockedPackage]
    unreproducible: list[dict[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {p.name for p in self.packages}

    def wheels(self, layer: str | None = None) -> list[Wheel]:
        return [
            p.wheel
            for p in self.packages
            if p.wheel is not None and (layer is None or p.layer == layer)
        ]

    def files(self) -> dict[str, str]:
        """The requirement files of the build context, by name (only non-empty ones).

        ``requirements.txt``: the dependency layer (hashed unless ``--online``);
        ``vendored.txt``: with ``--online``, the wheels that still come from the host;
        ``local.txt``: the local layer.
        """
        deps = [p for p in self.packages if p.layer == DEPS]
        groups = {
            "requirements.txt": [p for p in deps if not (self.online and p.wheel)],
            "vendored.txt": [p for p in deps if self.online and p.wheel],
            "local.txt": [p for p in self.packages if p.layer == LOCAL],
        }
        return {
            name: "".join(p.requirement() + "\n" for p in pkgs)
            for name, pkgs in groups.items()
            if pkgs
        }

    def pip_wheel(self) -> str | None:
        """The wheel of the locked pip, when the dependency layer has one: the build runs
        pip from it, so the venv needs no seeding (and gets nothing the record lacks)."""
        for p in self.packages:
            if p.name == "pip" and p.layer == DEPS and p.wheel is not None and not self.online:
                return p.wheel.file
        return None

    def seeded_extras(self) -> list[str]:
        """What ``python -m venv`` seeds that the environment did not have (nothing when
        pip runs from its wheel and the venv is made ``--without-pip``)."""
        if self.pip_wheel() is not None:
            return []
        minor = int(self.target.major_minor.split(".")[1])
        seeded = [n for n in VENV_SEEDED if n == "pip" or minor < 12]
        return [name for name in seeded if name not in self.names()]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": LOCK_FORMAT,
            "target": self.target.to_json(),
            "online": self.online,
            "packages": [asdict(p) for p in self.packages],
            "unreproducible": self.unreproducible,
        }

    def encode(self) -> bytes:
        return records.canonical_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lock:
        if data.get("format") != LOCK_FORMAT:
            raise StoreError(f"not a lock: format {data.get('format')!r}")
        return cls(
            target=Target(**data["target"]),
            online=data["online"],
            packages=[
                LockedPackage(**{**p, "wheel": Wheel(**p["wheel"]) if p["wheel"] else None})
                for p in data["packages"]
            ],
            unreproducible=list(data["unreproducible"]),
        )


def load_lock(store: Store, oid: str) -> Lock:
    import json

    return Lock.from_json(json.loads(store.objects.get_bytes(oid)))


def known_wheels(store: Store, target: Target) -> dict[str, Wheel]:
    """``spec -> wheel`` from the locks of earlier images for the same target, for
    sources that always give the same wheel (index pins, VCS commits), still stored."""
    out: dict[str, Wheel] = {}
    seen: set[str] = set()
    for rid in store.index.record_ids("image"):
        try:
            lock_id = store.get(rid).get("lock")
            if not lock_id or lock_id in seen:
                continue
            seen.add(lock_id)
            lock = load_lock(store, lock_id)
        except (StoreError, ValueError, KeyError, TypeError):
            continue  # a damaged or foreign object only costs a download
        if lock.target.key != target.key:
            continue
        for p in lock.packages:
            if (
                p.wheel
                and p.source in ("index", "conda", "vcs")
                and store.objects.exists(p.wheel.object)
            ):
                out.setdefault(p.spec, p.wheel)
    return out


def _file_path(url: str | None) -> Path | None:
    if not url or not url.startswith("file:"):
        return None
    return Path(unquote(urlsplit(url).path))


def _hash_wheel(path: Path) -> tuple[str, str]:
    b3 = blake3.blake3()
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            b3.update(chunk)
            sha.update(chunk)
    return b3.hexdigest(), sha.hexdigest()


def _store_wheel(writer: ObjectWriter, path: Path) -> Wheel:
    oid, sha = _hash_wheel(path)
    writer.add_file(path, oid)
    return Wheel(file=path.name, object=oid, sha256=sha)


def _single_wheel(directory: Path) -> Path:
    wheels = sorted(directory.glob("*.whl"))
    if len(wheels) != 1:
        raise StoreError(f"expected one wheel in {directory}, found {len(wheels)}")
    return wheels[0]


@dataclass
class _Plan:
    """What resolve_lock decided for each package before fetching anything."""

    index: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec -> package
    built: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec -> package
    vendored_files: dict[Path, dict[str, Any]] = field(default_factory=dict)
    unreproducible: list[dict[str, str]] = field(default_factory=list)


def _classify(environment: Record) -> _Plan:
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


def _download_index(
    plan: _Plan,
    want: list[str],
    target: Target,
    dest: Path,
    progress: ProgressCallback,
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


def resolve_lock(
    store: Store,
    writer: ObjectWriter,
    environment: Record,
    target: Target,
    *,
    online: bool = False,
    live_paths: list[str] | None = None,
    progress: ProgressCallback = ignore,
) -> Lock:
    """Lock an environment for ``target``; wheels go into the store through ``writer``
    (the caller holds ``store.writing()`` until a record references them)."""
    plan = _classify(environment)
    known = known_wheels(store, target)
    locked: list[LockedPackage] = []

    def add(pkg: dict[str, Any], spec: str, layer: str, wheel: Wheel | None) -> None:
        version = pkg["version"]
        if wheel is not None:
            parsed = pip.parse_wheel_name(wheel.file)
            if parsed and parsed.version != version and pkg["source"] != "index":
                plan.unreproducible.append(
                    {
                        "name": pkg["name"],
                        "reason": f"built from source as version {parsed.version}; "
                        f"the environment recorded {version}",
                    }
                )
                version = parsed.version
        locked.append(LockedPackage(pkg["name"], version, pkg["source"], layer, spec, wheel))

    with tempfile.TemporaryDirectory(prefix="mlver-wheels-") as tmp:
        tmpdir = Path(tmp)
        # Index packages: pins only with --online, else wheels (known ones reused).
        if online:
            for spec, pkg in plan.index.items():
                add(pkg, spec, DEPS, None)
        else:
            want = [s for s in plan.index if s not in known]
            if want:
                progress(
                    ProgressEvent("resolve", f"downloading {len(want)} wheels for {target.key}")
                )
                files = _download_index(plan, want, target, tmpdir / "index", progress)
            else:
                files = {}
            for spec, pkg in list(plan.index.items()):
                wheel = known.get(spec) or _store_wheel(writer, files[spec])
                add(pkg, spec, DEPS, wheel)
        # VCS, local and editable packages: built on the host into wheels.
        for i, (spec, pkg) in enumerate(plan.built.items()):
            layer = DEPS if pkg["source"] == "vcs" else LOCAL
            if spec in known:
                add(pkg, spec, layer, known[spec])
                continue
            progress(
                ProgressEvent("resolve", f"building a wheel of {pkg['name']} ({pkg['source']})")
            )
            out = tmpdir / "built" / str(i)
            try:
                pip.build_wheel(spec, out, progress)
            except pip.PipFailed as e:
                raise UnresolvablePackage(
                    f"cannot build {pkg['name']} ({pkg['source']}, {spec}): {e.last_error()}",
                    "check that the source is reachable from this machine",
                ) from None
            add(pkg, spec, layer, _store_wheel(writer, _single_wheel(out)))
        for path, pkg in plan.vendored_files.items():
            add(pkg, str(path), LOCAL, _store_wheel(writer, path))

    for pkg in environment["packages"]:
        if pkg["source"] == "conda" and f"{pkg['name']}=={pkg['version']}" in plan.index:
            plan.unreproducible.append(
                {
                    "name": pkg["name"],
                    "reason": "a conda package, installed from the pip index at the same "
                    "version (a different build)",
                }
            )
    plan.unreproducible += _conda_binaries(environment)
    if live_paths is not None:
        pristine = {p.name for p in locked if p.source in ("index", "conda")}
        for name, changed in edited_packages(live_paths, pristine).items():
            plan.unreproducible.append(
                {
                    "name": name,
                    "reason": "files changed in site-packages after install (installed "
                    f"unchanged from its wheel): {', '.join(changed)}",
                }
            )
    locked.sort(key=lambda p: p.name)
    return Lock(target, online, locked, sorted(plan.unreproducible, key=lambda u: u["name"]))


def _conda_binaries(environment: Record) -> Iterator[dict[str, str]]:
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


def fetch_wheels(store: Store, lock: Lock) -> Iterator[tuple[Wheel, Path]]:
    """Each wheel of a lock with the path of its object (for the build context)."""
    for wheel in lock.wheels():
        path = store.objects.path(wheel.object)
        if not os.path.exists(path):
            raise StoreError(
                f"wheel {wheel.file} (object {wheel.object[:12]}) is missing from the store",
                "build with --no-cache to download it again",
            )
        yield wheel, path
