"""``deploy``: model versions behind a proxy on the local engine, a canary split, watching,
promotion and rollback; KServe manifests for a cluster (core/deploy)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.deploy.changes import Change, Started, change_of
from ..views.deploy import html
from ..views.deploy import text as views
from .context import Context
from .deploy_common import D, connect_engine, local_options
from .deploy_watch import HISTORY, LIST, PROMETHEUS, STATUS, WATCH
from .spec import Arg, Command, Group, arg, positive

if TYPE_CHECKING:
    from ..core.deploy.kserve import Manifests
    from ..core.deploy.local import Deployment

DEFAULT_PORT = 8000


# -- deploy REF ----------------------------------------------------------------------------


def _start(ctx: Context, args: argparse.Namespace) -> Started:
    if args.target == "kserve":
        return Started(manifests=_kserve(ctx, args))
    kserve_only = {
        "--mode": args.mode,
        "--image": args.image,
        "--namespace": args.namespace,
        "-o": args.output,
        "--replicas": args.replicas,
        "--apply": args.apply or None,
    }
    misplaced = [flag for flag, value in kserve_only.items() if value is not None]
    if misplaced:
        from ..core.errors import InvalidInput

        raise InvalidInput(f"{misplaced[0]} is for --target kserve", "add --target kserve")
    from ..core.deploy import local

    engine = connect_engine()
    with ctx.open_store() as store:
        if args.canary is not None:
            event = local.canary(
                store,
                engine,
                args.ref,
                name=args.name,
                percent=args.canary,
                options=local_options(ctx, args),
            )
        else:
            event = local.deploy(
                store,
                engine,
                args.ref,
                name=args.name,
                port=args.port or DEFAULT_PORT,
                options=local_options(ctx, args),
                force=args.force,
                reason=args.reason,
            )
        return Started(change=change_of(store, engine, event))


def _kserve(ctx: Context, args: argparse.Namespace) -> Manifests:
    from ..core.deploy import kserve
    from ..core.errors import InvalidInput

    if args.port is not None or args.proxy_image is not None:
        raise InvalidInput("--port and --proxy-image are for local deployments")
    options = kserve.KServeOptions(
        mode=args.mode or "serverless",
        canary=args.canary,
        replicas=args.replicas,
        namespace=args.namespace,
        image=args.image,
        prefix=ctx.settings.image_prefix,
    )
    with ctx.open_store() as store:
        manifests = kserve.manifests(store, connect_engine, args.ref, args.name, options)
    if args.output:
        kserve.write(manifests, Path(args.output))
    if args.apply:
        kserve.apply(manifests)
    return manifests


def _force_args() -> list[Arg]:
    return [
        arg("--force", action="store_true", help="move production although its guard refuses"),
        arg("--reason", metavar="TEXT", help="why (kept in the deployment's history)"),
    ]


START: Command[Started] = Command(
    name="start",
    help="deploy REF: serve a version behind a proxy on --port; with --canary PERCENT, add "
    "a version taking that share of a running deployment's requests",
    description="Serve a model version's serving image (`model build`) behind an HAProxy "
    "container on one published port, on a Docker network of its own. With --canary, start "
    "another version of the same model next to the stable one with PERCENT of the requests "
    "(again: change its share). `deploy REF` is short for `deploy start REF`. With --target "
    "kserve, write the KServe InferenceService (Serverless: canaryTrafficPercent) or, with "
    "--mode raw, a Deployment + Service pair, for the pushed serving image.",
    run=_start,
    text=views.started,
    html=html.started,
    args=[
        arg("ref", metavar="REF", help="the version: NAME:VERSION, NAME@ALIAS or NAME"),
        arg("--name", metavar="D", help="the deployment's name (default: the model's name)"),
        arg("--port", type=int, metavar="P", help=f"published port (default {DEFAULT_PORT})"),
        arg("--canary", type=int, metavar="PERCENT", help="add REF as a canary with this share"),
        arg(
            "--proxy-image",
            metavar="IMAGE",
            help="the proxy's image (default c.Mlver.proxy_image, $MLVER_PROXY_IMAGE, haproxy:3.0)",
        ),
        arg("--target", choices=["local", "kserve"], default="local", help="default: local"),
        arg("--mode", choices=["serverless", "raw"], help="KServe's mode (default serverless)"),
        arg("--image", metavar="REF", help="kserve: the image (default: the pushed serving image)"),
        arg("--namespace", metavar="NS", help="kserve: the namespace of the manifests"),
        arg("--replicas", type=positive, help="kserve raw: replicas in all (a canary's share)"),
        arg("-o", "--output", metavar="FILE", help="kserve: write the manifests to FILE"),
        arg("--apply", action="store_true", help="kserve: kubectl apply (needs a context)"),
        *_force_args(),
    ],
    examples=[
        ("deploy churn:1 --port 8000", "churn:1 behind a proxy on http://127.0.0.1:8000"),
        ("deploy churn:2 --canary 20", "churn:2 takes 20% of the requests"),
        ("deploy churn:2 --target kserve --canary 20 -o isvc.yaml", ""),
    ],
)


@contextlib.contextmanager
def _deployment(ctx: Context, args: argparse.Namespace) -> Iterator[Deployment]:
    """The deployment ``args.deployment`` names, in this store, on the local engine."""
    from ..core.deploy.local import Deployment

    engine = connect_engine()
    with ctx.open_store() as store:
        yield Deployment(store, engine, args.deployment, local_options(ctx, args))


def _promote(ctx: Context, args: argparse.Namespace) -> Change:
    with _deployment(ctx, args) as d:
        return change_of(d.store, d.engine, d.promote(reason=args.reason, force=args.force))


def _rollback(ctx: Context, args: argparse.Namespace) -> Change:
    with _deployment(ctx, args) as d:
        return change_of(d.store, d.engine, d.rollback(reason=args.reason))


def _stop(ctx: Context, args: argparse.Namespace) -> Change:
    with _deployment(ctx, args) as d:
        return change_of(d.store, d.engine, d.stop())


PROMOTE: Command[Change] = Command(
    name="promote",
    help="give the canary every request and retire the old version (production follows)",
    run=_promote,
    text=views.change,
    html=html.change,
    args=[D, *_force_args()],
    examples=[("deploy promote churn", "")],
)
ROLLBACK: Command[Change] = Command(
    name="rollback",
    help="send every request back to the stable version and stop the canary; without one, go "
    "back to the version before the last promotion (production follows)",
    run=_rollback,
    text=views.change,
    html=html.change,
    args=[D, arg("--reason", metavar="TEXT", help="why (kept in the history)")],
    examples=[("deploy rollback churn --reason 'EU incident'", "")],
)
STOP: Command[Change] = Command(
    name="stop",
    help="stop and remove the deployment's containers and network",
    run=_stop,
    text=views.change,
    html=html.change,
    args=[D],
    examples=[("deploy stop churn", "")],
)


DEPLOY = Group(
    name="deploy",
    help="serve model versions behind a proxy with a canary split; watch, promote, roll back",
    description="Local deployments: a model version's serving image behind an HAProxy container "
    "on one port, a canary taking a share of the requests, figures read from the servers' and "
    "the proxy's Prometheus metrics, automatic rollback or promotion by `deploy watch`; "
    "every change is a mlver.deployment/1 event, and the model's production alias follows. "
    "`deploy REF` is short for `deploy start REF`.",
    commands=[START, PROMOTE, ROLLBACK, STOP, STATUS, WATCH, HISTORY, LIST, PROMETHEUS],
    default="start",
)
