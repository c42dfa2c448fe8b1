"""``jupyter mlver diff | checkout | reproduce``: compare, restore and re-run snapshots."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import load_settings, open_store, print_json


def cmd_diff(args: argparse.Namespace) -> int:
    from ..core.diff import diff_refs
    from ..display_diff import format_diff

    with open_store(args) as store:
        result = diff_refs(store, args.a, args.b)
    if args.json:
        print_json(result)
    else:
        print(format_diff(result))
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    from ..core.checkout import checkout
    from ..display_diff import format_checkout

    with open_store(args) as store:
        result = checkout(
            store,
            store.resolve(args.ref),
            paths=[Path(p) for p in args.paths],
            force=args.force,
            notebook=not args.no_notebook,
            dry_run=args.dry_run,
        )
    if args.json:
        print_json(result.to_json())
    else:
        print(format_checkout(result))
    return 0 if result.ok else 1


def cmd_reproduce(args: argparse.Namespace) -> int:
    from ..core.reproduce import ReproduceOptions, reproduce
    from ..display_diff import format_reproduction

    settings = load_settings()
    options = ReproduceOptions(
        image=args.image,
        base=args.base,
        base_default=settings.base_image or None,
        prefix=settings.image_prefix,
        tolerance=args.tolerance,
        abs_tolerance=args.abs_tolerance,
        timeout=args.timeout,
        keep=not args.no_keep,
    )
    # Progress goes to stderr in both modes: stdout stays the report (or the JSON).
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    with open_store(args) as store:
        result = reproduce(store, store.resolve(args.ref), options, log=log)
    if args.json:
        print_json(result.to_json())
    else:
        print(format_reproduction(result))
    return 0 if result.reproduced else 1


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``diff``, ``checkout`` and ``reproduce`` to the ``jupyter mlver`` parser."""

    def add(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(
            name, parents=[common], help=help_text, description=help_text
        )
        p.set_defaults(handler=handler)
        return p

    ref_help = "HEAD, HEAD~N, a tag, or an id prefix (4+ hex digits)"
    p = add(
        "diff",
        cmd_diff,
        "compare two snapshots: params, metrics, data, packages, python, git, notebook cells",
    )
    p.add_argument("a", metavar="A", help=f"the earlier snapshot: {ref_help}")
    p.add_argument("b", metavar="B", help="the later snapshot")

    p = add(
        "checkout",
        cmd_checkout,
        "restore a snapshot's data files and notebook into the work tree (exit 1 if "
        "anything was refused or cannot be restored)",
    )
    p.add_argument("ref", help=f"the snapshot: {ref_help}")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="restore only these files or directories (default: everything recorded)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite files whose current content is in no snapshot",
    )
    p.add_argument("--no-notebook", action="store_true", help="restore data files only")
    p.add_argument("--dry-run", action="store_true", help="only say what would be restored")

    p = add(
        "reproduce",
        cmd_reproduce,
        "re-run a snapshot's notebook in a container built from its environment and compare "
        "the metrics it logs with the recorded ones (exit 1 if any differs)",
    )
    p.add_argument("ref", help=f"the snapshot: {ref_help}")
    p.add_argument(
        "--image", metavar="IMAGE", help="run in this image instead of building or reusing one"
    )
    p.add_argument("--base", metavar="IMAGE", help="the base image when an image has to be built")
    p.add_argument(
        "--tolerance",
        metavar="REL",
        type=float,
        default=1e-9,
        help="relative tolerance for numeric metrics (default: 1e-9)",
    )
    p.add_argument(
        "--abs-tolerance",
        metavar="ABS",
        type=float,
        default=0.0,
        help="absolute tolerance for numeric metrics near zero (default: 0)",
    )
    p.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=int,
        default=1800,
        help="give up on the notebook after this long (default: 1800)",
    )
    p.add_argument(
        "--no-keep",
        action="store_true",
        help="do not keep the executed notebook as a new snapshot",
    )
