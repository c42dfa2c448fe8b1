"""``%mlver``: the notebook's front door over the same command declarations as the CLI.

The parser is built from ``jupyter_mlver.commands`` with argparse errors turned into
``UsageError`` (``-h`` prints help; nothing ever exits the kernel); this module only
decides how a result is shown in a notebook: a rich display object, progress bars and a
live build display, one red line for an expected failure. A refused promotion (the
``production`` guard) fails its cell with that line, so Run All stops there.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..commands import COMMANDS, Command, Context, add_commands, top_examples
from ..commands.spec import examples_text
from ..config import Mlver
from ..core.errors import InvalidInput, MlverError, PromotionRefused
from . import display
from .session import KernelSession, session_for

PROG = "%mlver"
#: The comm target JupyterLab opens to push the on-screen notebook before a snapshot.
COMM_TARGET = "jupyter_mlver"


class _HelpShown(Exception):
    """``-h`` printed its help: not an error."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as ``UsageError`` instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}  (-h for help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise UsageError(message.strip())
        raise _HelpShown()


def build_parser() -> _Parser:
    root = _Parser(
        prog=PROG,
        description="Versioned, reproducible experiments from the notebook: snapshots of "
        "notebook state, data, packages and git.",
        epilog=examples_text(PROG, top_examples(COMMANDS, kernel=True)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(metavar="COMMAND", parser_class=_Parser)
    add_commands(sub, COMMANDS, prog=PROG, kernel=True)
    root.set_defaults(command=None, parser=root)
    return root


def _cell_line(line: str) -> None:
    print(line, flush=True)


@magics_class
class MlverMagics(Magics):
    """Versioned, reproducible experiments. See ``%mlver -h`` and ``%mlver <command> -h``."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell=shell)
        self.settings = Mlver(parent=shell)
        self.session: KernelSession = session_for(shell)
        self.parser = build_parser()

    def context(self) -> Context:
        return Context(
            settings=self.settings,
            session=self.session,
            progress=display.progress_bar,
            say=_cell_line,  # progress lines stream into the cell while the work goes on
            build_display=display.live_build,
            create_store=True,
        )

    @line_magic
    def mlver(self, line: str) -> Any:
        try:
            args = self.parser.parse_args(shlex.split(line))
        except ValueError as e:  # an unclosed quote
            raise UsageError(f"cannot parse {line!r}: {e}") from None
        except _HelpShown:
            return None
        command: Command[Any] | None = args.command
        if command is None:  # `%mlver` or a group (`%mlver env`) alone
            args.parser.print_help()
            return None
        try:
            # jupyter_mlver's own reads and writes are never the experiment's lineage.
            with self.session.lineage.paused():
                result = command.run(self.context(), args)
            view = display.Rich(command, result)
            if command.check is not None:
                self._check(command, result, view)
            return view
        except InvalidInput as e:
            raise UsageError(str(e)) from None
        except PromotionRefused as e:
            raise _fails_the_cell(e) from None
        except MlverError as e:
            # An expected failure: one red line with a hint, never a traceback.
            print(f"mlver: {e}", file=sys.stderr)
            return None

    @staticmethod
    def _check(command: Command[Any], result: Any, view: display.Rich) -> None:
        """Show a result that carries a failure (a push with problems), then fail."""
        assert command.check is not None
        try:
            command.check(result)
        except MlverError:
            from IPython.display import display as show

            show(view)  # type: ignore[no-untyped-call]
            raise


def _fails_the_cell(error: MlverError) -> MlverError:
    """``error``, shown as its one red line instead of a traceback when it fails the cell
    (IPython renders an exception's ``_render_traceback_`` lines when it has one)."""
    line = f"\x1b[0;31mmlver: {error}\x1b[0m"
    error._render_traceback_ = lambda: [line]  # type: ignore[attr-defined]
    return error


MlverMagics.mlver.__doc__ = build_parser().format_help()


def load(shell: Any) -> MlverMagics:
    magics = MlverMagics(shell)
    shell.register_magics(magics)
    session = magics.session
    for event, callback in _events(session):
        if callback not in shell.events.callbacks[event]:
            shell.events.register(event, callback)
    session.lineage.active = magics.settings.lineage
    if getattr(shell, "kernel", None) is not None:  # ipykernel: JupyterLab can push documents
        from comm import get_comm_manager

        get_comm_manager().register_target(COMM_TARGET, session.receive_frontend_document)
        from .panel_check import missing_panel

        problem = missing_panel()
        if problem is not None:
            print(f"jupyter_mlver: {problem}", file=sys.stderr)
    return magics


def unload(shell: Any) -> None:
    session = session_for(shell)
    session.lineage.active = False
    for event, callback in _events(session):
        if callback in shell.events.callbacks[event]:
            shell.events.unregister(event, callback)


def _events(session: KernelSession) -> list[tuple[str, Callable[[Any], None]]]:
    return [("pre_run_cell", session.pre_run_cell), ("post_run_cell", session.post_run_cell)]


__all__ = ["MlverMagics", "build_parser", "load", "unload"]
