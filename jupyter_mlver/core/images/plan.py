"""What a build decided before it does anything (``Plan``), what it did (``BuildResult``),
and the Image record of a built or reused image (``image_record``, the only place one is
made): shared by environment images (``build.py``) and serving images (``model_common.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .. import records
from ..engine.protocol import ImageInfo
from ..records import ImageRecord, Unreproducible
from .source import Source


@dataclass
class BuildResult:
    """What a build did. ``record`` is the stored Image record (None for a dry run)."""

    record: ImageRecord | None
    image: str | None  # the first tag, the reference to use
    tags: list[str]
    reused: bool
    dry_run: bool
    dockerfile: str
    context_dir: Path | None
    snapshot: str | None
    environment: str
    packages: int
    unreproducible: list[Unreproducible]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "record": self.record,
            "tags": self.tags,
            "reused": self.reused,
            "dry_run": self.dry_run,
            "context": str(self.context_dir) if self.context_dir else None,
            "snapshot": self.snapshot,
            "environment": self.environment,
            "packages": self.packages,
            "unreproducible": self.unreproducible,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Plan:
    """What a build decided before it does anything."""

    source: Source
    name: str
    refs: list[str]  # <name>:<tag> for every tag
    push_refs: list[str]  # <push repository>:<tag>
    base: str
    inputs: str
    started: float
    notes: list[str] = field(default_factory=list)
    push_repo: str | None = None  # --push: the repository of push_refs
    no_cache: bool = False  # --no-cache: no reuse, every step built again
    #: When the image was made (or reused): in its labels and its record.
    created: str = field(default_factory=records.now)

    @classmethod
    def tagged(
        cls,
        source: Source,
        name: str,
        tags: list[str],
        *,
        push: str | None,
        no_cache: bool,
        base: str,
        inputs: str,
        started: float,
    ) -> Plan:
        """The plan of an image tagged ``<name>:<tag>`` for every tag, and pushed as
        ``<push>:<tag>`` when ``push`` names a repository."""
        return cls(
            source=source,
            name=name,
            refs=[f"{name}:{t}" for t in tags],
            push_refs=[f"{push}:{t}" for t in tags] if push else [],
            base=base,
            inputs=inputs,
            started=started,
            push_repo=push,
            no_cache=no_cache,
        )

    @property
    def all_refs(self) -> list[str]:
        return self.refs + self.push_refs

    def result(
        self,
        record: ImageRecord | None,
        dockerfile: str,
        unreproducible: list[Unreproducible],
        notes: list[str] | None = None,
        context_dir: Path | None = None,
    ) -> BuildResult:
        env = self.source.environment
        return BuildResult(
            record=record,
            image=self.refs[0],
            tags=self.all_refs,
            reused=bool(record and record["reused"]),
            dry_run=record is None,
            dockerfile=dockerfile,
            context_dir=context_dir,
            snapshot=self.source.snapshot_id,
            environment=env["id"],
            packages=len(env["packages"]),
            unreproducible=unreproducible,
            notes=self.notes + (notes or []),
            seconds=time.monotonic() - self.started,
        )


class ImageObjects(NamedTuple):
    """What an Image record names in the store."""

    dockerfile: str
    lock: str
    build_log: str | None  # None for a reused image: nothing was built
    wheels: list[str]


def image_record(
    plan: Plan,
    info: ImageInfo,
    objects: ImageObjects,
    unreproducible: list[Unreproducible],
    repo_digests: list[str],
    *,
    reused: bool,
) -> ImageRecord:
    """The Image record of a built or reused image (the only place one is made)."""
    return {
        "schema": records.IMAGE,
        "image_id": info.id,
        "repo_digests": repo_digests,
        "tags": plan.all_refs,
        "base": plan.base,
        "platform": info.platform,
        "environment": plan.source.environment["id"],
        "snapshot": plan.source.snapshot_id,
        "dockerfile": objects.dockerfile,
        "lock": objects.lock,
        "build_log": objects.build_log,
        "created": plan.created,
        "build_seconds": round(time.monotonic() - plan.started, 3),
        "reused": reused,
        "unreproducible": sorted(unreproducible, key=lambda u: u["name"]),
        "wheels": objects.wheels,
        "inputs": plan.inputs,
    }
