"""``snapshot``, ``list``, ``show``, ``tag``, ``fsck``, ``reindex``, ``gc``: the store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..views.snapshots import html, text
from ..views.store import html as store_html
from ..views.store import text as store_text
from .context import Context
from .spec import Command, Entry, arg, non_negative

if TYPE_CHECKING:
    from ..core.records import Record
    from ..core.snapshot.read import SnapshotDetail, SnapshotPage
    from ..core.store.maintenance import Checked, Collected
    from ..core.store.migrate import MigrateReport

REF_HELP = "HEAD, HEAD~N, a tag, or an id prefix of 4+ hex digits"
HEAD_HELP = "(HEAD: this notebook's latest snapshot in a kernel, else the latest of all)"


def _snapshot(ctx: Context, args: argparse.Namespace) -> SnapshotDetail:
    from ..core.errors import InvalidInput
    from ..core.params import parse_assignments
    from ..core.snapshot.read import snapshot_detail
    from ..notebook.session import SnapshotRequest, session_for, take_kernel_snapshot

    request = SnapshotRequest(
        message=args.message,
        data=args.data,
        tags=args.tag,
        state=args.state,
        params=parse_assignments(args.param, "--param"),
        metrics=parse_assignments(args.metric, "--metric", series=True),
        lineage=not args.no_lineage,
        notebook=args.notebook,
        hash_only=args.hash_only,
    )
    for path in args.data:  # before anything is written, even the store itself
        if not Path(path).exists():
            raise InvalidInput(
                f"data path {path!r} does not exist",
                "check the path; it is relative to the current directory",
            )
    session = ctx.session if ctx.session is not None else session_for(None)
    store, record = take_kernel_snapshot(
        session, ctx.settings, request, progress=ctx.progress, store_dir=ctx.store_dir
    )
    with store:
        return snapshot_detail(store, record["id"], diff_text=False)


SNAPSHOT: Command[SnapshotDetail] = Command(
    name="snapshot",
    help="record an experiment: the notebook and the cells that ran, params, metrics, the "
    "data read and written, packages, system and git state",
    run=_snapshot,
    text=text.detail,
    html=html.detail,
    json=lambda d: d.record,
    args=[
        arg("-m", "--message", default="", help="what this experiment is"),
        arg(
            "--data",
            metavar="PATH",
            action="append",
            default=[],
            help="a data file or directory to hash and keep (repeatable)",
        ),
        arg(
            "--param",
            metavar="K=V",
            action="append",
            default=[],
            help="a parameter (repeatable); numbers and true/false are typed",
        ),
        arg(
            "--metric",
            metavar="K=V",
            action="append",
            default=[],
            help="a metric (repeatable; repeating a key records a series)",
        ),
        arg(
            "--tag",
            metavar="NAME",
            action="append",
            default=[],
            help="a unique tag for this snapshot (repeatable)",
        ),
        arg("--hash-only", action="store_true", help="keep only hashes of data files, not copies"),
        arg("--notebook", metavar="PATH", help="the notebook file to record, when not found"),
        arg(
            "--state",
            metavar="NAME",
            nargs="*",
            default=None,
            kernel_only=True,
            help="pickle these variables into the store (every picklable one if no name)",
        ),
        arg(
            "--no-lineage",
            action="store_true",
            kernel_only=True,
            help="do not record the files the kernel read and wrote",
        ),
    ],
    examples=[
        ('snapshot -m "baseline" --data data/ --param lr=0.01 --metric acc=0.93', ""),
        ("snapshot --state model X_test", "pickle variables; restore REF [NAME ...]"),
    ],
)


def _list(ctx: Context, args: argparse.Namespace) -> SnapshotPage:
    from ..core.snapshot.read import SnapshotQuery, list_snapshots
    from ..core.store.index.db import ALL

    with ctx.open_store() as store:
        scope: object = ALL if args.all else ctx.scope(store)
        if args.notebook:
            scope = store.relpath(args.notebook)
        query = SnapshotQuery(scope, args.query, args.tag_filter, args.n or None)
        return list_snapshots(store, query, whole_records=ctx.json)


LIST: Command[SnapshotPage] = Command(
    name="list",
    help="list snapshots, newest first (in a kernel: this notebook's)",
    run=_list,
    text=text.page,
    html=html.page,
    json=lambda p: p.records,
    args=[
        arg("-n", type=non_negative, default=20, metavar="N", help="show at most N (0: all)"),
        arg(
            "-q",
            "--query",
            metavar="TEXT",
            help="only those whose message, notebook, tags or param names contain TEXT",
        ),
        arg("--tag", dest="tag_filter", metavar="NAME", help="only the one with this tag"),
        arg("--notebook", metavar="PATH", help="only snapshots of this notebook"),
        arg("--all", action="store_true", help="every notebook's snapshots"),
    ],
    examples=[("list -n 10", "")],
)


def _show(ctx: Context, args: argparse.Namespace) -> SnapshotDetail:
    from ..core.snapshot.read import snapshot_detail

    with ctx.open_store() as store:
        return snapshot_detail(
            store,
            store.resolve(args.ref, ctx.scope(store), kind=None),
            diff_text=False,
            files=args.files,
        )


SHOW: Command[SnapshotDetail] = Command(
    name="show",
    help="show one record: a snapshot with its environment, images and tags",
    run=_show,
    text=text.detail,
    html=html.detail,
    json=lambda d: d.record,
    args=[
        arg(
            "ref",
            nargs="?",
            default="HEAD",
            help=f"{REF_HELP}; any record's id (default: HEAD) {HEAD_HELP}",
        ),
        arg(
            "--files",
            action="store_true",
            help="list every data file, directories expanded from their trees "
            "(as {path, role, hash, size, stored})",
        ),
    ],
    examples=[
        ("show HEAD~1", "also a tag, or an id prefix of 4+ hex digits"),
        ("show HEAD --files --json", "every data file with its hash"),
    ],
)


def _tag(ctx: Context, args: argparse.Namespace) -> Record:
    with ctx.open_store() as store:
        return store.add_tag(args.ref, args.name, ctx.scope(store))


TAG: Command[Record] = Command(
    name="tag",
    help="give a snapshot a unique name",
    run=_tag,
    text=text.tagged,
    html=html.tagged,
    json=lambda tag: tag,
    args=[arg("ref", help=f"the snapshot: {REF_HELP}"), arg("name", help="the new tag")],
    examples=[("tag HEAD v1.0", "")],
)


def _fsck(ctx: Context, args: argparse.Namespace) -> Checked:
    from ..core.store.maintenance import Checked, RepairReport, fsck, repair

    with ctx.open_store() as store:
        report = fsck(store)
        repaired = RepairReport() if args.repair else None
        if args.repair and not report.ok:
            repaired = repair(store, report)
            report = fsck(store)
    return Checked(report, repaired)


FSCK: Command[Checked] = Command(
    name="fsck",
    help="verify every object's hash, every record's references and the index; "
    "exit 1 if anything is wrong",
    run=_fsck,
    text=store_text.fsck,
    html=store_html.fsck,
    exit_code=lambda c: 0 if c.report.ok else 1,
    args=[
        arg(
            "--repair",
            action="store_true",
            help="copy missing or corrupt data copies again from the working tree where the "
            "file still has the recorded hash, then check again; name what cannot be repaired",
        )
    ],
    examples=[
        ("fsck", ""),
        ("fsck --repair", "copy missing data copies again from unchanged files"),
    ],
)


def _reindex(ctx: Context, args: argparse.Namespace) -> int:
    from ..core.store.maintenance import reindex

    with ctx.open_store() as store:
        return reindex(store)


REINDEX: Command[int] = Command(
    name="reindex",
    help="rebuild the index from the stored objects",
    run=_reindex,
    text=store_text.reindexed,
    html=store_html.reindexed,
    json=lambda count: {"records": count},
)


def _gc(ctx: Context, args: argparse.Namespace) -> Collected:
    from ..core.store.maintenance import Collected, gc

    with ctx.open_store() as store:
        return Collected(gc(store, dry_run=args.dry_run), args.dry_run)


GC: Command[Collected] = Command(
    name="gc",
    help="remove temporary leftovers and objects no record references",
    run=_gc,
    text=store_text.collected,
    html=store_html.collected,
    json=lambda c: {
        "objects": c.report.objects,
        "bytes": c.report.bytes,
        "tmp_files": c.report.tmp_files,
        "kept": c.report.kept,
        "dry_run": c.dry_run,
    },
    args=[arg("--dry-run", action="store_true", help="only say what would be removed")],
)


def _migrate(ctx: Context, args: argparse.Namespace) -> MigrateReport:
    from ..core.models.numbers import repair
    from ..core.store.migrate import migrate

    with ctx.open_store() as store:
        report = migrate(store)
        report.renumbered = [r.to_json() for r in repair(store)]
        return report


MIGRATE: Command[MigrateReport] = Command(
    name="migrate",
    help="upgrade the store in place to this version's format (safe to interrupt and rerun), "
    "and give model versions that share a number (pulled before numbers were claimed on "
    "the remote) one number each",
    run=_migrate,
    text=store_text.migrated,
    html=store_html.migrated,
    json=lambda r: r.to_json(),
    examples=[("migrate", "once, after upgrading from jupyter_mlver 0.1")],
)

COMMANDS: list[Entry] = [SNAPSHOT, LIST, SHOW, TAG, FSCK, REINDEX, GC, MIGRATE]
