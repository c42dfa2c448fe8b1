"""``model build`` and ``model serve``: the serving image of a model version, and running it
on the local engine. Declared here, listed in the ``model`` group (``models.py``)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

from ..views.serving import html
from ..views.serving import text as views
from .context import Context
from .spec import Command, arg, positive

if TYPE_CHECKING:
    from ..core.deploy.serve import Served, Stopped
    from ..core.engine.protocol import Engine
    from ..core.images.model_image import ModelImageResult


def _build(
    ctx: Context, args: argparse.Namespace, engine: Engine | None = None
) -> ModelImageResult:
    from ..core.images.model_image import ModelImageOptions, build_model_image

    with (
        ctx.open_store() as store,
        ctx.build_display("serving image", args.verbose) as progress,
    ):
        options = ModelImageOptions(
            ref=args.ref,
            tag=getattr(args, "tag", None),
            base=args.base,
            push=getattr(args, "push", None),
            prefix=ctx.settings.image_prefix,
            env=getattr(args, "env", None) or "model",
            no_cache=bool(getattr(args, "no_cache", False)),
        )
        return build_model_image(
            store, options, engine, progress=progress, base_default=ctx.base_default
        )


BUILD: Command[ModelImageResult] = Command(
    name="build",
    help="build (or reuse) the serving image of a model version: what the model needs to load "
    "and predict, the model server and the model",
    description="Build the serving image of a model version. By default (--env model) it holds "
    "only what the model needs: the flavour's libraries and the distributions that loading the "
    "artifact imports (found by loading it in a clean subprocess of the snapshot's interpreter), "
    "each at the snapshot's version, with their dependencies and the server's packages, on a "
    "base with the snapshot's Python. --env snapshot builds on the snapshot's whole environment "
    "image instead (reused, or built with its cached dependency layer). Then the model server "
    "(KServe v2, /invocations, /metrics on port 8080, as uid 1000) and the model as the last "
    "small layers. Tags <name>:<version>, <name>:<SEMVER> and <name>:<alias> for each alias the "
    "version holds; an image built from the same inputs is reused. The Image record says which "
    "was built (env) and lists the requirements.",
    run=_build,
    text=views.built,
    html=html.built,
    args=[
        arg("ref", help="NAME (the latest version), NAME:VERSION or NAME@ALIAS"),
        arg("--tag", metavar="SEMVER", help="also tag the image <name>:<SEMVER>"),
        arg(
            "--base",
            metavar="IMAGE",
            help="base image (default: c.Mlver.base_image, $MLVER_BASE_IMAGE, else one with the "
            "snapshot's Python X.Y.Z: python:X.Y.Z-slim or the local "
            "mlver-local/python:X.Y.Z-slim)",
        ),
        arg("--push", metavar="REPO", help="push every tag to this repository"),
        arg("--no-cache", action="store_true", help="no reuse, no layer cache: build every step"),
        arg(
            "--env",
            choices=("model", "snapshot"),
            default="model",
            help="model (default): only what the model needs; snapshot: the snapshot's whole "
            "environment (the kernel's exact packages)",
        ),
        arg(
            "-v",
            "--verbose",
            action="store_true",
            help="show pip's and the engine's output as it comes",
        ),
    ],
    examples=[
        ("model build churn@production", "tags churn:<version> and churn:production"),
        ("model build churn:3 --tag 1.4.0 --push registry.example.com/team/churn", ""),
    ],
)


def _serve(ctx: Context, args: argparse.Namespace) -> Served | Stopped:
    from ..core.deploy.serve import (
        no_image,
        run_in_foreground,
        serving_image,
        start_server,
        stop_servers,
    )
    from ..core.engine.docker import DockerEngine
    from ..core.models import registry

    engine = DockerEngine.connect()
    if args.stop:
        if args.ref is None or "@" not in args.ref:
            return stop_servers(None, engine, args.ref)
        with ctx.open_store() as store:
            return stop_servers(store, engine, args.ref)
    if args.ref is None:
        from ..core.errors import InvalidInput

        raise InvalidInput("model serve needs a model ref", "e.g. model serve churn@production")
    with ctx.open_store() as store:
        record = registry.resolve(store, args.ref)
        found = serving_image(store, engine, record)
    if found is None:
        if not args.build:
            raise no_image(record)
        ref = f"{record['name']}:{record['version']}"
        built = _build(
            ctx, argparse.Namespace(**{**vars(args), "ref": ref, "verbose": False}), engine
        )
        image = built.build.image or ""
    else:
        image = found[0]
    served = start_server(engine, record, image, port=args.port, timeout=args.timeout, say=ctx.say)
    if args.detach:
        return served
    ctx.say(f"serving {served.ref} at {served.url} (Ctrl-C stops it)")
    with contextlib.suppress(KeyboardInterrupt), _sigterm_interrupts(ctx.session is None):
        run_in_foreground(engine, served, ctx.say)
    return served


@contextlib.contextmanager
def _sigterm_interrupts(terminal: bool) -> Iterator[None]:
    """While a foreground server runs in a terminal, SIGTERM stops it like Ctrl-C does (a
    kernel's interrupt already raises KeyboardInterrupt; its SIGTERM is its own)."""
    if not terminal or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


SERVE: Command[Served | Stopped] = Command(
    name="serve",
    help="run a version's serving image on the local engine and wait until it is ready",
    description="Run the serving image of a model version (the newest one `model build` made) "
    "on the local Docker engine, with its port 8080 published on --port, and print the URL "
    "once it answers /v2/health/ready. In the foreground its log follows until Ctrl-C, which "
    "stops the container; --detach leaves it running (stop it with --stop). With no serving "
    "image the command fails and says to run `model build` first, or builds one with --build.",
    run=_serve,
    text=views.served,
    html=html.served,
    args=[
        arg("ref", nargs="?", help="NAME (the latest version), NAME:VERSION or NAME@ALIAS"),
        arg("--port", type=positive, default=8080, help="host port (default 8080)"),
        arg("--detach", action="store_true", help="leave it running in the background"),
        arg(
            "--stop",
            action="store_true",
            help="stop the servers model serve started: all, every version of NAME, or "
            "the version REF names",
        ),
        arg("--build", action="store_true", help="build the serving image when there is none"),
        arg("--base", metavar="IMAGE", help="with --build: base of the environment image"),
        arg(
            "--timeout",
            type=positive,
            default=120,
            metavar="SECONDS",
            help="how long the server may take to be ready (default 120)",
        ),
    ],
    examples=[
        ("model serve churn@production", "http://127.0.0.1:8080 until Ctrl-C"),
        ("model serve churn:3 --port 8081 --detach", ""),
        ("model serve --stop churn", "every version of churn that model serve runs"),
    ],
)

COMMANDS: list[Command[Any]] = [BUILD, SERVE]
