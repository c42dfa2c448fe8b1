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
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..engine.protocol import Engine, ImageInfo
from ..engine.target import Target
from ..errors import EngineUnavailable
from ..hashing import hash_file
from ..records import ImageRecord, ServingFields, Unreproducible
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import bases
from . import context as ctx
from .engine_build import push_tags, run_build, settle_tags, tagging
from .naming import build_inputs, explicit_tags, labels, repository_name, tag_names
from .plan import BuildResult, ImageObjects, Plan, image_record
from .prepare import Prepared, clear_context_dir, prepare
from .progress import ProgressCallback, ProgressEvent, ignore
from .resolve import build_outside_wheels
from .source import BuildOptions, resolve_source


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
    base, base_info = bases.choose(engine, env, bases.named_base(options.base, base_default))
    with tempfile.TemporaryDirectory(prefix="mlver-build-") as tmp:
        outside = build_outside_wheels(store, source, Path(tmp) / "outside", progress)
        wheel_hashes = {spec: hash_file(path) for spec, path in outside.items()}
        plan = Plan.tagged(
            source,
            name,
            tags,
            push=options.push,
            no_cache=options.no_cache,
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
                return _reuse(store, engine, plan, found, progress)
        target = engine.probe(base_info) if engine and base_info else Target.assumed(env)
        image_labels = labels(name, options, source, base, plan.inputs, plan.created, tags)
        with store.writing(), store.objects.writer() as writer:
            prepared = prepare(
                store, writer, options, source, target, base, image_labels, Path(tmp), progress,
                outside, bases.suggested(engine, env),
            )  # fmt: skip
            if options.dry_run:
                clear_context_dir(out)
                prepared.context.write_dir(out)
                return plan.result(
                    None, prepared.dockerfile, prepared.unreproducible, prepared.notes, out
                )
            assert engine is not None
            stored = Builder(store, engine, progress).build(
                writer, plan, prepared, Path(tmp), fingerprint=env["fingerprint"]
            )
    return plan.result(stored, prepared.dockerfile, prepared.unreproducible, prepared.notes)


class Reusable(NamedTuple):
    """An image recorded with the same inputs that the engine still has."""

    record: ImageRecord
    info: ImageInfo


def find_reusable(
    store: Store, engine: Engine, image_ids: Iterable[str], inputs: str
) -> Reusable | None:
    """The first of these image records built from the same inputs whose image the engine
    still has."""
    for rid in image_ids:
        record = store.get(rid, ImageRecord)
        if record.get("inputs") != inputs:
            continue
        info = engine.image(record["image_id"])
        if info is not None:
            return Reusable(record, info)
    return None


@dataclass(frozen=True)
class Builder:
    """Builds or reuses images through one engine and records them in one store: the steps
    every image, of an environment or a model, goes through."""

    store: Store
    engine: Engine
    progress: ProgressCallback

    def build(
        self,
        writer: ObjectWriter,
        plan: Plan,
        prepared: Prepared,
        tmp: Path,
        *,
        extra: ServingFields | None = None,
        fingerprint: str | None = None,
    ) -> ImageRecord:
        """Build a prepared context, then tag and record the image (with ``extra``, what a
        serving image adds). The tags go again if anything after the build fails."""
        image_id, log = run_build(
            self.store,
            writer,
            self.engine,
            prepared.context,
            prepared.dockerfile,
            plan.no_cache,
            tmp,
            self.progress,
        )
        info = self.engine.image(image_id)
        assert info is not None
        with tagging(self.engine, info, plan.all_refs):
            self.progress(ProgressEvent("tag", f"tagged {', '.join(plan.refs)}"))
            objects = ImageObjects(
                dockerfile=writer.add_bytes(prepared.dockerfile.encode()),
                lock=writer.add_bytes(prepared.lock.encode()),
                build_log=writer.add_bytes(log.encode()),
                wheels=sorted({w.object for w in prepared.lock.wheels()}),
            )
            writer.commit()
            unreproducible = prepared.unreproducible
            return self._record(plan, info, objects, unreproducible, False, extra, fingerprint)

    def reuse(
        self,
        plan: Plan,
        found: Reusable,
        unreproducible: list[Unreproducible],
        *,
        same: str,
        extra: ServingFields | None = None,
        fingerprint: str | None = None,
    ) -> ImageRecord:
        """Tag an image built earlier again and record it, ``reused: true``; ``same`` says
        what it was built from. Call it while writing to the store."""
        earlier, info = found
        self.progress(
            ProgressEvent(
                "reuse",
                f"reusing {info.id[7:19]}: same {same} as image record {earlier['id'][:12]}",
            )
        )
        objects = ImageObjects(
            dockerfile=earlier["dockerfile"],
            lock=earlier["lock"],
            build_log=None,
            wheels=earlier.get("wheels") or [],
        )
        with tagging(self.engine, info, plan.all_refs):
            return self._record(plan, info, objects, unreproducible, True, extra, fingerprint)

    def _record(
        self,
        plan: Plan,
        info: ImageInfo,
        objects: ImageObjects,
        unreproducible: list[Unreproducible],
        reused: bool,
        extra: ServingFields | None,
        fingerprint: str | None,
    ) -> ImageRecord:
        """Push the tags and store the image's record (call it while tagging)."""
        digests = push_tags(self.engine, plan.push_repo, plan.push_refs, self.progress)
        record = image_record(plan, info, objects, unreproducible, digests, reused=reused)
        if extra is not None:
            record = serving_record(record, extra)
        return self.store.put_record(record, fingerprint=fingerprint)


def serving_record(image: ImageRecord, extra: ServingFields) -> ImageRecord:
    """A serving image's record: the Image record and what serving adds."""
    return {**image, **extra}


def _reuse(
    store: Store, engine: Engine, plan: Plan, found: Reusable, progress: ProgressCallback
) -> BuildResult:
    # Untracked files are the snapshot's own: say which this snapshot had.
    earlier = found.record
    unreproducible = [
        u for u in earlier.get("unreproducible") or [] if u["name"] != "untracked files"
    ]
    unreproducible += ctx.untracked_problems(plan.source.git)
    with store.writing():
        stored = Builder(store, engine, progress).reuse(
            plan,
            found,
            unreproducible,
            same="environment, base and code",
            fingerprint=plan.source.environment["fingerprint"],
        )
    dockerfile = store.objects.get_bytes(earlier["dockerfile"]).decode()
    return plan.result(stored, dockerfile, stored["unreproducible"])
