"""Every command, declared once (``spec.Command``) for ``jupyter mlver`` and ``%mlver``.

A new command is one declaration in one of these modules: its arguments, the core call
its ``run`` makes, and the views of its result (``jupyter_mlver/views``). Both front doors
pick it up from ``COMMANDS``; see docs/ARCHITECTURE.md, "where a new command goes".
"""

from __future__ import annotations

from . import compare, drift, env, models, remote, run, session, store
from .context import Context
from .spec import Arg, Command, Entry, Group, add_commands, arg, top_examples

#: In the order the help lists them.
COMMANDS: list[Entry] = [
    store.SNAPSHOT,
    *session.COMMANDS,
    store.LIST,
    store.SHOW,
    store.TAG,
    *compare.COMMANDS,
    *drift.COMMANDS,
    run.RUN,
    *env.COMMANDS,
    *remote.COMMANDS,
    models.MODEL,
    store.FSCK,
    store.REINDEX,
    store.GC,
    store.MIGRATE,
]

__all__ = [
    "COMMANDS",
    "Arg",
    "Command",
    "Context",
    "Entry",
    "Group",
    "add_commands",
    "arg",
    "top_examples",
]
