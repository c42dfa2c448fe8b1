"""build_image(): an environment (of a snapshot, or the current one) -> a tagged image and
an Image record linked to the snapshot.

1. The source: the snapshot ``ref`` names; with no ref the latest snapshot (HEAD) when
   there is one, else the current environment alone (no project code layer).
2. Reuse: an image already recorded with the same *inputs* — environment fingerprint,
   base image, project code (commit + diff) and notebook — that still exists in the
   engine is tagged again and recorded with ``reused: true``; nothing is built. (The
   fingerprint alone would hand back an image with stale code after a code change.)
3. Lock (``lock.py``), context (``context.py``), ``render()`` (``dockerfile.py``).
4. Build through the engine with progress streamed; tags are added only after the build
   succeeded, and removed again if recording fails, so a failed build leaves no tag and
   no record (its log is kept in the store and named in the error).
5. ``--push``: every tag under the given repository; the registry's digest is recorded.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import _version
from .. import records
from ..capture.environment import capture_environment
from ..errors import BuildFailed, Conflict, EngineUnavailable, InvalidInput
from ..hashing import hash_bytes
from ..index import ALL
from ..objects import ObjectWriter
from ..records import Record
from ..store import Store
from . import context as ctx
from .dockerfile import DockerfileSpec, count_steps, render
from .engine import BuildError, Engine, ImageInfo
from .live import live_paths
from .lock import DEPS, LOCAL, Lock, fetch_wheels, resolve_lock
from .progress import ProgressCallback, ProgressEvent, ignore
from .target import Target, check_compatible

#: Bump when render() or the context layout changes what an image contains: images
#: recorded by an older renderer are then not reused.
RENDER_VERSION = 1
DOCKER_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_REPO_PART = re.compile(r"[^a-z0-9._-]+")
#: Recorded variables that change what code computes; baked into the image's ENV.
BAKED_ENV_VARS = (
    "PYTHONHASHSEED",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "CUBLAS_WORKSPACE_CONFIG",
    "TF_DETERMINISTIC_OPS",
    "TZ",
)
_TAIL_LINES = 15


class BuildStepFailed(BuildFailed):
    """A build step failed. ``tail`` is that step's last output lines; the full log is the
    store object ``log_object``."""

    def __init__(self, message: str, hint: str, tail: list[str], log_object: str) -> None:
        super().__init__(message, hint)
        self.tail = tail
        self.log_object = log_object


@dataclass
class BuildOptions:
    """What ``%mlver env build`` / ``jupyter mlver env build`` accept."""

    ref: str | None = None  # a snapshot: HEAD, HEAD~N, tag, id prefix
    notebook: object = ALL  # whose HEAD (the magics pass the notebook's store path)
    current: bool = False  # the current environment even when there are snapshots
    environment: Record | None = None  # an explicit environment record (API, tests)
    tag: str | None = None  # SEMVER: adds <prefix><name>:<tag>
    base: str | None = None  # default python:<major.minor.micro>-slim
    name: str | None = None  # the image's repository name; default the project directory
    prefix: str = ""  # c.Mlver.image_prefix, e.g. "registry.example.com/team/"
    push: str | None = None  # a repository to push every tag to
    no_cache: bool = False  # no reuse, no layer cache
    online: bool = False  # index packages from the index inside the build
    dry_run: bool = False  # write the context and Dockerfile, build nothing
    output: Path | None = None  # where a dry run writes the context


@dataclass
class BuildResult:
    """What a build did. ``record`` is the stored Image record (None for a dry run)."""

    record: Record | None
    image: str | None  # the first tag, the reference to use
    tags: list[str]
    reused: bool
    dry_run: bool
    dockerfile: str
    context_dir: Path | None
    snapshot: str | None
    environment: str
    packages: int
    unreproducible: list[dict[str, str]]
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
class _Source:
    snapshot: Record | None
    environment: Record  # with its id


def resolve_source(store: Store, options: BuildOptions) -> _Source:
    """The snapshot and environment a build (or ``env show``) is about; an environment
    that is not stored yet is stored (an Image record must reference it)."""
    if options.environment is not None:
        env = options.environment
    elif options.ref is not None or (
        not options.current and store.index.latest(options.notebook) is not None
    ):
        snapshot = store.get(store.resolve(options.ref or "HEAD", options.notebook))
        return _Source(snapshot, store.get(snapshot["environment"]))
    else:
        env = capture_environment()
    if env.get("id") and store.index.has(env["id"]):
        return _Source(None, env)
    with store.writing():
        return _Source(None, store.put_record(env))


def repository_name(store: Store, options: BuildOptions) -> str:
    """``<prefix><name>``; the name (default: the project directory's) is made a valid
    repository path: lowercase, ``[a-z0-9._-]`` components separated by ``/``."""
    raw = options.name or store.root.name
    parts = [_REPO_PART.sub("-", part.lower()).strip("._-") for part in raw.split("/")]
    name = "/".join(p for p in parts if p) or "mlver-env"
    return f"{options.prefix}{name}"


def tag_names(options: BuildOptions, source: _Source) -> list[str]:
    """``<semver>``, ``<git short sha>``, ``env-<fingerprint12>``, ``snap-<snapshot12>``."""
    tags: list[str] = []
    if options.tag:
        if not DOCKER_TAG.match(options.tag):
            raise InvalidInput(
                f"invalid image tag {options.tag!r}",
                "use letters, digits, '.', '_' and '-' (e.g. 1.2.0 or v1.2.0)",
            )
        tags.append(options.tag)
    snapshot = source.snapshot
    git = (snapshot or {}).get("git") or {}
    if git.get("commit"):
        tags.append(git["commit"][:7])
    tags.append(f"env-{source.environment['fingerprint'][:12]}")
    if snapshot:
        tags.append(f"snap-{snapshot['id'][:12]}")
    return list(dict.fromkeys(tags))


def default_base(environment: Record) -> str:
    return f"python:{environment['python']['version']}-slim"


def _baked_env(environment: Record) -> dict[str, str]:
    recorded = environment.get("env_vars") or {}
    return {k: recorded[k] for k in BAKED_ENV_VARS if k in recorded}


def _local_outside_code(source: _Source, store: Store) -> bool:
    """A local/editable package outside the project's git tree: its content is not in the
    inputs, so an image cannot be safely reused for it."""
    git = (source.snapshot or {}).get("git")
    root = (store.root / git["root"]).resolve() if git else None
    for pkg in source.environment["packages"]:
        if pkg["source"] in ("local", "editable"):
            url = pkg.get("url") or ""
            path = Path(url.removeprefix("file://")).resolve()
            if root is None or not path.is_relative_to(root):
                return True
    return False


def build_inputs(source: _Source, base: str, base_id: str | None, online: bool) -> str:
    """What decides an image's content besides the labels: equal inputs, equal image."""
    snapshot = source.snapshot or {}
    git = snapshot.get("git") or {}
    notebook = snapshot.get("notebook") or {}
    return hash_bytes(
        records.canonical_json(
            {
                "render": RENDER_VERSION,
                "fingerprint": source.environment["fingerprint"],
                "base": base,
                "base_id": base_id,
                "online": online,
                "git": {k: git.get(k) for k in ("root", "commit", "diff", "diff_omitted")},
                "notebook": {k: notebook.get(k) for k in ("path", "hash")},
                "env": _baked_env(source.environment),
            }
        )
    )


def _labels(
    name: str,
    options: BuildOptions,
    source: _Source,
    base: str,
    inputs: str,
    created: str,
    tags: list[str],
) -> dict[str, str]:
    snapshot = source.snapshot or {}
    git = snapshot.get("git") or {}
    labels = {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.title": name.rsplit("/", 1)[-1],
        "org.opencontainers.image.version": options.tag or tags[0],
        "org.opencontainers.image.revision": git.get("commit") or "",
        "org.opencontainers.image.source": git.get("remote") or "",
        "org.opencontainers.image.base.name": base,
        "io.mlver.snapshot": snapshot.get("id") or "",
        "io.mlver.environment": source.environment["id"],
        "io.mlver.fingerprint": source.environment["fingerprint"],
        "io.mlver.inputs": inputs,
        "io.mlver.notebook": (snapshot.get("notebook") or {}).get("path") or "",
        "io.mlver.schema": records.IMAGE,
        "io.mlver.version": _version.__version__,
    }
    return {k: v for k, v in labels.items() if v}


def _find_reusable(
    store: Store, engine: Engine, fingerprint: str, inputs: str
) -> tuple[Record, ImageInfo] | None:
    for rid in store.index.images_with_fingerprint(fingerprint):
        record = store.get(rid)
        if record.get("inputs") != inputs:
            continue
        info = engine.image(record["image_id"])
        if info is not None:
            return record, info
    return None


def _noise(line: str) -> bool:
    """The legacy builder's own chatter around a step's output."""
    return line.strip().startswith(("---> ", "Removing intermediate container", "The command '"))


def _failure_reason(lines: list[str], engine_error: str) -> str:
    """The most telling line of a failed step: pip's last ERROR, else its last output."""
    useful = [ln.strip() for ln in lines if ln.strip() and not _noise(ln)]
    errors = [ln for ln in useful if ln.startswith("ERROR:")]
    if errors:
        return errors[-1]
    return useful[-1] if useful else engine_error


@dataclass
class _Prepared:
    context: ctx.Context
    dockerfile: str
    lock: Lock
    unreproducible: list[dict[str, str]]
    notes: list[str]


def _prepare(
    store: Store,
    writer: ObjectWriter,
    options: BuildOptions,
    source: _Source,
    target: Target,
    base: str,
    labels: dict[str, str],
    tmp: Path,
    progress: ProgressCallback,
) -> _Prepared:
    env = source.environment
    snapshot = source.snapshot
    unreproducible = check_compatible(target, env, base)
    progress(ProgressEvent("resolve", f"locking {len(env['packages'])} packages for {target.key}"))
    lock = resolve_lock(
        store,
        writer,
        env,
        target,
        online=options.online,
        live_paths=live_paths(env),
        progress=progress,
    )
    writer.commit()  # the wheels must be objects before the context reads them
    unreproducible += lock.unreproducible

    progress(ProgressEvent("context", "assembling the build context"))
    context = ctx.Context()
    for name, text in lock.files().items():
        context.add_bytes(f"{ctx.MLVER_DIR}/{name}", text.encode())
    local_files = {p.wheel.file for p in lock.packages if p.layer == LOCAL and p.wheel}
    for wheel, path in fetch_wheels(store, lock):
        folder = ctx.LOCAL_WHEELS_DIR if wheel.file in local_files else ctx.WHEELS_DIR
        context.add_file(f"{folder}/{wheel.file}", path)
    mtime = 0
    notebook = None
    if snapshot is not None:
        code_dir = tmp / "code"
        mtime, problems = ctx.export_code(store, snapshot, code_dir)
        unreproducible += problems
        git_root = (snapshot.get("git") or {}).get("root") or "."
        prefix = (
            ctx.CODE_DIR
            if git_root in (".", "") or git_root.startswith("..")
            else (f"{ctx.CODE_DIR}/{git_root}")
        )
        if code_dir.is_dir():
            context.add_tree(prefix, code_dir, mtime)
        notebook = ctx.notebook_entry(snapshot)
        if notebook:
            nb_bytes = store.objects.get_bytes(snapshot["notebook"]["hash"])
            context.add_bytes(f"{ctx.NOTEBOOK_DIR}/{notebook}", nb_bytes, mtime=mtime)
    record_docs: dict[str, Any] = {"environment": env, "lock": lock.to_json()}
    if snapshot is not None:
        record_docs["snapshot"] = snapshot
    for name, data in ctx.record_files(record_docs).items():
        context.add_bytes(name, data, mtime=mtime)

    deps_wheels = bool(lock.wheels(DEPS))
    files = lock.files()
    spec = DockerfileSpec(
        base=base,
        requirements="requirements.txt" in files,
        online=options.online,
        wheels=deps_wheels,
        vendored="vendored.txt" in files,
        local="local.txt" in files,
        remove=tuple(lock.seeded_extras()),
        pip_wheel=lock.pip_wheel(),
        code=context.has(ctx.CODE_DIR),
        notebook=notebook,
        records=True,
        env=_baked_env(env),
        jupyter="jupyterlab" in lock.names(),
        labels=labels,
        header=(
            f"Built by jupyter_mlver {_version.__version__} from "
            + (f"snapshot {snapshot['id']}" if snapshot else "the current environment"),
            f"environment {env['id']} (fingerprint {env['fingerprint'][:12]}), "
            f"{len(lock.packages)} packages for {target.key}",
            "Build context: this directory. Wheels were resolved on the host; "
            + (
                "index packages install from the index." if options.online else "no network needed."
            ),
        ),
    )
    dockerfile = render(spec)
    context.add_bytes("Dockerfile", dockerfile.encode())
    notes = (
        []
        if target.probed
        else [
            f"no engine to inspect the base image: assumed Python {target.python}, "
            f"{target.machine}, glibc {target.glibc}"
        ]
    )
    return _Prepared(context, dockerfile, lock, unreproducible, notes)


def _clear_context_dir(out: Path, check_only: bool = False) -> None:
    """Make room for a context: only an empty directory or an earlier context is replaced,
    never a directory of something else (``--output .`` must not wipe a project)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise Conflict(f"{out} exists and is not a directory", "choose another --output")
    if any(out.iterdir()):
        if not ((out / "Dockerfile").is_file() and (out / ctx.MLVER_DIR).is_dir()):
            raise Conflict(
                f"{out} is not empty and is not an earlier build context",
                "choose an empty or new directory for --output",
            )
        if check_only:
            return
        import shutil

        shutil.rmtree(out)


def _connect(engine: Engine | None, dry_run: bool) -> Engine | None:
    if engine is not None:
        return engine
    from .engine import DockerEngine

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
    snapshot_id = source.snapshot["id"] if source.snapshot else None
    out = options.output or store.dir / "contexts" / (
        f"snap-{snapshot_id[:12]}" if snapshot_id else f"env-{env['fingerprint'][:12]}"
    )
    if options.dry_run:
        _clear_context_dir(out, check_only=True)  # before any work
    name = repository_name(store, options)
    tags = tag_names(options, source)  # a bad --tag fails before any work too
    engine = _connect(engine, options.dry_run)
    base = options.base or base_default or default_base(env)
    base_info = engine.ensure_image(base) if engine is not None else None
    inputs = build_inputs(source, base, base_info.id if base_info else None, options.online)
    refs = [f"{name}:{t}" for t in tags]
    push_refs = [f"{options.push}:{t}" for t in tags] if options.push else []

    if (
        engine is not None
        and not options.dry_run
        and not options.no_cache
        and not _local_outside_code(source, store)
    ):
        found = _find_reusable(store, engine, env["fingerprint"], inputs)
        if found is not None:
            return _reuse(
                store,
                engine,
                source,
                found,
                refs,
                push_refs,
                inputs,
                options.push,
                started,
                progress,
            )

    created = records.now()
    labels = _labels(name, options, source, base, inputs, created, tags)
    with (
        store.writing(),
        store.objects.writer() as writer,
        tempfile.TemporaryDirectory(prefix="mlver-build-") as tmp,
    ):
        target = (
            engine.probe(base_info)
            if engine is not None and base_info is not None
            else Target.assumed(env)
        )
        prepared = _prepare(
            store, writer, options, source, target, base, labels, Path(tmp), progress
        )

        def result(record: Record | None, context_dir: Path | None) -> BuildResult:
            return BuildResult(
                record=record,
                image=refs[0],
                tags=refs + push_refs,
                reused=False,
                dry_run=record is None,
                dockerfile=prepared.dockerfile,
                context_dir=context_dir,
                snapshot=snapshot_id,
                environment=env["id"],
                packages=len(env["packages"]),
                unreproducible=prepared.unreproducible,
                notes=prepared.notes,
                seconds=time.monotonic() - started,
            )

        if options.dry_run:
            _clear_context_dir(out)
            prepared.context.write_dir(out)
            return result(None, out)
        assert engine is not None and base_info is not None
        image_id, log = _run_build(store, writer, engine, prepared, options, Path(tmp), progress)
        applied: list[str] = []
        try:
            for ref in refs + push_refs:
                engine.tag(image_id, ref)
                applied.append(ref)
            progress(ProgressEvent("tag", f"tagged {', '.join(refs)}"))
            info = engine.image(image_id)
            assert info is not None
            record: Record = {
                "schema": records.IMAGE,
                "image_id": image_id,
                "repo_digests": [],
                "tags": refs + push_refs,
                "base": base,
                "platform": info.platform,
                "environment": env["id"],
                "snapshot": snapshot_id,
                "dockerfile": writer.add_bytes(prepared.dockerfile.encode()),
                "lock": writer.add_bytes(prepared.lock.encode()),
                "build_log": writer.add_bytes(log.encode()),
                "created": created,
                "build_seconds": 0.0,
                "reused": False,
                "unreproducible": prepared.unreproducible,
                "wheels": sorted({w.object for w in prepared.lock.wheels()}),
                "inputs": inputs,
            }
            writer.commit()
            digests = _push(engine, options.push, push_refs, progress)
            record["repo_digests"] = digests
            record["build_seconds"] = round(time.monotonic() - started, 3)
            stored = store.put_record(record, fingerprint=env["fingerprint"])
        except BaseException:
            for ref in applied:  # no tag may point at an unrecorded image
                with contextlib.suppress(Exception):
                    engine.untag(ref)
            raise
    return result(stored, None)


def _run_build(
    store: Store,
    writer: ObjectWriter,
    engine: Engine,
    prepared: _Prepared,
    options: BuildOptions,
    tmp: Path,
    progress: ProgressCallback,
) -> tuple[str, str]:
    total = count_steps(prepared.dockerfile)
    progress(ProgressEvent("build", f"building ({total} steps)", step=0, total=total))
    log_lines: list[str] = []

    def on_line(line: str) -> None:
        log_lines.append(line)
        progress(ProgressEvent("build", line, log=True))

    def on_step(i: int, n: int, instruction: str) -> None:
        progress(ProgressEvent("build", f"step {i}/{n}: {instruction}", step=i, total=n))

    with open(tmp / "context.tar", "w+b") as tar:
        prepared.context.write_tar(tar)
        tar.seek(0)
        try:
            image_id = engine.build(tar, nocache=options.no_cache, on_line=on_line, on_step=on_step)
        except BuildError as e:
            log_id = writer.add_bytes(e.log.encode())
            writer.commit()
            instruction = " ".join(e.step[2].split()) if e.step else ""
            where = f"step {e.step[0]}/{e.step[1]} ({instruction[:100]})" if e.step else "the start"
            raise BuildStepFailed(
                f"the build failed at {where}: {_failure_reason(e.lines, e.message)}",
                f"full log: {store.objects.path(log_id)}",
                tail=[ln for ln in e.lines if ln.strip() and not _noise(ln)][-_TAIL_LINES:],
                log_object=log_id,
            ) from None
    return image_id, "\n".join(log_lines) + "\n"


def _push(
    engine: Engine, repo: str | None, refs: list[str], progress: ProgressCallback
) -> list[str]:
    if not repo:
        return []
    digests: set[str] = set()
    for ref in refs:
        progress(ProgressEvent("push", f"pushing {ref}"))
        digests.add(engine.push(ref, lambda line: progress(ProgressEvent("push", line, log=True))))
    return sorted(f"{repo}@{d}" for d in digests)


def _reuse(
    store: Store,
    engine: Engine,
    source: _Source,
    found: tuple[Record, ImageInfo],
    refs: list[str],
    push_refs: list[str],
    inputs: str,
    push_repo: str | None,
    started: float,
    progress: ProgressCallback,
) -> BuildResult:
    earlier, info = found
    progress(
        ProgressEvent(
            "reuse",
            f"reusing {info.id[7:19]}: same environment, base and code as "
            f"image record {earlier['id'][:12]}",
        )
    )
    env = source.environment
    applied: list[str] = []
    try:
        for ref in refs + push_refs:
            engine.tag(info.id, ref)
            applied.append(ref)
        unreproducible = [
            u for u in earlier.get("unreproducible") or [] if u["name"] != "untracked files"
        ]
        if source.snapshot is not None:
            unreproducible += ctx.untracked_problems(source.snapshot.get("git") or {})
        record: Record = {
            "schema": records.IMAGE,
            "image_id": info.id,
            "repo_digests": _push(engine, push_repo, push_refs, progress),
            "tags": refs + push_refs,
            "base": earlier["base"],
            "platform": info.platform,
            "environment": env["id"],
            "snapshot": source.snapshot["id"] if source.snapshot else None,
            "dockerfile": earlier["dockerfile"],
            "lock": earlier["lock"],
            "build_log": None,
            "created": records.now(),
            "build_seconds": round(time.monotonic() - started, 3),
            "reused": True,
            "unreproducible": sorted(unreproducible, key=lambda u: u["name"]),
            "wheels": earlier.get("wheels") or [],
            "inputs": inputs,
        }
        with store.writing():
            stored = store.put_record(record, fingerprint=env["fingerprint"])
    except BaseException:
        for ref in applied:
            if ref not in info.tags:  # only what this call added
                with contextlib.suppress(Exception):
                    engine.untag(ref)
        raise
    return BuildResult(
        record=stored,
        image=refs[0],
        tags=refs + push_refs,
        reused=True,
        dry_run=False,
        dockerfile=store.objects.get_bytes(earlier["dockerfile"]).decode(),
        context_dir=None,
        snapshot=stored["snapshot"],
        environment=env["id"],
        packages=len(env["packages"]),
        unreproducible=stored["unreproducible"],
        seconds=time.monotonic() - started,
    )
