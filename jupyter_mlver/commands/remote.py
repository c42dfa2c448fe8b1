"""``remote add|list|remove``, ``push``, ``pull``: sharing a store through object storage."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..views.remote import html, text
from .context import Context
from .spec import Arg, Command, Entry, Group, arg, jobs_arg

if TYPE_CHECKING:
    from ..core.remote import Remote, TransferResult
    from ..core.remote.config import RemoteList

CREDENTIALS = """\
Credentials come from the storage library's usual sources (AWS_PROFILE, AWS_ACCESS_KEY_ID,
GOOGLE_APPLICATION_CREDENTIALS, an ssh agent, ...), never from config.toml."""


def _add(ctx: Context, args: argparse.Namespace) -> Remote:
    from ..core.remote import add_remote, parse_options

    with ctx.open_store(create=True) as store:
        return add_remote(
            store, args.name, args.url, parse_options(args.option), default=args.default
        )


def _list(ctx: Context, args: argparse.Namespace) -> RemoteList:
    from ..core.errors import MlverError
    from ..core.remote import get_remote, list_remotes
    from ..core.remote.config import RemoteList

    with ctx.open_store() as store:
        remotes = list_remotes(store)
        try:
            default = get_remote(store).name if remotes else None
        except MlverError:  # several remotes and none marked: there is no default
            default = None
    return RemoteList(remotes, default)


def _remove(ctx: Context, args: argparse.Namespace) -> Remote:
    from ..core.remote import remove_remote

    with ctx.open_store() as store:
        return remove_remote(store, args.name)


REMOTE = Group(
    name="remote",
    help="manage remotes (object storage, paths)",
    description="Remotes are kept in .mlver/config.toml; credentials never.",
    notes=CREDENTIALS,
    commands=[
        Command(
            name="add",
            help="add a remote: NAME URL",
            run=_add,
            text=text.remote_added,
            html=html.remote_added,
            args=[
                arg("name", help="the remote's name in this store (origin, team, ...)"),
                arg("url", help="a path or an fsspec URL: s3://, gs://, az://, ssh://, file://"),
                arg(
                    "-o",
                    "--option",
                    metavar="KEY=VALUE",
                    action="append",
                    default=[],
                    help="a storage option for fsspec, e.g. endpoint_url=http://127.0.0.1:9000 "
                    "(repeatable; dotted keys nest: client_kwargs.region_name=eu-west-1)",
                ),
                arg(
                    "--default",
                    action="store_true",
                    help="push and pull use it when no remote is named",
                ),
            ],
            examples=[
                ("remote add origin s3://team-bucket/mlver", ""),
                ("remote add minio s3://bucket/mlver -o endpoint_url=http://127.0.0.1:9000", ""),
                ("remote add shared /mnt/team/mlver --default", ""),
            ],
        ),
        Command(
            name="list",
            help="list remotes (* marks the default)",
            run=_list,
            text=text.remotes,
            html=html.remotes,
            json=lambda listing: [
                {**r.to_json(), "default": r.name == listing.default} for r in listing.remotes
            ],
        ),
        Command(
            name="remove",
            help="forget a remote (nothing on it is deleted)",
            run=_remove,
            text=text.remote_removed,
            html=html.remote_removed,
            args=[arg("name", help="the remote to forget")],
        ),
    ],
)


def _transfer(ctx: Context, args: argparse.Namespace, push: bool) -> TransferResult:
    from ..core import remote

    with ctx.open_store(create=not push) as store:
        name, refs = remote.split_target(store, args.target)
        progress = None if ctx.json else ctx.progress
        if push:
            return remote.push(
                store,
                name,
                refs,
                data=args.data,
                jobs=args.jobs,
                verify=args.verify,
                progress=progress,
                notebook=ctx.scope(store),
            )
        return remote.pull(store, name, refs, data=args.data, jobs=args.jobs, progress=progress)


def _transfer_args(refs: str) -> list[Arg]:
    return [
        arg(
            "target",
            nargs="*",
            metavar="NAME|REF",
            help="a remote (default: the default remote), then snapshots: "
            f"{refs} (default: every record)",
        ),
        arg(
            "--data",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="include stored copies of data files (default: yes)",
        ),
        jobs_arg("parallel transfers (default: 4 per core, 8 to 32)"),
    ]


def _check(r: TransferResult) -> None:
    r.raise_for_problems()


PUSH: Command[TransferResult] = Command(
    name="push",
    help="send records and the objects they need to a remote; what is already there is not "
    "sent again",
    run=lambda ctx, args: _transfer(ctx, args, push=True),
    text=text.transfer,
    html=html.transfer,
    check=_check,
    args=[
        *_transfer_args("a tag, an id prefix, HEAD or HEAD~N"),
        arg(
            "--verify",
            action="store_true",
            help="ask the remote about every object instead of trusting what this store "
            "remembers pushing",
        ),
    ],
    examples=[
        ("push", "every record to the default remote"),
        ("push origin v1.0", "one snapshot, its tags and what it references"),
    ],
)

PULL: Command[TransferResult] = Command(
    name="pull",
    help="fetch records and the objects they need from a remote, each verified by its "
    "blake3, and add them to the index",
    run=lambda ctx, args: _transfer(ctx, args, push=False),
    text=text.transfer,
    html=html.transfer,
    check=_check,
    args=_transfer_args("a tag or an id prefix"),
    examples=[("pull origin 3f2a --no-data", "one snapshot without its data copies")],
)

COMMANDS: list[Entry] = [REMOTE, PUSH, PULL]
