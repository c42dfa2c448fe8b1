"""``jupyter mlver``: the command line over the same command declarations as ``%mlver``.

The parser is built from ``jupyter_mlver.commands``; this module only decides how a result
is shown in a terminal: its text (or ``--json``) on stdout, progress and notes on stderr,
one line on stderr and a non-zero status for an error. The core loads only when a command
runs, so ``jupyter mlver`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .._version import __version__
from ..commands import COMMANDS, Command, Context, add_commands, top_examples
from ..commands.spec import examples_text
from ..core.errors import MlverError
from .common import load_settings, print_json
from .progress import say, terminal_bar, terminal_build_display

PROG = "jupyter mlver"


def build_parser() -> argparse.ArgumentParser:
    examples = examples_text(PROG, top_examples(COMMANDS, kernel=False))
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Versioned, reproducible ML experiments: snapshots of notebooks, data, "
        "packages and git state in a local store (.mlver/).",
        epilog=f"{examples}\n\nIn a notebook: %load_ext jupyter_mlver, then %mlver snapshot "
        "(see %mlver -h).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jupyter_mlver {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="DIR",
        help="the store directory (default: $MLVER_STORE or the nearest .mlver/)",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = parser.add_subparsers(metavar="COMMAND")
    add_commands(sub, COMMANDS, prog=PROG, kernel=False, parents=[common])
    parser.set_defaults(command=None, parser=parser)
    return parser


def show(command: Command[Any], result: Any, as_json: bool) -> None:
    if as_json:
        print_json(command.json(result))
        return
    if command.note is not None:
        print(command.note(result), file=sys.stderr)
    out = command.text(result)
    print(out, end="" if out.endswith("\n") else "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Command[Any] | None = args.command
    if command is None:  # `jupyter mlver` or a group (`jupyter mlver env`) alone
        args.parser.print_help(sys.stderr)
        return 2
    try:
        ctx = Context(
            settings=load_settings(),
            store_dir=args.store,
            json=args.json,
            progress=terminal_bar,
            say=say,
            build_display=terminal_build_display,
        )
        result = command.run(ctx, args)
        show(command, result, args.json)
        if command.check is not None:
            command.check(result)
        return command.exit_code(result)
    except MlverError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `jupyter mlver list | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
