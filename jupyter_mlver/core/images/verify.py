"""``env verify`` and ``env show``: compare an image's distributions with its record, and
look at an environment with the images built for it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import records
from ..capture.environment import capture_environment
from ..engine.protocol import Engine
from ..errors import InvalidInput, RecordNotFound
from ..records import EnvironmentRecord, ImageRecord, SnapshotRecord
from ..store.index.db import ALL
from ..store.store import Store
from .progress import ProgressCallback, ProgressEvent, ignore
from .source import BuildOptions, resolve_source

#: Runs in the image with its default python. Lists distributions the way
#: capture/environment.py does (dist-info directory names, first on sys.path wins), so
#: the two lists compare like for like. Standard library only.
LIST_SCRIPT = r"""
import json, os, platform, re, sys
def norm(n): return re.sub(r"[-_.]+", "-", n).lower()
def field(text, key):
    for line in text.splitlines():
        if line.startswith(key + ":"): return line.split(":", 1)[1].strip()
        if not line.strip(): break
seen = {}
for base in sys.path:
    try: entries = os.scandir(base or ".")
    except OSError: continue
    with entries:
        for e in entries:
            if not e.name.endswith((".dist-info", ".egg-info")): continue
            name = version = None
            if e.name.endswith(".dist-info"):
                name, _, version = e.name[:-10].partition("-")
            if not version:
                meta = e.path
                if os.path.isdir(e.path):
                    kind = "METADATA" if e.name[-9:] == "dist-info" else "PKG-INFO"
                    meta = os.path.join(e.path, kind)
                try: text = open(meta, encoding="utf-8").read()
                except OSError: continue
                name, version = field(text, "Name"), field(text, "Version")
            if name and version: seen.setdefault(norm(name), version)
print(json.dumps({"python": platform.python_version(), "packages": seen}))
"""
#: Prefer the image's PATH python (the venv), else python3.
LIST_COMMAND = [
    "/bin/sh",
    "-c",
    'exec "$(command -v python || command -v python3)" -c "$0"',
    LIST_SCRIPT,
]


@dataclass
class VerifyResult:
    image: str
    image_id: str
    environment: str
    python_image: str
    python_record: str
    packages: int
    missing: list[tuple[str, str]] = field(default_factory=list)  # in the record only
    extra: list[tuple[str, str]] = field(default_factory=list)  # in the image only
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # name, record, image

    @property
    def identical(self) -> bool:
        return not (self.missing or self.extra or self.changed)

    def differences(self) -> list[str]:
        out = [f"{n}: {r} in the record, {i} in the image" for n, r, i in self.changed]
        out += [f"{n}: {v} in the record, missing from the image" for n, v in self.missing]
        out += [f"{n}: {v} in the image, not in the record" for n, v in self.extra]
        return out

    def summary(self) -> str:
        if self.identical:
            text = f"identical, {self.packages} packages"
        else:
            count = len(self.differences())
            text = f"{count} difference{'s' if count != 1 else ''} in {self.packages} packages"
        if self.python_image != self.python_record:
            text += f" (Python {self.python_image} in the image, {self.python_record} recorded)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "image_id": self.image_id,
            "environment": self.environment,
            "identical": self.identical,
            "packages": self.packages,
            "python": {"image": self.python_image, "record": self.python_record},
            "changed": [{"name": n, "record": r, "image": i} for n, r, i in self.changed],
            "missing": [{"name": n, "version": v} for n, v in self.missing],
            "extra": [{"name": n, "version": v} for n, v in self.extra],
            "summary": self.summary(),
        }


def _image_id_from_store(store: Store | None, ref: str) -> str | None:
    """An image named by the store: an Image record id prefix, or a snapshot ref (its
    latest image)."""
    if store is None:
        return None
    try:
        record = store.get(store.resolve(ref, kind=None))
    except (RecordNotFound, InvalidInput):
        return None
    if record["schema"] == records.IMAGE:
        return str(record["image_id"])
    if record["schema"] == records.SNAPSHOT:
        images = store.index.images_of(record["id"])
        return store.get(images[0], ImageRecord)["image_id"] if images else None
    return None


def verify_image(
    store: Store | None,
    engine: Engine,
    image: str,
    against: str | None = None,
    progress: ProgressCallback = ignore,
) -> VerifyResult:
    """Run ``LIST_SCRIPT`` in a container of ``image`` (no network) and compare with the
    environment it was built from (its ``io.mlver.environment`` label) or ``against``
    (a snapshot ref)."""
    info = engine.image(image)
    if info is None:
        image_id = _image_id_from_store(store, image)
        info = engine.image(image_id) if image_id else None
    if info is None:
        raise RecordNotFound(
            f"no image {image!r} in the engine or the store",
            "give an image name:tag or id, an Image record id, or a snapshot ref",
        )
    if against is not None:
        if store is None:
            raise RecordNotFound("--against needs a store", "run inside the project")
        environment = store.get(
            store.get(store.resolve(against), SnapshotRecord)["environment"], EnvironmentRecord
        )
    else:
        env_id = info.labels.get("io.mlver.environment")
        if not env_id:
            raise InvalidInput(
                f"image {image!r} has no io.mlver.environment label",
                "pass --against REF to compare it with a snapshot's environment",
            )
        if store is None or not store.objects.exists(env_id):
            raise RecordNotFound(
                f"the environment {env_id[:12]} of image {image!r} is not in this store",
                "run in the project that built it, or pass --against REF",
            )
        environment = store.get(env_id, EnvironmentRecord)
    progress(ProgressEvent("verify", f"listing the distributions in {image}"))
    result = engine.run(info.id, LIST_COMMAND)
    if result.exit_code != 0:
        raise InvalidInput(
            f"cannot list the packages in {image!r}: {result.tail()}",
            "the image needs python on its PATH",
        )
    listed = json.loads(result.stdout.strip().splitlines()[-1])
    return compare(image, info.id, environment, listed["python"], listed["packages"])


def compare(
    image: str, image_id: str, environment: EnvironmentRecord, python: str, found: dict[str, str]
) -> VerifyResult:
    recorded = {p["name"]: p["version"] for p in environment["packages"]}
    out = VerifyResult(
        image=image,
        image_id=image_id,
        environment=environment["id"],
        python_image=python,
        python_record=environment["python"]["version"],
        packages=len(recorded),
    )
    for name in sorted(set(recorded) | set(found)):
        if name not in found:
            out.missing.append((name, recorded[name]))
        elif name not in recorded:
            out.extra.append((name, found[name]))
        elif recorded[name] != found[name]:
            out.changed.append((name, recorded[name], found[name]))
    return out


@dataclass
class EnvironmentView:
    """An environment, where it came from, and the images recorded for it."""

    environment: EnvironmentRecord
    snapshot: str | None
    images: list[ImageRecord]

    def to_json(self) -> dict[str, Any]:
        return {"environment": self.environment, "snapshot": self.snapshot, "images": self.images}


def show_environment(
    store: Store | None, ref: str | None = None, *, current: bool = False, notebook: object = ALL
) -> EnvironmentView:
    """The environment ``env build`` would use: ``ref``'s, else HEAD's, else the current
    one (``current=True`` forces the current one). Nothing is written."""
    if store is None or current or (ref is None and store.index.latest(notebook) is None):
        env = capture_environment()
        images = []
        if store is not None:
            images = [
                store.get(i, ImageRecord)
                for i in store.index.images_with_fingerprint(env["fingerprint"])
            ]
        return EnvironmentView(env, None, images)
    source = resolve_source(store, BuildOptions(ref=ref, notebook=notebook))
    assert source.snapshot is not None
    images = [store.get(i, ImageRecord) for i in store.index.images_of(source.snapshot["id"])]
    return EnvironmentView(source.environment, source.snapshot["id"], images)
