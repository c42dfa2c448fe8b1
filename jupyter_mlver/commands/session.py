"""``log``, ``status``, ``restore``: what only a running kernel has (magics only)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from ..core.snapshot.pending import Logged, NextSnapshot, Restored
from ..views.snapshots import html, text
from .context import Context
from .spec import Command, Entry, arg
from .store import REF_HELP

if TYPE_CHECKING:
    from ..notebook.session import KernelSession


def _session(ctx: Context) -> KernelSession:
    from ..core.errors import InvalidInput

    if ctx.session is None:
        raise InvalidInput("this command needs a kernel", "run it as %mlver in a notebook")
    return ctx.session


def _log(ctx: Context, args: argparse.Namespace) -> Logged:
    from ..core.errors import InvalidInput
    from ..core.params import parse_assignments

    session = _session(ctx)
    metrics = parse_assignments([*args.values, *args.metric], "K=V", series=True)
    params = parse_assignments(args.param, "--param")
    if not metrics and not params:
        raise InvalidInput("nothing to log", "give K=V metrics or --param K=V")
    session.log(params=params, metrics=metrics)
    return Logged(len(metrics), len(params), dict(session.params), session.pending_metrics())


LOG: Command[Logged] = Command(
    name="log",
    help="collect metrics (K=V) and parameters (--param K=V) for the next snapshot; "
    "a metric logged again keeps the series",
    run=_log,
    text=text.logged,
    html=html.logged,
    json=lambda r: {"params": r.pending_params, "metrics": r.pending_metrics},
    kernel_only=True,
    args=[
        arg("values", metavar="K=V", nargs="*", help="metrics"),
        arg("--param", metavar="K=V", action="append", default=[], help="a parameter"),
        arg("--metric", metavar="K=V", action="append", default=[], help="a metric"),
    ],
    examples=[("log acc=0.91 loss=0.27", "metrics; --param K=V for parameters")],
)


def _status(ctx: Context, args: argparse.Namespace) -> NextSnapshot:
    from ..notebook.pending import next_snapshot

    return next_snapshot(_session(ctx), ctx.settings, ctx.store_dir)


STATUS: Command[NextSnapshot] = Command(
    name="status",
    help="what the next snapshot would record",
    run=_status,
    text=text.status,
    html=html.status,
    json=asdict,
    kernel_only=True,
    examples=[("status", "files read and written so far, pending params and metrics")],
)


def _restore(ctx: Context, args: argparse.Namespace) -> Restored:
    from ..notebook.pending import restore_state

    session = _session(ctx)
    with ctx.open_store() as store:
        return restore_state(session, store, store.resolve(args.ref, ctx.scope(store)), args.names)


RESTORE: Command[Restored] = Command(
    name="restore",
    help="load variables pickled with --state back into the namespace",
    run=_restore,
    text=text.restored,
    html=html.restored,
    json=lambda r: {"snapshot": r.snapshot, "names": r.names},
    kernel_only=True,
    args=[
        arg("ref", help=f"the snapshot: {REF_HELP}"),
        arg("names", metavar="NAME", nargs="*", help="only these (default: all)"),
    ],
    examples=[("restore first model", "")],
)

COMMANDS: list[Entry] = [LOG, STATUS, RESTORE]
