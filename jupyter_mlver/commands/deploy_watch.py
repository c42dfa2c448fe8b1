"""``deploy status|watch|history|list|prometheus``: what a deployment is doing and how it is
judged (core/deploy)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..views.deploy import html
from ..views.deploy import text as views
from .context import Context
from .deploy_common import D, connect_engine, local_options
from .spec import Arg, Command, arg, positive

if TYPE_CHECKING:
    from ..core.deploy.prometheus import Limits as AlertLimits
    from ..core.deploy.prometheus import PrometheusFiles
    from ..core.deploy.status import DeploymentStatus
    from ..core.deploy.watch import Limits, WatchResult
    from ..core.records import DeploymentRecord


def _status(ctx: Context, args: argparse.Namespace) -> DeploymentStatus:
    from ..core.deploy.status import status

    with ctx.open_store() as store:
        return status(store, connect_engine(), args.deployment, drift=not args.no_drift)


STATUS: Command[DeploymentStatus] = Command(
    name="status",
    help="per version: weight, requests, errors, error rate, p50/p95 latency and the drift "
    "share of its sampled inputs against its training data",
    run=_status,
    text=views.status,
    html=html.status,
    args=[D, arg("--no-drift", action="store_true", help="leave out the drift figures")],
    examples=[("deploy status churn --json", "")],
)


def _alert_args() -> list[Arg]:
    return [
        arg("--max-error-rate", type=float, default=0.05, metavar="R", help="default 0.05"),
        arg("--max-p95-ms", type=float, metavar="MS", help="p95 latency limit in ms"),
        arg(
            "--min-requests",
            type=positive,
            default=20,
            metavar="N",
            help="alert only after N requests in the window (default 20)",
        ),
        arg(
            "--max-drift-share",
            type=float,
            metavar="S",
            help="accepted as by watch; drift is not a metric, so it has no alert rule",
        ),
    ]


def _alert_limits(args: argparse.Namespace) -> AlertLimits:
    from ..core.deploy.prometheus import Limits

    return Limits(args.max_error_rate, args.max_p95_ms, args.min_requests)


def _watch_limits(args: argparse.Namespace) -> Limits:
    from ..core.deploy.verdict import CanaryRules
    from ..core.deploy.watch import Limits

    rules = CanaryRules(
        alpha=args.alpha,
        min_requests=args.min_requests,
        max_error_rate=args.max_error_rate,
        latency_ratio=args.latency_ratio,
        max_p95_ms=args.max_p95_ms,
    )
    return Limits(rules, args.max_drift_share)


def _watch(ctx: Context, args: argparse.Namespace) -> WatchResult:
    from ..core.deploy.local import Deployment
    from ..core.deploy.watch import WatchOptions, watch

    limits = _watch_limits(args)
    options = WatchOptions(args.for_, args.promote_after, args.interval, args.force, args.reason)
    engine = connect_engine()
    with ctx.open_store() as store:
        deployment = Deployment(store, engine, args.deployment, local_options(ctx, args))
        return watch(deployment, limits, options, on_tick=lambda s: ctx.say(views.watch_line(s)))


WATCH: Command[WatchResult] = Command(
    name="watch",
    help="judge the canary against the stable version every few seconds: roll it back at "
    "once when it fails or answers significantly worse, promote it when it held (exit 3 "
    "when it is taken out); always ends with the outcome and a history event",
    description=(
        "The canary is judged against the stable version over the requests since the watch "
        "began, once each has served --min-requests. It is rolled back when its error rate "
        "is higher by a one-sided two-proportion z-test (p < --alpha) and above "
        "--max-error-rate; when its request durations are larger by a one-sided "
        "Mann-Whitney U test (p < --alpha), its median is more than --latency-ratio times "
        "the stable's and (with --max-p95-ms) its p95 is above that; or when the drift share "
        "of its sampled inputs is above --max-drift-share. One that held until "
        "--promote-after is promoted unless the model's gate refuses it for production: "
        "then it is taken out (outcome refused), or promoted anyway with --force --reason. "
        "Without a verdict by the end of --for it is held (keeps its share)."
    ),
    run=_watch,
    text=views.watched,
    html=html.watched,
    exit_code=lambda w: w.exit_code,
    args=[
        D,
        arg(
            "--alpha",
            type=float,
            default=0.01,
            metavar="A",
            help="significance level of each test (default 0.01)",
        ),
        arg(
            "--min-requests",
            type=positive,
            default=50,
            metavar="N",
            help="requests each version needs in the window before any verdict (default 50)",
        ),
        arg(
            "--max-error-rate",
            type=float,
            default=0.05,
            metavar="R",
            help="a canary's error rate up to R is tolerated (default 0.05)",
        ),
        arg(
            "--latency-ratio",
            type=float,
            default=1.2,
            metavar="X",
            help="a canary's median duration up to X times the stable's is tolerated (default 1.2)",
        ),
        arg(
            "--max-p95-ms",
            type=float,
            metavar="MS",
            help="a significantly slower canary is rolled back only when its p95 is above MS",
        ),
        arg("--max-drift-share", type=float, metavar="S", help="share of drifted columns"),
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
        arg("--force", action="store_true", help="promote even when the model's gate refuses"),
        arg("--reason", metavar="TEXT", help="why the gate is overridden (with --force)"),
    ],
    examples=[
        ("deploy watch churn --for 600 --promote-after 300", ""),
        ("deploy watch churn --max-p95-ms 50 --alpha 0.001", ""),
        ("deploy watch churn --force --reason 'accuracy within noise'", ""),
    ],
)


def _history(ctx: Context, args: argparse.Namespace) -> list[DeploymentRecord]:
    from ..core.deploy.events import history

    with ctx.open_store() as store:
        return history(store, args.deployment)


HISTORY: Command[list[DeploymentRecord]] = Command(
    name="history",
    help="every change of a deployment, oldest first, with its reason and figures",
    run=_history,
    text=views.history,
    html=html.history,
    json=lambda events: {"events": events},
    args=[D],
    examples=[("deploy history churn", "")],
)


def _list(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    from ..core.deploy.events import deployments

    with ctx.open_store() as store:
        return deployments(store)


LIST: Command[list[dict[str, Any]]] = Command(
    name="list",
    help="every deployment of this store and its state",
    run=_list,
    text=views.deployments,
    html=html.deployments,
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
    return write_files(args.deployment, directory, _alert_limits(args), host)


PROMETHEUS: Command[PrometheusFiles] = Command(
    name="prometheus",
    help="write a prometheus.yml scrape config and alert rules for the same limits as watch",
    run=_prometheus,
    text=views.prometheus,
    html=html.prometheus,
    args=[
        D,
        arg("-o", "--output", metavar="DIR", help="default ./prometheus-D"),
        *_alert_args(),
    ],
    examples=[("deploy prometheus churn --max-p95-ms 50 -o monitoring/", "")],
)
