"""Preparing a build: the lock for the image's platform, the build context (lock, wheels,
code at the commit with its diff, notebook, records, extra layers) and the Dockerfile."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import _version
from ..engine.target import Target, check_compatible
from ..errors import Conflict
from ..records import Unreproducible
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import context as ctx
from .dockerfile import DockerfileSpec, render
from .extras import ImageExtras
from .live import live_paths
from .lock import DEPS, LOCAL, Lock, fetch_wheels
from .naming import baked_env
from .progress import ProgressCallback, ProgressEvent
from .resolve import resolve_lock
from .source import BuildOptions, Source

EXTRAS_DIR = "extras"


@dataclass
class Prepared:
    context: ctx.Context
    dockerfile: str
    lock: Lock
    unreproducible: list[Unreproducible]
    notes: list[str]


def _add_code(
    store: Store, context: ctx.Context, source: Source, tmp: Path
) -> tuple[int, str | None, list[Unreproducible]]:
    """The snapshot's code, notebook and records; their time stamp (the commit's), the
    notebook's place in the project, and what could not be reproduced."""
    snapshot = source.snapshot
    if snapshot is None:
        return 0, None, []
    code_dir = tmp / "code"
    mtime, problems = ctx.export_code(store, snapshot, code_dir)
    git_root = (source.git.get("root") if source.git else None) or "."
    inside = git_root in (".", "") or git_root.startswith("..")
    if code_dir.is_dir():
        context.add_tree(ctx.CODE_DIR if inside else f"{ctx.CODE_DIR}/{git_root}", code_dir, mtime)
    info = source.notebook
    notebook = ctx.notebook_entry(info)
    if info and notebook:
        nb_bytes = store.objects.get_bytes(info["hash"])
        context.add_bytes(f"{ctx.NOTEBOOK_DIR}/{notebook}", nb_bytes, mtime=mtime)
    return mtime, notebook, problems


def _add_extras(context: ctx.Context, extras: ImageExtras | None) -> tuple[tuple[str, str], ...]:
    if extras is None:
        return ()
    layers = []
    for i, layer in enumerate(extras.layers):
        folder = f"{EXTRAS_DIR}/{i}"
        for name, data in sorted(layer.files.items()):
            if isinstance(data, Path):
                context.add_file(f"{folder}/{name}", data, mode=layer.mode)
            else:
                context.add_bytes(f"{folder}/{name}", data, mode=layer.mode)
        layers.append((folder, layer.dest))
    return tuple(layers)


def prepare(
    store: Store,
    writer: ObjectWriter,
    options: BuildOptions,
    source: Source,
    target: Target,
    base: str,
    labels: dict[str, str],
    tmp: Path,
    progress: ProgressCallback,
    prebuilt: dict[str, Path],
    suggested_base: str | None = None,
) -> Prepared:
    env = source.environment
    unreproducible = check_compatible(target, env, base, suggested_base)
    progress(ProgressEvent("resolve", f"locking {len(env['packages'])} packages for {target.key}"))
    lock = resolve_lock(
        store,
        writer,
        env,
        target,
        base=base,
        suggested_base=suggested_base,
        online=options.online,
        live_paths=live_paths(env),
        progress=progress,
        prebuilt=prebuilt,
    )
    writer.commit()  # the wheels must be objects before the context reads them
    unreproducible += lock.unreproducible

    progress(ProgressEvent("context", "assembling the build context"))
    context = ctx.Context()
    files = lock.files()
    for name, text in files.items():
        context.add_bytes(f"{ctx.MLVER_DIR}/{name}", text.encode())
    local_files = {p.wheel.file for p in lock.packages if p.layer == LOCAL and p.wheel}
    for wheel, path in fetch_wheels(store, lock):
        folder = ctx.LOCAL_WHEELS_DIR if wheel.file in local_files else ctx.WHEELS_DIR
        context.add_file(f"{folder}/{wheel.file}", path)
    mtime, notebook, problems = _add_code(store, context, source, tmp)
    unreproducible += problems
    record_docs: dict[str, Any] = {"environment": env, "lock": lock.to_json()}
    if source.snapshot is not None:
        record_docs["snapshot"] = source.snapshot
    for name, data in ctx.record_files(record_docs).items():
        context.add_bytes(name, data, mtime=mtime)
    extras = options.extras
    layers = _add_extras(context, extras)

    spec = DockerfileSpec(
        base=base,
        requirements="requirements.txt" in files,
        online=options.online,
        wheels=bool(lock.wheels(DEPS)),
        vendored="vendored.txt" in files,
        local="local.txt" in files,
        remove=tuple(lock.seeded_extras()),
        pip_wheel=lock.pip_wheel(),
        code=context.has(ctx.CODE_DIR),
        notebook=notebook,
        records=True,
        env={**baked_env(env), **(extras.env if extras else {})},
        jupyter="jupyterlab" in lock.names(),
        layers=layers,
        cmd=extras.cmd if extras else None,
        expose=extras.expose if extras else (),
        labels=labels,
        header=(
            f"Built by jupyter_mlver {_version.__version__} from "
            + (f"snapshot {source.snapshot_id}" if source.snapshot else "the current environment"),
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
    return Prepared(context, dockerfile, lock, unreproducible, notes)


def clear_context_dir(out: Path, check_only: bool = False) -> None:
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
        shutil.rmtree(out)
