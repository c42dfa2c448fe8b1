"""``jupyter mlver model register|list|show|alias|rollback|history`` (see ``model_commands``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput
from ..core.records import Record
from ..core.store import Store
from .common import load_settings, open_store, print_json


def cmd_model(args: argparse.Namespace) -> int:
    from ..model_commands import run

    if args.model_action is None:
        args.model_parser.print_help()
        return 2
    settings = load_settings()

    def register(a: argparse.Namespace) -> tuple[Store, Record]:
        return _register(a, settings)

    result = run(args, lambda: open_store(args, settings=settings), register)
    if args.json:
        print_json(result.json)
    else:
        print(result.text)
    return 0


def _register(args: argparse.Namespace, settings: Any) -> tuple[Store, Record]:
    """A model file or directory; its snapshot is ``--snapshot``, else the latest, else new."""
    from ..core.index import ALL
    from ..core.models import aliases as al
    from ..core.models import registry
    from ..core.models.artifacts import prepare_path
    from ..core.models.records import check_gate
    from ..core.models.refs import check_alias, check_name
    from ..core.models.signature import infer_signature, read_example
    from ..core.snapshot import SnapshotOptions, take_snapshot

    check_name(args.name)
    aliases = [check_alias(a) for a in args.alias]
    gate = check_gate(args.gate, args.gate_lower)
    al.check_force(args.force, args.reason)
    if not Path(args.source).exists():  # before a store is created for nothing
        raise InvalidInput(
            f"model path {args.source!r} does not exist",
            "give a model file or directory (relative to the current directory)",
        )
    signature = infer_signature(read_example(args.example)) if args.example else None
    store = open_store(args, create=True, settings=settings)
    try:
        prepared = prepare_path(store, args.source, args.flavor)
        try:
            if args.snapshot:
                snapshot = store.resolve(args.snapshot)
            else:
                snapshot = store.index.latest(ALL) or str(
                    take_snapshot(
                        store,
                        SnapshotOptions(
                            message=f"model {args.name}",
                            env_vars=settings.env_vars,
                            git_limits=settings.git_limits,
                        ),
                    )["id"]
                )
            record = registry.register(
                store,
                args.name,
                prepared,
                snapshot=snapshot,
                gate=gate,
                description=args.message,
                aliases=aliases,
                signature=signature,
                force=args.force,
                reason=args.reason,
            )
        finally:
            prepared.cleanup()
    except BaseException:
        store.close()
        raise
    return store, record


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from ..model_commands import declare

    group = declare(sub, kernel=False, parents=[common])
    group.set_defaults(handler=cmd_model)
