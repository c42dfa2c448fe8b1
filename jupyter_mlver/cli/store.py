"""``jupyter mlver snapshot|list|show|tag|fsck|reindex|gc``: the store from a terminal."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput
from ..core.params import parse_assignments
from ..display import format_list, format_record
from .common import Handler, load_settings, open_store, print_json


def cmd_snapshot(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..core.snapshot import SnapshotOptions, take_snapshot

    settings = load_settings()
    options = SnapshotOptions(
        message=args.message or "",
        data=args.data,
        params=parse_assignments(args.param, "--param"),
        metrics=parse_assignments(args.metric, "--metric", series=True),
        tags=args.tag,
        hash_only=args.hash_only or settings.hash_only,
        env_vars=settings.env_vars,
        git_limits=settings.git_limits,
    )
    for path in args.data:  # fail before the store is even created
        if not Path(path).exists():
            raise InvalidInput(
                f"data path {path!r} does not exist",
                "check the path; it is relative to the current directory",
            )
    with open_store(args, create=True, settings=settings) as store:
        record = take_snapshot(store, options, progress=lambda **kw: tqdm(disable=None, **kw))
        if args.json:
            print_json(record)
        else:
            print(format_record(record, store.index.tags_of(record["id"]), store=store))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..core.index import ALL

    with open_store(args) as store:
        notebook: object = store.relpath(args.notebook) if args.notebook else ALL
        rows, total = store.index.snapshots(
            notebook=notebook, q=args.query, tag=args.tag_filter, limit=args.n or None
        )
        if args.json:
            print_json([store.get(row.id) for row in rows])
        else:
            print(format_list(rows, total))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rid = store.resolve(args.ref, kind=None)
        record = store.get(rid)
        if args.json:
            print_json(record)
        else:
            tags = store.index.tags_of(rid) if record["schema"].startswith("mlver.snapshot") else []
            print(format_record(record, tags, store=store))
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        tag = store.add_tag(args.ref, args.name)
        if args.json:
            print_json(tag)
        else:
            print(f"tagged {tag['snapshot'][:12]} as {args.name}")
    return 0


def cmd_fsck(args: argparse.Namespace) -> int:
    from ..core.maintenance import RepairReport, fsck, repair

    repaired = RepairReport()
    with open_store(args) as store:
        report = fsck(store)
        if args.repair and not report.ok:
            repaired = repair(store, report)
            report = fsck(store)
    if args.json:
        out: dict[str, Any] = {
            "ok": report.ok,
            "objects": report.objects,
            "records": report.records,
            "problems": report.problems,
            "warnings": report.warnings,
        }
        if args.repair:
            out["repaired"] = repaired.restored
            out["unrepaired"] = repaired.unrepaired
        print_json(out)
    else:
        for path, oid in repaired.restored.items():
            print(f"repaired: {path} (object {oid[:12]}) copied again from the working tree")
        for line in repaired.unrepaired:
            print(f"not repaired: {line}")
        for line in report.problems:
            print(f"error: {line}")
        for line in report.warnings:
            print(f"warning: {line}")
        verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        print(f"checked {report.objects} objects, {report.records} records: {verdict}")
        if not report.ok and not args.repair:
            print(
                "hint: `jupyter mlver fsck --repair` copies missing data files again from the "
                "working tree where they are unchanged"
            )
    return 0 if report.ok else 1


def cmd_reindex(args: argparse.Namespace) -> int:
    from ..core.maintenance import reindex

    with open_store(args) as store:
        count = reindex(store)
    if args.json:
        print_json({"records": count})
    else:
        print(f"reindexed {count} records")
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    from ..core.maintenance import gc

    with open_store(args) as store:
        report = gc(store, dry_run=args.dry_run)
    if args.json:
        print_json(
            {
                "objects": report.objects,
                "bytes": report.bytes,
                "tmp_files": report.tmp_files,
                "kept": report.kept,
                "dry_run": args.dry_run,
            }
        )
    else:
        verb = "would remove" if args.dry_run else "removed"
        print(
            f"{verb} {report.objects} unreferenced objects ({report.bytes:,} bytes) and "
            f"{report.tmp_files} temporary files; {report.kept} objects kept"
        )
    return 0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    def add(name: str, handler: Handler, help_text: str, **kw: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text, **kw)
        p.set_defaults(handler=handler)
        return p

    p = add(
        "snapshot",
        cmd_snapshot,
        "record an experiment: data hashes, params, metrics, packages, system and git state",
    )
    p.add_argument("-m", "--message", help="what this experiment is")
    p.add_argument(
        "--data",
        metavar="PATH",
        action="append",
        default=[],
        help="a data file or directory to hash and keep (repeatable)",
    )
    p.add_argument(
        "--param",
        metavar="K=V",
        action="append",
        default=[],
        help="a parameter (repeatable); numbers and true/false are typed",
    )
    p.add_argument(
        "--metric",
        metavar="K=V",
        action="append",
        default=[],
        help="a metric (repeatable; repeating a key records a series)",
    )
    p.add_argument(
        "--tag",
        metavar="NAME",
        action="append",
        default=[],
        help="a unique tag for this snapshot (repeatable)",
    )
    p.add_argument(
        "--hash-only", action="store_true", help="keep only hashes of data files, not copies"
    )

    p = add("list", cmd_list, "list snapshots, newest first")
    p.add_argument("-n", type=int, default=20, metavar="N", help="show at most N (0: all)")
    p.add_argument(
        "-q",
        "--query",
        metavar="TEXT",
        help="only those whose message, notebook, tags or param names contain TEXT",
    )
    p.add_argument("--tag", dest="tag_filter", metavar="NAME", help="only the one with this tag")
    p.add_argument("--notebook", metavar="PATH", help="only snapshots of this notebook")

    p = add("show", cmd_show, "show one record")
    p.add_argument("ref", help="HEAD, HEAD~N, a tag, or an id prefix (4+ hex digits)")

    p = add("tag", cmd_tag, "give a snapshot a unique name")
    p.add_argument("ref", help="the snapshot: HEAD, HEAD~N, a tag or an id prefix")
    p.add_argument("name", help="the new tag")

    p = add(
        "fsck",
        cmd_fsck,
        "verify every object's hash, every record's references and the index; "
        "exit 1 if anything is wrong",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="copy missing or corrupt data copies again from the working tree where the "
        "file still has the recorded hash, then check again; name what cannot be repaired",
    )
    add("reindex", cmd_reindex, "rebuild the index from the stored objects")
    p = add("gc", cmd_gc, "remove temporary leftovers and objects no record references")
    p.add_argument("--dry-run", action="store_true", help="only say what would be removed")
