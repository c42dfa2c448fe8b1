"""build_image(): an environment (of a snapshot, or the current one) -> a tagged image and
an Image record linked to the snapshot.

1. The source (``source.py``): the snapshot ``ref`` names; with no ref the latest snapshot
   (HEAD) when there is one, else the current environment alone (no project code layer).
2. Reuse: an image already recorded with the same *inputs* (``naming.build_inputs``:
   environment fingerprint, base image, project code, notebook, the wheels of local
   packages outside the project, extras) that still exists in the engine is tagged again
   and recorded with ``reused: true``; nothing is built.
3. Lock, context and Dockerfile (``prepare.py``).
4. Build through the engine with progress streamed; tags are added only after the build
   succeeded and removed again if anything after fails (``tagging``), so a failed build
   leaves no tag and no record (its log is kept in the store and named in the error).
5. ``--push``: every tag under the given repository; the registry's digest is recorded.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import records
from ..engine.protocol import Engine, ImageInfo
from ..engine.target import Target
from ..errors import EngineUnavailable
from ..hashing import hash_file
from ..records import ImageRecord, Record, Unreproducible
from ..store.store import Store
from . import bases
from . import context as ctx
from .engine_build import push_tags, run_build, settle_tags, tagging
from .naming import build_inputs, explicit_tags, labels, repository_name, tag_names
from .prepare import clear_context_dir, prepare
from .progress import ProgressCallback, ProgressEvent, ignore
from .resolve import build_outside_wheels
from .source import BuildOptions, Source, resolve_source


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


def image_record(
    plan: Plan,
    info: ImageInfo,
    *,
    dockerfile: str,
    lock: str,
    build_log: str | None,
    reused: bool,
    unreproducible: list[Unreproducible],
    wheels: list[str],
    repo_digests: list[str],
    created: str,
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
        "dockerfile": dockerfile,
        "lock": lock,
        "build_log": build_log,
        "created": created,
        "build_seconds": round(time.monotonic() - plan.started, 3),
        "reused": reused,
        "unreproducible": sorted(unreproducible, key=lambda u: u["name"]),
        "wheels": wheels,
        "inputs": plan.inputs,
    }


def connect(engine: Engine | None, dry_run: bool) -> Engine | None:
    if engine is not None:
        return engine
    from ..engine.docker import DockerEngine

    try:
        return DockerEngine.connect()
    except EngineUnavailable:
        if dry_run:
            return None  # a dry run still writes the context and Dockerfile
        raise


def choose_base(
    engine: Engine | None, environment: Record, named: str | None
) -> tuple[str, ImageInfo | None]:
    """The named base, else the one with the environment's Python (``bases.py``); without
    an engine (a dry run) only its name."""
    if engine is None:
        return named or bases.default_name(bases.python_of(environment)), None
    if named:
        return named, engine.ensure_image(named)
    return bases.pick(engine, environment)


def suggested_base(engine: Engine | None, environment: Record) -> str:
    """The base to name when the chosen one's Python differs from the environment's."""
    version = bases.python_of(environment)
    if engine is None:
        return bases.default_name(version)
    return bases.suggest(version, lambda name: engine.image(name) is not None)


def build_image(
    store: Store,
    options: BuildOptions,
    engine: Engine | None = None,
    progress: ProgressCallback = ignore,
    base_default: str | None = None,
) -> BuildResult:
    """Build (or reuse) the image of a snapshot's environment and record it.

    ``engine`` is made once by the caller (``DockerEngine.connect()``) and passed in; if
    None, one is connected here. ``base_default`` is ``c.Mlver.base_image``.
    """
    started = time.monotonic()
    source = resolve_source(store, options)
    env = source.environment
    out = options.output or store.dir / "contexts" / (
        f"snap-{source.snapshot_id[:12]}"
        if source.snapshot_id
        else f"env-{env['fingerprint'][:12]}"
    )
    if options.dry_run:
        clear_context_dir(out, check_only=True)  # before any work
    name = repository_name(store, options)
    tags = tag_names(options, source)  # a bad --tag fails before any work too
    engine = connect(engine, options.dry_run)
    base, base_info = choose_base(engine, env, bases.named_base(options.base, base_default))
    with tempfile.TemporaryDirectory(prefix="mlver-build-") as tmp:
        outside = build_outside_wheels(store, source, Path(tmp) / "outside", progress)
        wheel_hashes = {spec: hash_file(path) for spec, path in outside.items()}
        plan = Plan(
            source=source,
            name=name,
            refs=[f"{name}:{t}" for t in tags],
            push_refs=[f"{options.push}:{t}" for t in tags] if options.push else [],
            base=base,
            inputs=build_inputs(
                source, base, base_info.id if base_info else None, options, wheel_hashes
            ),
            started=started,
        )
        if engine is not None:
            explicit = {f"{name}:{t}" for t in explicit_tags(options)}
            plan.refs, plan.notes = settle_tags(engine, plan.refs, plan.inputs, explicit)
        if engine is not None and not options.dry_run and not options.no_cache:
            found = find_reusable(
                store, engine, store.index.images_with_fingerprint(env["fingerprint"]), plan.inputs
            )
            if found is not None:
                return _reuse(store, engine, plan, *found, options.push, progress)
        target = engine.probe(base_info) if engine and base_info else Target.assumed(env)
        created = records.now()
        image_labels = labels(name, options, source, base, plan.inputs, created, tags)
        with store.writing(), store.objects.writer() as writer:
            prepared = prepare(
                store, writer, options, source, target, base, image_labels, Path(tmp), progress,
                outside, suggested_base(engine, env),
            )  # fmt: skip
            if options.dry_run:
                clear_context_dir(out)
                prepared.context.write_dir(out)
                return plan.result(
                    None, prepared.dockerfile, prepared.unreproducible, prepared.notes, out
                )
            assert engine is not None
            image_id, log = run_build(
                store,
                writer,
                engine,
                prepared.context,
                prepared.dockerfile,
                options.no_cache,
                Path(tmp),
                progress,
            )
            info = engine.image(image_id)
            assert info is not None
            with tagging(engine, info, plan.all_refs):
                progress(ProgressEvent("tag", f"tagged {', '.join(plan.refs)}"))
                dockerfile = writer.add_bytes(prepared.dockerfile.encode())
                lock = writer.add_bytes(prepared.lock.encode())
                build_log = writer.add_bytes(log.encode())
                writer.commit()
                record = image_record(
                    plan,
                    info,
                    dockerfile=dockerfile,
                    lock=lock,
                    build_log=build_log,
                    reused=False,
                    unreproducible=prepared.unreproducible,
                    wheels=sorted({w.object for w in prepared.lock.wheels()}),
                    repo_digests=push_tags(engine, options.push, plan.push_refs, progress),
                    created=created,
                )
                stored = store.put_record(record, fingerprint=env["fingerprint"])
    return plan.result(stored, prepared.dockerfile, prepared.unreproducible, prepared.notes)


def find_reusable(
    store: Store, engine: Engine, image_ids: Iterable[str], inputs: str
) -> tuple[ImageRecord, ImageInfo] | None:
    """The first of these image records built from the same inputs whose image the engine
    still has."""
    for rid in image_ids:
        record = store.get(rid, ImageRecord)
        if record.get("inputs") != inputs:
            continue
        info = engine.image(record["image_id"])
        if info is not None:
            return record, info
    return None


def reused_record(
    engine: Engine,
    plan: Plan,
    earlier: ImageRecord,
    info: ImageInfo,
    unreproducible: list[Unreproducible],
    push_repo: str | None,
    progress: ProgressCallback,
) -> ImageRecord:
    """The record of an image reused as ``earlier`` built it (call it while tagging)."""
    return image_record(
        plan,
        info,
        dockerfile=earlier["dockerfile"],
        lock=earlier["lock"],
        build_log=None,
        reused=True,
        unreproducible=unreproducible,
        wheels=earlier.get("wheels") or [],
        repo_digests=push_tags(engine, push_repo, plan.push_refs, progress),
        created=records.now(),
    )


def _reuse(
    store: Store,
    engine: Engine,
    plan: Plan,
    earlier: ImageRecord,
    info: ImageInfo,
    push_repo: str | None,
    progress: ProgressCallback,
) -> BuildResult:
    progress(
        ProgressEvent(
            "reuse",
            f"reusing {info.id[7:19]}: same environment, base and code as "
            f"image record {earlier['id'][:12]}",
        )
    )
    with tagging(engine, info, plan.all_refs):
        # Untracked files are the snapshot's own: say which this snapshot had.
        unreproducible = [
            u for u in earlier.get("unreproducible") or [] if u["name"] != "untracked files"
        ]
        if plan.source.snapshot is not None:
            unreproducible += ctx.untracked_problems(plan.source.snapshot.get("git") or {})
        record = reused_record(engine, plan, earlier, info, unreproducible, push_repo, progress)
        with store.writing():
            stored = store.put_record(record, fingerprint=plan.source.environment["fingerprint"])
    dockerfile = store.objects.get_bytes(earlier["dockerfile"]).decode()
    return plan.result(stored, dockerfile, stored["unreproducible"])
