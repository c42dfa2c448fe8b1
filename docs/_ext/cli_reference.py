"""The command line reference, generated from the command declarations.

Every command is declared once (``jupyter_mlver.commands.COMMANDS``); the parsers of
``jupyter mlver`` and ``%mlver`` are built from those declarations, and so is this reference:
``command_docs()`` turns each ``Command`` and ``Group`` into a ``CommandDoc`` (usage as argparse
prints it, description, every argument with its help and default, examples), and the
``mlver-cli`` directive renders one section per entry. A command added to ``COMMANDS`` appears
here without anyone writing its page.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from jupyter_mlver.commands import COMMANDS, Command, Entry, Group, add_commands

CLI = "jupyter mlver"
MAGIC = "%mlver"


@dataclass(frozen=True)
class ArgDoc:
    """One argument: how it is written, its help, its default (``None``: none to show)."""

    dest: str
    invocation: str
    help: str
    default: str | None
    kernel_only: bool


@dataclass(frozen=True)
class CommandDoc:
    """One reference entry: a command (``model register``) or a group (``model``)."""

    path: tuple[str, ...]
    usage: str
    description: str
    args: tuple[ArgDoc, ...]
    examples: tuple[tuple[str, str], ...]
    notes: str
    kernel_only: bool
    subcommands: tuple[str, ...]
    default: str | None

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def anchor(self) -> str:
        return "cli-" + "-".join(self.path)

    @property
    def prog(self) -> str:
        return MAGIC if self.kernel_only else CLI


def _parsers(kernel: bool) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every (sub)parser a front door builds from ``COMMANDS``, by its command path."""
    root = argparse.ArgumentParser(prog=MAGIC if kernel else CLI, add_help=False)
    sub = root.add_subparsers(metavar="COMMAND")
    add_commands(sub, COMMANDS, prog=root.prog, kernel=kernel)
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                # A group with a default command replaces ``choices``; the map stays whole.
                for name, child in action._name_parser_map.items():
                    key = (*path, name)
                    found[key] = child
                    walk(child, key)

    walk(root, ())
    return found


def _default(action: argparse.Action) -> str | None:
    value = action.default
    if value in (None, argparse.SUPPRESS, False, [], ""):
        return None
    if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
        return None
    return str(value)


def _args(
    parser: argparse.ArgumentParser, command: Command[Any], kernel_parser: argparse.ArgumentParser
) -> tuple[ArgDoc, ...]:
    """The arguments as the kernel's parser has them (a superset of the CLI's), each marked
    when only a kernel takes it."""
    cli_dests = {a.dest for a in parser._actions}
    formatter = kernel_parser._get_formatter()
    out = []
    for action in kernel_parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.help is argparse.SUPPRESS:
            continue
        text = " ".join(formatter._expand_help(action).split()) if action.help else ""
        out.append(
            ArgDoc(
                dest=action.dest,
                invocation=formatter._format_action_invocation(action),
                help=text,
                # Shown apart only when the help does not already say it.
                default=None if "default" in text else _default(action),
                kernel_only=command.kernel_only or action.dest not in cli_dests,
            )
        )
    return tuple(out)


Path = tuple[str, ...]


def _walk(entries: Sequence[Entry], path: Path) -> Iterator[tuple[Path, Entry]]:
    for entry in entries:
        yield (*path, entry.name), entry
        if isinstance(entry, Group):
            yield from _walk(entry.commands, (*path, entry.name))


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line as ``--help`` prints it, wrapped at a width that does not depend on the
    terminal the manual is built in."""
    formatter = argparse.HelpFormatter(parser.prog, width=88)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def command_docs() -> list[CommandDoc]:
    """One entry per command and group of ``COMMANDS``, in the order ``--help`` lists them."""
    cli, kernel = _parsers(kernel=False), _parsers(kernel=True)
    docs = []
    for path, entry in _walk(COMMANDS, ()):
        kernel_parser = kernel[path]
        kernel_only = path not in cli
        parser = kernel_parser if kernel_only else cli[path]
        if isinstance(entry, Group):
            docs.append(
                CommandDoc(
                    path=path,
                    usage=_usage(parser),
                    description=entry.description or entry.help,
                    args=(),
                    examples=tuple(entry.examples),
                    notes=entry.notes.strip(),
                    kernel_only=kernel_only,
                    subcommands=tuple(c.name for c in entry.commands),
                    default=entry.default,
                )
            )
            continue
        docs.append(
            CommandDoc(
                path=path,
                usage=_usage(parser),
                description=entry.description or entry.help,
                args=_args(parser, entry, kernel_parser),
                examples=tuple(entry.examples),
                notes="",
                kernel_only=kernel_only,
                subcommands=(),
                default=None,
            )
        )
    return docs


def _paragraph(*parts: nodes.Node | str) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def _arguments(doc: CommandDoc) -> nodes.definition_list:
    items = nodes.definition_list(classes=["mlver-cli-args"])
    for a in doc.args:
        body = nodes.definition()
        body += _paragraph(a.help)
        extra: list[nodes.Node | str] = []
        if a.default is not None:
            extra += ["default: ", nodes.literal(text=a.default)]
        if a.kernel_only and not doc.kernel_only:
            extra += ["; " if extra else "", "in a notebook only (", nodes.literal(text=MAGIC), ")"]
        if extra:
            body += _paragraph(*extra)
        item = nodes.definition_list_item()
        item += nodes.term("", "", nodes.literal(text=a.invocation))
        item += body
        items += item
    return items


def _examples(doc: CommandDoc) -> nodes.literal_block:
    lines = []
    for line, comment in doc.examples:
        if comment:
            lines.append(f"# {comment}")
        lines.append(f"{doc.prog} {line}")
    text = "\n".join(lines)
    return nodes.literal_block(text, text, language="bash")


def _section(doc: CommandDoc, document: nodes.document) -> nodes.section:
    section = nodes.section(ids=[doc.anchor], names=[doc.anchor])
    section += nodes.title("", "", nodes.literal(text=f"{doc.prog} {doc.name}"))
    section += nodes.literal_block(doc.usage, doc.usage, language="text")
    section += _paragraph(doc.description)
    if doc.kernel_only:
        section += _paragraph("Only in a notebook: it works on the kernel's session.")
    if doc.subcommands:
        para = _paragraph("Commands: ")
        for i, name in enumerate(doc.subcommands):
            ref = nodes.reference("", "", internal=True, refid=f"{doc.anchor}-{name}")
            ref += nodes.literal(text=name)
            para += [nodes.Text(", ") if i else nodes.Text(""), ref]
        section += para
    if doc.default:
        section += _paragraph(
            nodes.literal(text=f"{doc.prog} {doc.name} REF"),
            " is short for ",
            nodes.literal(text=f"{doc.prog} {doc.name} {doc.default} REF"),
            ".",
        )
    if doc.args:
        section += _arguments(doc)
    if doc.examples:
        section += _examples(doc)
    if doc.notes:
        section += nodes.literal_block(doc.notes, doc.notes, language="text")
    document.note_explicit_target(section)
    return section


class CliReference(SphinxDirective):
    """``mlver-cli``: a section per command and group, groups holding their commands."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        sections: dict[tuple[str, ...], nodes.section] = {}
        top: list[nodes.Node] = []
        for doc in command_docs():
            section = _section(doc, self.state.document)
            sections[doc.path] = section
            parent = sections.get(doc.path[:-1])
            if parent is None:
                top.append(section)
            else:
                parent += section
        return top


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("mlver-cli", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
