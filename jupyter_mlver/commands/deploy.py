"""``deploy``: model versions behind a proxy on the local engine, a canary split, watching,
promotion and rollback; KServe manifests for a cluster (core/deploy)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..views import deploy as views
from .context import Context
from .spec import Arg, Command, Group, arg, positive

if TYPE_CHECKING:
    from ..core.deploy.kserve import Manifests
    from ..core.deploy.local import LocalOptions
    from ..core.deploy.prometheus import PrometheusFiles
    from ..core.deploy.status import DeploymentStatus
    from ..core.deploy.watch import Limits, WatchResult
    from ..core.images.engine import Engine
    from ..core.records import Record
    from ..core.store import Store

DEFAULT_PORT = 8000
VERBS = {
    "deployed": "deployed",
    "canary": "started the canary",
    "weight": "changed the canary",
    "promoted": "promoted",
    "rolled_back": "rolled back",
    "stopped": "stopped",
}


@dataclass
class Change:
    """A deployment event just recorded, and where the production alias points now."""

    event: Record
    url: str
    production: int | None

    @property
    def verb(self) -> str:
        return VERBS[self.event["event"]]

    def to_json(self) -> Record:
        return self.event


@dataclass
class Started:
    """``deploy REF``: a local change, or manifests for a cluster."""

    change: Change | None = None
    manifests: Manifests | None = None

    def to_json(self) -> Any:
        if self.manifests is not None:
            return self.manifests.to_json()
        assert self.change is not None
        return self.change.event


def _engine() -> Engine:
    from ..core.errors import EngineUnavailable
    from ..core.images.docker_engine import DockerEngine

    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        raise EngineUnavailable(
            e.message,
            "start one (`sudo systemctl start docker`, Docker Desktop or colima) and export "
            "DOCKER_HOST; `deploy REF --target kserve` needs none",
        ) from None


def _options(ctx: Context, args: argparse.Namespace) -> LocalOptions:
    from ..core.deploy.local import LocalOptions

    image = getattr(args, "proxy_image", None) or ctx.settings.proxy_image
    return LocalOptions(proxy_image=image, image_prefix=ctx.settings.image_prefix)


def _change(store: Store, engine: Engine, event: Record) -> Change:
    from ..core.models import aliases as al

    held = al.holders(store, event["model"]).get("production")
    return Change(event, f"http://{engine.local_address()}:{event['port']}", held)


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

    engine = _engine()
    with ctx.open_store() as store:
        if args.canary is not None:
            event = local.canary(
                store,
                engine,
                args.ref,
                name=args.name,
                percent=args.canary,
                options=_options(ctx, args),
            )
        else:
            event = local.deploy(
                store,
                engine,
                args.ref,
                name=args.name,
                port=args.port or DEFAULT_PORT,
                options=_options(ctx, args),
                force=args.force,
                reason=args.reason,
            )
        return Started(change=_change(store, engine, event))


def _kserve(ctx: Context, args: argparse.Namespace) -> Manifests:
    from ..core.deploy import kserve
    from ..core.errors import InvalidInput
    from ..core.models import aliases as al
    from ..core.models import registry

    if args.port is not None or args.proxy_image is not None:
        raise InvalidInput("--port and --proxy-image are for local deployments")
    if args.canary is not None and not 0 <= args.canary <= 100:
        raise InvalidInput(f"--canary {args.canary}: a share must be 0 to 100 (percent)")
    with ctx.open_store() as store:
        model = registry.resolve(store, args.ref)
        name = kserve.k8s_name(args.name or model["name"])
        prefix = ctx.settings.image_prefix

        def image_of(record: Record) -> str:
            if args.image and record["id"] == model["id"]:
                return str(args.image)
            return kserve.pushed_image(store, _engine(), record, prefix)

        notes: list[str] = []
        if (args.mode or "serverless") == "serverless":
            if args.replicas is not None:
                raise InvalidInput("--replicas is for --mode raw (Serverless scales by itself)")
            docs = [
                kserve.inference_service(name, model, image_of(model), args.canary, args.namespace)
            ]
            if args.canary is not None:
                notes.append(
                    f"KServe keeps the previously rolled-out revision of {name} for the other "
                    f"{100 - args.canary}%"
                )
        elif args.canary is None:
            docs = kserve.raw_objects(
                name, [(model, image_of(model), args.replicas or 1)], args.namespace
            )
        else:
            held = al.holder(store, model["name"], "production")
            if held is None or held.model_record == model["id"]:
                raise InvalidInput(
                    f"a raw canary of {model['name']}:{model['version']} needs a stable version "
                    f"to split with, and {model['name']}@production is "
                    + ("this version" if held else "not set"),
                    f"move it with `jupyter mlver model alias {model['name']}:N production`",
                )
            stable = store.get(held.model_record)
            old, new = kserve.split_replicas(args.replicas or 5, args.canary)
            docs = kserve.raw_objects(
                name,
                [(stable, image_of(stable), old), (model, image_of(model), new)],
                args.namespace,
            )
            notes.append(
                f"{new} of {old + new} replicas run the canary (~{100 * new // (old + new)}%)"
            )
        manifests = kserve.Manifests(docs, image_of(model), notes=notes)
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


def _promote(ctx: Context, args: argparse.Namespace) -> Change:
    from ..core.deploy import local

    engine = _engine()
    with ctx.open_store() as store:
        event = local.promote(
            store,
            engine,
            args.deployment,
            options=_options(ctx, args),
            reason=args.reason,
            force=args.force,
        )
        return _change(store, engine, event)


def _rollback(ctx: Context, args: argparse.Namespace) -> Change:
    from ..core.deploy import local

    engine = _engine()
    with ctx.open_store() as store:
        event = local.rollback(
            store, engine, args.deployment, options=_options(ctx, args), reason=args.reason
        )
        return _change(store, engine, event)


def _stop(ctx: Context, args: argparse.Namespace) -> Change:
    from ..core.deploy import local

    engine = _engine()
    with ctx.open_store() as store:
        return _change(store, engine, local.stop(store, engine, args.deployment))


D = arg("deployment", metavar="D", help="the deployment's name")

PROMOTE: Command[Change] = Command(
    name="promote",
    help="give the canary every request and retire the old version (production follows)",
    run=_promote,
    text=views.change,
    args=[D, *_force_args()],
    examples=[("deploy promote churn", "")],
)
ROLLBACK: Command[Change] = Command(
    name="rollback",
    help="send every request back to the stable version and stop the canary; without one, go "
    "back to the version before the last promotion (production follows)",
    run=_rollback,
    text=views.change,
    args=[D, arg("--reason", metavar="TEXT", help="why (kept in the history)")],
    examples=[("deploy rollback churn --reason 'EU incident'", "")],
)
STOP: Command[Change] = Command(
    name="stop",
    help="stop and remove the deployment's containers and network",
    run=_stop,
    text=views.change,
    args=[D],
    examples=[("deploy stop churn", "")],
)


def _status(ctx: Context, args: argparse.Namespace) -> DeploymentStatus:
    from ..core.deploy.status import status

    with ctx.open_store() as store:
        return status(store, _engine(), args.deployment, drift=not args.no_drift)


STATUS: Command[DeploymentStatus] = Command(
    name="status",
    help="per version: weight, requests, errors, error rate, p50/p95 latency and the drift "
    "share of its sampled inputs against its training data",
    run=_status,
    text=views.status,
    args=[D, arg("--no-drift", action="store_true", help="leave out the drift figures")],
    examples=[("deploy status churn --json", "")],
)


def _limit_args() -> list[Arg]:
    return [
        arg("--max-error-rate", type=float, default=0.05, metavar="R", help="default 0.05"),
        arg("--max-p95-ms", type=float, metavar="MS", help="p95 latency limit in ms"),
        arg("--max-drift-share", type=float, metavar="S", help="share of drifted columns"),
        arg(
            "--min-requests",
            type=positive,
            default=20,
            metavar="N",
            help="judge only after N requests in the window (default 20)",
        ),
    ]


def _limits(args: argparse.Namespace) -> Limits:
    from ..core.deploy.watch import Limits

    return Limits(args.max_error_rate, args.max_p95_ms, args.max_drift_share, args.min_requests)


def _watch(ctx: Context, args: argparse.Namespace) -> WatchResult:
    from ..core.deploy.watch import WatchOptions, watch

    limits = _limits(args)
    options = WatchOptions(args.for_, args.promote_after, args.interval)
    engine = _engine()
    with ctx.open_store() as store:
        return watch(
            store,
            engine,
            args.deployment,
            limits,
            options,
            _options(ctx, args),
            on_tick=lambda s: ctx.say(views.watch_line(s)),
        )


WATCH: Command[WatchResult] = Command(
    name="watch",
    help="check the canary every few seconds: roll it back at once when a limit is breached "
    "over at least N requests, promote it when it held (exit 3 on a rollback)",
    run=_watch,
    text=views.watched,
    exit_code=lambda w: w.exit_code,
    args=[
        D,
        *_limit_args(),
        arg(
            "--for",
            dest="for_",
            type=float,
            default=300.0,
            metavar="SECONDS",
            help="how long to watch (default 300)",
        ),
        arg(
            "--promote-after",
            type=float,
            metavar="SECONDS",
            help="promote a canary that held this long (default: at the end of --for)",
        ),
        arg(
            "--interval",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="seconds between checks (default 5)",
        ),
    ],
    examples=[("deploy watch churn --max-error-rate 0.02 --max-p95-ms 50 --for 600", "")],
)


def _history(ctx: Context, args: argparse.Namespace) -> list[Record]:
    from ..core.deploy.events import history

    with ctx.open_store() as store:
        return history(store, args.deployment)


HISTORY: Command[list[Record]] = Command(
    name="history",
    help="every change of a deployment, oldest first, with its reason and figures",
    run=_history,
    text=views.history,
    json=lambda events: {"events": events},
    args=[D],
    examples=[("deploy history churn", "")],
)


def _list(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    from ..core.deploy.events import state

    rows = []
    with ctx.open_store() as store:
        for name in store.index.deployments():
            s = state(store, name)
            last = s.events[-1]
            rows.append(
                {
                    "deployment": name,
                    "model": s.model,
                    "stable": s.stable,
                    "canary": s.canary,
                    "canary_weight": s.canary_weight,
                    "port": s.port,
                    "last_event": last["event"],
                    "created": last["created"],
                }
            )
    return rows


LIST: Command[list[dict[str, Any]]] = Command(
    name="list",
    help="every deployment of this store and its state",
    run=_list,
    text=views.deployments,
    json=lambda rows: {"deployments": rows},
    examples=[("deploy list", "")],
)


def _prometheus(ctx: Context, args: argparse.Namespace) -> PrometheusFiles:
    import os

    from ..core.deploy.events import history
    from ..core.deploy.prometheus import write_files

    with ctx.open_store() as store:
        history(store, args.deployment)  # an unknown deployment is an error here too
    directory = Path(args.output or f"prometheus-{args.deployment}")
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    return write_files(args.deployment, directory, _limits(args), host)


PROMETHEUS: Command[PrometheusFiles] = Command(
    name="prometheus",
    help="write a prometheus.yml scrape config and alert rules for the same limits as watch",
    run=_prometheus,
    text=views.prometheus,
    args=[
        D,
        arg("-o", "--output", metavar="DIR", help="default ./prometheus-D"),
        *_limit_args(),
    ],
    examples=[("deploy prometheus churn --max-p95-ms 50 -o monitoring/", "")],
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
