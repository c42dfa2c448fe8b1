"""The lock of an environment for an image: which distribution each package installs
from (``mlver.lock/1``), the wheels kept in the store for it, and where they are.
``resolve.py`` makes one."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import blake3

from .. import records
from ..engine.target import Target
from ..errors import InvalidInput, StoreError
from ..records import ImageRecord, Unreproducible
from ..store.objects import ObjectWriter
from ..store.store import Store

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
    unreproducible: list[Unreproducible] = field(default_factory=list)

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
            lock_id = store.get(rid, ImageRecord).get("lock")
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
