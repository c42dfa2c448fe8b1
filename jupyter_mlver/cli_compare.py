"""``jupyter mlver diff | checkout | reproduce``: compare, restore and re-run snapshots."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _store(args: argparse.Namespace) -> Any:
    from .cli import _open

    return _open(args)


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


def cmd_diff(args: argparse.Namespace) -> int:
    from .core.diff import diff_refs
    from .display_diff import format_diff

    with _store(args) as store:
        result = diff_refs(store, args.a, args.b)
    if args.json:
        _print_json(result)
    else:
        print(format_diff(result))
    return 0


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
