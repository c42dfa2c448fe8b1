"""How a command is declared, and how a front door turns declarations into its parser.

A ``Command`` holds everything about one command that does not depend on where it runs:
its arguments with their defaults and help, examples, the function that makes the core
call (``run``), and the views of its result (text, HTML, JSON, exit status). ``jupyter
mlver`` and ``%mlver`` build their argparse trees from the same declarations with
``add_commands``; they differ only in the parser class (exit vs. ``UsageError``), the
options every CLI command has (``--store``, ``--json``) and how they show a result.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .context import Context

R = TypeVar("R")


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call. ``kernel_only`` arguments (``--state``) exist only where
    a kernel runs the command; elsewhere their default is still set."""

    flags: tuple[str, ...]
    options: Mapping[str, Any]
    kernel_only: bool = False

    @property
    def dest(self) -> str:
        if "dest" in self.options:
            return str(self.options["dest"])
        long = [f for f in self.flags if f.startswith("--")] or list(self.flags)
        return long[0].lstrip("-").replace("-", "_")

    @property
    def default(self) -> Any:
        if "default" in self.options:
            return self.options["default"]
        return False if self.options.get("action") == "store_true" else None


def arg(*flags: str, kernel_only: bool = False, **options: Any) -> Arg:
    return Arg(flags, options, kernel_only)


def non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def jobs_arg(help: str, default: int | None = None) -> Arg:
    """``-j N, --jobs N``: how much runs at once."""
    return arg("-j", "--jobs", type=positive, default=default, metavar="N", help=help)


#: Examples' comments start in this column at most, and lines stay within HELP_WIDTH.
EXAMPLE_COLUMN = 44
HELP_WIDTH = 100
#: A command line without the front door's prefix, and what it does.
Example = tuple[str, str]


def _zero(_result: Any) -> int:
    return 0


def _to_json(result: Any) -> Any:
    return result.to_json()


@dataclass(frozen=True)
class Command(Generic[R]):
    """One command, declared once for every front door.

    ``run(context, args)`` makes the core call and returns a typed result; ``text``,
    ``html`` and ``json`` show it (the HTML view defaults to the text in a card, the
    JSON to the result's ``to_json()``);
    ``note`` is a line about the result that is not part of it (a terminal prints it on
    stderr, so stdout stays the result); ``exit_code`` is the CLI's status for it;
    ``check``, when given, is called after the result is shown and raises the
    ``MlverError`` the result carries (a push that left problems). ``kernel_only``
    commands need a kernel session (``%mlver log``) and exist only as magics.
    """

    name: str
    help: str
    run: Callable[[Context, argparse.Namespace], R]
    text: Callable[[R], str]
    json: Callable[[R], Any] = _to_json
    html: Callable[[R], str] | None = None
    args: Sequence[Arg] = ()
    examples: Sequence[Example] = ()
    description: str | None = None
    note: Callable[[R], str] | None = None
    exit_code: Callable[[R], int] = _zero
    check: Callable[[R], None] | None = None
    kernel_only: bool = False


@dataclass(frozen=True)
class Group:
    """Commands under one word (``env build``, ``remote add``)."""

    name: str
    help: str
    commands: Sequence[Command[Any]]
    description: str | None = None
    notes: str = ""  # printed after the examples in the group's help
    examples: Sequence[Example] = field(default=())
    #: The command a first word that names none of ``commands`` goes to: ``deploy REF`` is
    #: ``deploy start REF``.
    default: str | None = None


Entry = Command[Any] | Group


class _AnyName(dict[str, Any]):
    """The choices of a group with a default command: every word is accepted (argparse
    checks a sub-command's name against its choices before calling the action)."""

    def __contains__(self, key: object) -> bool:
        return True


def _with_default(default: str) -> type[argparse.Action]:
    """A sub-parsers action that sends a word naming no sub-command to ``default``."""
    base: Any = argparse._SubParsersAction

    class WithDefault(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.choices = _AnyName()

        def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
            if values and values[0] not in self._name_parser_map:
                values = [default, *values]
            super().__call__(parser, namespace, values, option)

    return WithDefault


def examples_text(prog: str, examples: Iterable[Example]) -> str:
    """``examples:`` and one line each; a comment that does not fit goes on the next line."""
    rows = [(f"{prog} {line}", comment) for line, comment in examples]
    if not rows:
        return ""
    width = max((len(cmd) for cmd, _ in rows if len(cmd) <= EXAMPLE_COLUMN), default=0)
    lines = []
    for cmd, comment in rows:
        if not comment:
            lines.append(f"  {cmd}")
        elif len(cmd) <= width and width + len(comment) + 6 <= HELP_WIDTH:
            lines.append(f"  {cmd:<{width}}  ({comment})")
        else:
            lines += [f"  {cmd}", f"      ({comment})"]
    return "examples:\n" + "\n".join(lines)


def _epilog(prog: str, examples: Iterable[Example], notes: str = "") -> str:
    return "\n\n".join(p for p in (examples_text(prog, examples), notes.strip()) if p)


def visible(entries: Iterable[Entry], kernel: bool) -> list[Entry]:
    """The entries a front door offers: kernel-only commands only where a kernel runs."""
    out: list[Entry] = []
    for entry in entries:
        if isinstance(entry, Group):
            if any(kernel or not c.kernel_only for c in entry.commands):
                out.append(entry)
        elif kernel or not entry.kernel_only:
            out.append(entry)
    return out


def top_examples(entries: Iterable[Entry], kernel: bool) -> list[Example]:
    """The first example of every command a front door offers, for its top-level help."""
    out: list[Example] = []
    for entry in visible(entries, kernel):
        commands = entry.commands if isinstance(entry, Group) else [entry]
        for command in commands:
            if (kernel or not command.kernel_only) and command.examples:
                out.append(command.examples[0])
    return out


def add_commands(
    subparsers: Any,
    entries: Iterable[Entry],
    *,
    prog: str,
    kernel: bool,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add every entry a front door offers to ``subparsers``; each parser's defaults hold
    ``command`` (the declaration to run) and ``parser`` (for a group's help). Examples are
    written from the root (``env build --tag 1.0``) and shown after ``prog``."""
    for entry in visible(entries, kernel):
        if isinstance(entry, Group):
            group = subparsers.add_parser(
                entry.name,
                help=entry.help,
                description=entry.description or entry.help,
                epilog=_epilog(
                    prog,
                    [*entry.examples, *(e for c in entry.commands for e in c.examples)],
                    entry.notes,
                ),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            group.set_defaults(command=None, parser=group)
            extra = {"action": _with_default(entry.default)} if entry.default else {}
            actions = group.add_subparsers(dest=f"{entry.name}_command", metavar="ACTION", **extra)
            add_commands(actions, entry.commands, prog=prog, kernel=kernel, parents=parents)
            continue
        parser = subparsers.add_parser(
            entry.name,
            parents=list(parents),
            help=entry.help,
            description=entry.description or entry.help,
            epilog=_epilog(prog, entry.examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for a in entry.args:
            if kernel or not a.kernel_only:
                parser.add_argument(*a.flags, **a.options)
            else:
                parser.set_defaults(**{a.dest: a.default})
        parser.set_defaults(command=entry, parser=parser)
