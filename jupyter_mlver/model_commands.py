"""``model register|list|show|alias|rollback|history``, declared once for ``jupyter mlver``
and ``%mlver``: the same arguments, defaults and help, the same core calls, the same text.

The front doors differ only in how ``register`` finds its model (a path on the command
line; a variable or a path in a kernel, whose HEAD it may use) and in how they show a
``Result`` (text or ``--json`` on a terminal, a card in a notebook).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .core.records import Record
from .core.store import Store

EXAMPLES = """\
examples:
  {p} model register churn model.joblib --gate auc --alias staging -m "gbm, 200 trees"
  {p} model list
  {p} model show churn@production        (also churn, the latest, or churn:3)
  {p} model alias churn:3 production     (refused if its auc is worse than the holder's)
  {p} model alias churn:2 production --force --reason "rollback of the EU incident"
  {p} model rollback churn@production    (back to the version that held it before)
  {p} model history churn
"""
REGISTER_HELP = (
    "register a new version (1, 2, …) of a model: a file or directory, or in a notebook a "
    "fitted object saved in its library's own format"
)


@dataclass
class Result:
    """What a model command shows: its text, and its JSON (DESIGN's ``--json`` shapes)."""

    text: str
    json: Any


def declare(
    sub: Any, *, kernel: bool, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add the ``model`` group to a front door's subparsers; returns the group's parser."""
    prog = "%mlver" if kernel else "jupyter mlver"
    group: argparse.ArgumentParser = sub.add_parser(
        "model",
        help="the model registry: versions tied to snapshots, aliases with a history",
        description="The model registry: versions of a model tied to the snapshot that made "
        "them, aliases (production, staging, any name) whose every move is kept, and a guard "
        "on production.",
        epilog=EXAMPLES.format(p=prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group.set_defaults(model_action=None, model_parser=group)
    actions = group.add_subparsers(dest="model_command", metavar="ACTION")

    def action(name: str, run: Callable[..., Result], help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(
            name, parents=list(parents), help=help_text, description=help_text
        )
        p.set_defaults(model_action=run)
        return p

    p = action("register", _register, REGISTER_HELP)
    p.add_argument("name", help="the model's name: lower-case letters, digits, . _ -")
    p.add_argument(
        "source",
        metavar="VARIABLE_OR_PATH" if kernel else "PATH",
        help="a variable holding a fitted model, or a model file or directory"
        if kernel
        else "a model file or directory",
    )
    p.add_argument(
        "--snapshot",
        metavar="REF",
        help="the snapshot it came from (default: "
        + (
            "this notebook's HEAD, or a new snapshot when cells ran since)"
            if kernel
            else "the latest snapshot, or a new one when there is none)"
        ),
    )
    p.add_argument("--alias", metavar="ALIAS", action="append", default=[], help="move ALIAS to it")
    p.add_argument(
        "--gate",
        metavar="METRIC",
        help="the metric guarding production (from each version's snapshot; "
        "kept for later versions)",
    )
    p.add_argument("--gate-lower", action="store_true", help="lower METRIC is better")
    p.add_argument("-m", "--message", default="", help="a description of this version")
    p.add_argument(
        "--flavor",
        choices=["sklearn", "xgboost", "lightgbm", "torch", "cloudpickle", "file"],
        help="how to load it (default: detected from the object or the file)",
    )
    if kernel:
        p.add_argument(
            "--serializer",
            choices=["joblib", "skops", "cloudpickle"],
            help="scikit-learn's format (default joblib; skops loads safely)",
        )
    p.add_argument(
        "--example",
        metavar="VARIABLE_OR_PATH" if kernel else "PATH",
        help="example input for the signature (column names and dtypes): "
        + ("a DataFrame, array or dict, or " if kernel else "")
        + "a .csv, .json, .jsonl or .parquet file",
    )
    _force(p)

    action("list", _list, "every model, its latest version and its aliases")

    p = action("show", _show, "one version: NAME (the latest), NAME:VERSION or NAME@ALIAS")
    p.add_argument("ref", help="NAME, NAME:VERSION or NAME@ALIAS")

    p = action(
        "alias",
        _alias,
        "point an alias at a version; production only takes a version whose gate metric "
        "is no worse than its holder's",
    )
    p.add_argument("ref", help="the version: NAME:VERSION, NAME@ALIAS or NAME (the latest)")
    p.add_argument("alias", help="production, staging, or any name")
    _force(p)

    p = action("rollback", _rollback, "move NAME@ALIAS back to the version that held it before")
    p.add_argument("ref", metavar="NAME@ALIAS")
    p.add_argument("--reason", metavar="TEXT", help="why (kept in the history)")

    p = action("history", _history, "every alias move of a model, oldest first")
    p.add_argument("name")
    p.add_argument("--alias", metavar="ALIAS", help="only this alias")
    return group


def _force(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force", action="store_true", help="override the guard's refusal (needs --reason)"
    )
    p.add_argument("--reason", metavar="TEXT", help="why (kept in the alias history)")


#: How a front door registers: (store opener, args) -> (store, record); it owns the store.
Register = Callable[[argparse.Namespace], tuple[Store, Record]]
OpenStore = Callable[[], Store]


def run(args: argparse.Namespace, open_store: OpenStore, register: Register) -> Result:
    """Run the model action ``args`` name (the group's help when none was named)."""
    if args.model_action is _register:
        store, record = register(args)
        with store:
            return registered(store, record)
    with open_store() as store:
        result: Result = args.model_action(store, args)
        return result


def _register(store: Store, args: argparse.Namespace) -> Result:  # pragma: no cover
    raise AssertionError("register runs through the front door's Register")


def registered(store: Store, record: Record) -> Result:
    from .core.models import aliases as al
    from .display_models import format_registered

    held = [a for a, v in al.holders(store, record["name"]).items() if v == record["version"]]
    return Result(format_registered(record, held), record)


def _list(store: Store, args: argparse.Namespace) -> Result:
    from .core.models import registry
    from .display_models import format_model_list

    models = registry.list_models(store)
    return Result(format_model_list(models), {"models": models})


def _show(store: Store, args: argparse.Namespace) -> Result:
    from .core.models import aliases as al
    from .core.models import registry
    from .display_models import format_model

    record = registry.resolve(store, args.ref)
    held = [a for a, v in al.holders(store, record["name"]).items() if v == record["version"]]
    snapshot = store.get(record["snapshot"]) if store.index.has(record["snapshot"]) else None
    return Result(format_model(record, held, snapshot), record)


def _alias(store: Store, args: argparse.Namespace) -> Result:
    from .core.models import aliases as al
    from .core.models import registry
    from .core.models.refs import parse_ref
    from .display_models import format_event

    before = al.holder(store, parse_ref(args.ref).name, args.alias)
    event = registry.move_alias(store, args.ref, args.alias, force=args.force, reason=args.reason)
    if before is not None and before.id == event["id"]:
        return Result(f"{event['model']}@{event['alias']} is already {event['version']}", event)
    return Result(format_event(event), event)


def _rollback(store: Store, args: argparse.Namespace) -> Result:
    from .core.models import registry
    from .display_models import format_event

    event = registry.rollback(store, args.ref, reason=args.reason)
    return Result(format_event(event), event)


def _history(store: Store, args: argparse.Namespace) -> Result:
    from .core.models import registry
    from .display_models import format_history

    events = registry.history(store, args.name, args.alias)
    return Result(format_history(events), {"events": events})
