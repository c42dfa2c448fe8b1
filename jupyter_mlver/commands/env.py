"""``env build|show|verify|dockerfile``: Docker images of an experiment's environment."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..views.images import html, text
from .context import Context
from .spec import Arg, Command, Entry, Group, arg

if TYPE_CHECKING:
    from ..core.images import BuildOptions, BuildResult, EnvironmentView, VerifyResult
    from ..core.store.store import Store

SOURCE_ARGS = [
    arg(
        "ref",
        nargs="?",
        help="a snapshot: HEAD, HEAD~N, a tag or an id prefix (default: HEAD if there is a "
        "snapshot, else the current environment)",
    ),
    arg(
        "--current",
        action="store_true",
        help="the current environment, even when there are snapshots (no project code)",
    ),
]
IMAGE_ARGS = [
    arg(
        "--base",
        metavar="IMAGE",
        help="base image (default: c.Mlver.base_image, $MLVER_BASE_IMAGE, else one with the "
        "snapshot's Python X.Y.Z: python:X.Y.Z-slim or the local mlver-local/python:X.Y.Z-slim)",
    ),
    arg("--name", metavar="NAME", help="image repository name (default: the project directory)"),
    arg(
        "--online",
        action="store_true",
        help="install index packages from the index inside the build "
        "(default: wheels resolved on this machine, no network in the build)",
    ),
    arg(
        "--output",
        metavar="DIR",
        help="where to write the build context (default: .mlver/contexts/<id>)",
    ),
    arg(
        "-v",
        "--verbose",
        action="store_true",
        help="show pip's and the engine's output as it comes",
    ),
]
BUILD_ARGS: list[Arg] = [
    arg("--tag", metavar="SEMVER", help="also tag the image <name>:<SEMVER>"),
    arg("--push", metavar="REPO", help="push every tag to this repository"),
    arg("--no-cache", action="store_true", help="build from scratch: no reuse, no layer cache"),
    arg("--dry-run", action="store_true", help="write the build context and Dockerfile only"),
]


@contextlib.contextmanager
def _optional_store(ctx: Context) -> Iterator[Store | None]:
    """The store, or None when there is none yet (the current environment still works)."""
    from ..core.errors import RecordNotFound

    try:
        store = ctx.open_store()
    except RecordNotFound:
        yield None
        return
    with store:
        yield store


def _options(ctx: Context, args: argparse.Namespace, store: Store, dry_run: bool) -> BuildOptions:
    from ..core.images import BuildOptions

    return BuildOptions(
        ref=args.ref,
        notebook=ctx.scope(store),
        current=args.current,
        # `env dockerfile` has no tag, push or cache to choose.
        tag=getattr(args, "tag", None),
        base=args.base,
        name=args.name,
        prefix=ctx.settings.image_prefix,
        push=getattr(args, "push", None),
        no_cache=getattr(args, "no_cache", False),
        online=args.online,
        dry_run=dry_run,
        output=Path(args.output) if args.output else None,
    )


def _build(ctx: Context, args: argparse.Namespace, dry_run: bool) -> BuildResult:
    from ..core.images import build_image

    with (
        ctx.open_store(create=True) as store,
        ctx.build_display("environment image", args.verbose) as progress,
    ):
        options = _options(ctx, args, store, dry_run)
        return build_image(store, options, progress=progress, base_default=ctx.base_default)


def _show(ctx: Context, args: argparse.Namespace) -> EnvironmentView:
    from ..core.images import show_environment
    from ..core.store.index.db import ALL

    with _optional_store(ctx) as store:
        scope = ctx.scope(store) if store is not None else ALL
        return show_environment(store, args.ref, current=args.current, notebook=scope)


def _verify(ctx: Context, args: argparse.Namespace) -> VerifyResult:
    from ..core.engine.docker import DockerEngine
    from ..core.images import verify_image

    with _optional_store(ctx) as store:
        return verify_image(store, DockerEngine.connect(), args.image, against=args.against)


ENV = Group(
    name="env",
    help="environment images: build, show, verify, dockerfile",
    description="Reproducible Docker images of an experiment's environment.",
    commands=[
        Command(
            name="build",
            help="build (or reuse) a tagged image of an environment and record it",
            description="Build a Docker image of a snapshot's environment, its code at the "
            "snapshot's commit and its notebook; reuse an image with the same inputs.",
            run=lambda ctx, args: _build(ctx, args, dry_run=args.dry_run),
            text=text.build,
            html=html.build,
            args=[*SOURCE_ARGS, *IMAGE_ARGS, *BUILD_ARGS],
            examples=[
                ("env build --tag 1.2.0", "the latest snapshot (HEAD), else the current env"),
                ("env build HEAD~1 --push registry.example.com/team/project", ""),
                ("env build --dry-run", "write the build context, build nothing"),
            ],
        ),
        Command(
            name="show",
            help="show an environment and the images built for it",
            description="Show the environment `env build` would use, and its images.",
            run=_show,
            text=text.environment,
            html=html.environment,
            args=SOURCE_ARGS,
            examples=[("env show HEAD", "")],
        ),
        Command(
            name="verify",
            help="compare the packages in an image with its record (exit 1 if they differ)",
            description="Run a small script in a container of IMAGE that lists its "
            "distributions, and compare them with the environment the image was built from.",
            run=_verify,
            text=text.verify,
            html=html.verify,
            exit_code=lambda r: 0 if r.identical else 1,
            args=[
                arg("image", help="name:tag, image id, Image record id, or a snapshot ref"),
                arg(
                    "--against",
                    metavar="REF",
                    help="compare with this snapshot's environment instead",
                ),
            ],
            examples=[("env verify project:1.2.0", "exit 1 unless the packages are identical")],
        ),
        Command(
            name="dockerfile",
            help="write the build context and print the Dockerfile",
            description="Write the build context (Dockerfile, lock, wheels, code, notebook) "
            "and print the Dockerfile; the context path goes to stderr.",
            run=lambda ctx, args: _build(ctx, args, dry_run=True),
            text=text.dockerfile,
            html=html.dockerfile,
            note=text.context_note,
            json=lambda r: {**r.to_json(), "dockerfile": r.dockerfile},
            args=[*SOURCE_ARGS, *IMAGE_ARGS],
            examples=[("env dockerfile > Dockerfile", "")],
        ),
    ],
)

COMMANDS: list[Entry] = [ENV]
