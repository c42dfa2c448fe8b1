"""``diff``, ``checkout``, ``reproduce``: compare, restore and re-run snapshots."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.reproduce.reproduce import ReproduceOptions
from ..views.compare import html, text
from .context import Context
from .spec import Command, Entry, arg, jobs_arg
from .store import HEAD_HELP, REF_HELP

if TYPE_CHECKING:
    from ..core.checkout import CheckoutResult
    from ..core.diff import Diff
    from ..core.reproduce.reproduce import ReproduceResult


def _diff(ctx: Context, args: argparse.Namespace) -> Diff:
    from ..core.diff import diff_snapshots

    with ctx.open_store() as store:
        scope = ctx.scope(store)
        return diff_snapshots(store, store.resolve(args.a, scope), store.resolve(args.b, scope))


DIFF: Command[Diff] = Command(
    name="diff",
    help="compare two snapshots: params, metrics, data, packages, python, git, notebook cells",
    run=_diff,
    text=text.diff,
    html=html.diff,
    json=lambda d: d,
    args=[
        arg(
            "a", metavar="A", nargs="?", default="HEAD~1", help="the earlier one (default: HEAD~1)"
        ),
        arg(
            "b",
            metavar="B",
            nargs="?",
            default="HEAD",
            help=f"the later one (default: HEAD) {HEAD_HELP}",
        ),
    ],
    examples=[("diff HEAD~1 HEAD", "what changed: params, metrics, data, packages, cells")],
)


def _checkout(ctx: Context, args: argparse.Namespace) -> CheckoutResult:
    from ..core.checkout import checkout

    with ctx.open_store() as store:
        return checkout(
            store,
            store.resolve(args.ref, ctx.scope(store)),
            args.paths,
            force=args.force,
            notebook=args.notebook,
            dry_run=args.dry_run,
            jobs=args.jobs,
            progress=None if ctx.json else ctx.progress,
        )


CHECKOUT: Command[CheckoutResult] = Command(
    name="checkout",
    help="restore a snapshot's data files and notebook from the store (exit 1 if anything "
    "was refused or cannot be restored)",
    description="Restore a snapshot's data files and notebook into the work tree, byte for "
    "byte. A file whose current content is in no snapshot is never overwritten without "
    "--force: the whole checkout is refused and the files are named.",
    run=_checkout,
    text=text.checkout,
    html=html.checkout,
    exit_code=lambda r: 0 if r.ok else 1,
    args=[
        arg("ref", help=f"the snapshot: {REF_HELP}"),
        arg(
            "paths",
            nargs="*",
            metavar="PATH",
            help="restore only these files or directories (default: everything recorded)",
        ),
        arg(
            "--force",
            action="store_true",
            help="overwrite files whose current content is in no snapshot",
        ),
        arg(
            "--notebook",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="restore the notebook file too (default: yes; JupyterLab then offers to "
            "reload it); --no-notebook restores data files only",
        ),
        arg("--dry-run", action="store_true", help="only say what would be restored"),
        jobs_arg("processes writing files, each in its own directories (default: one per core)"),
    ],
    examples=[
        ("checkout v1", "data files and notebook of a snapshot, byte for byte"),
        ("checkout v1 data/raw", "only these paths"),
    ],
)


def _reproduce(ctx: Context, args: argparse.Namespace) -> ReproduceResult:
    from ..core.reproduce.reproduce import reproduce

    options = ReproduceOptions(
        image=args.image,
        base=args.base,
        base_default=ctx.base_default,
        prefix=ctx.settings.image_prefix,
        tolerance=args.tolerance,
        abs_tolerance=args.abs_tolerance,
        timeout=args.timeout,
        keep=args.keep,
    )
    with ctx.open_store() as store:
        return reproduce(store, store.resolve(args.ref, ctx.scope(store)), options, log=ctx.say)


_DEFAULTS = ReproduceOptions()

REPRODUCE: Command[ReproduceResult] = Command(
    name="reproduce",
    help="re-run a snapshot's notebook in a container of its environment image and compare "
    "the metrics it logs with the recorded ones (exit 1 if any differs)",
    run=_reproduce,
    text=text.reproduction,
    html=html.reproduction,
    exit_code=lambda r: 0 if r.reproduced else 1,
    args=[
        arg("ref", nargs="?", default="HEAD", help=f"the snapshot (default: HEAD) {HEAD_HELP}"),
        arg(
            "--image", metavar="IMAGE", help="run in this image instead of building or reusing one"
        ),
        arg("--base", metavar="IMAGE", help="the base image when an image has to be built"),
        arg(
            "--tolerance",
            metavar="REL",
            type=float,
            default=_DEFAULTS.tolerance,
            help="relative tolerance for numeric metrics (default: %(default)g)",
        ),
        arg(
            "--abs-tolerance",
            metavar="ABS",
            type=float,
            default=_DEFAULTS.abs_tolerance,
            help="absolute tolerance for numeric metrics near zero (default: %(default)g)",
        ),
        arg(
            "--timeout",
            metavar="SECONDS",
            type=int,
            default=_DEFAULTS.timeout,
            help="give up on the notebook after this long (default: %(default)s)",
        ),
        arg(
            "--keep",
            action=argparse.BooleanOptionalAction,
            default=_DEFAULTS.keep,
            help="keep the executed notebook as a new snapshot whose parent is the original "
            "(default: yes)",
        ),
    ],
    examples=[("reproduce HEAD", "re-run the notebook in its image, compare the metrics")],
)

COMMANDS: list[Entry] = [DIFF, CHECKOUT, REPRODUCE]
