"""``jupyter mlver remote|push|pull``: the command line over ``core.remote``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import open_store, print_json

EPILOG = """\
examples:
  jupyter mlver remote add origin s3://team-bucket/mlver
  jupyter mlver remote add minio s3://bucket/mlver -o endpoint_url=http://127.0.0.1:9000
  jupyter mlver remote add shared /mnt/team/mlver --default
  jupyter mlver push                  (every record to the default remote)
  jupyter mlver push origin v1.0      (one snapshot, its tags and what it references)
  jupyter mlver pull origin 3f2a --no-data

Credentials come from the storage library's usual sources (AWS_PROFILE, AWS_ACCESS_KEY_ID,
GOOGLE_APPLICATION_CREDENTIALS, an ssh agent, ...), never from config.toml.
"""


def _progress(**kw: Any) -> Any:
    from tqdm import tqdm

    return tqdm(disable=None, **kw)  # None: no bar unless stderr is a terminal


def cmd_remote_add(args: argparse.Namespace) -> int:
    from ..core.remote import add_remote, parse_options

    with open_store(args, create=True) as store:
        remote = add_remote(
            store, args.name, args.url, parse_options(args.option), default=args.default
        )
    if args.json:
        print_json(remote.to_json())
    else:
        print(f"added remote {remote.name}: {remote.url}")
    return 0


def cmd_remote_list(args: argparse.Namespace) -> int:
    from ..core.remote import list_remotes

    with open_store(args) as store:
        remotes = list_remotes(store)
        default = None
        if remotes:
            from ..core.remote import get_remote

            try:
                default = get_remote(store).name
            except Exception:  # several remotes and none marked: there is no default
                default = None
    if args.json:
        print_json([{**r.to_json(), "default": r.name == default} for r in remotes])
        return 0
    if not remotes:
        print("no remotes (add one with `jupyter mlver remote add NAME URL`)")
    for r in remotes:
        options = (
            "  " + " ".join(f"{k}={v}" for k, v in sorted(r.options.items())) if r.options else ""
        )
        print(f"{'*' if r.name == default else ' '} {r.name}\t{r.url}{options}")
    return 0


def cmd_remote_remove(args: argparse.Namespace) -> int:
    from ..core.remote import remove_remote

    with open_store(args) as store:
        remote = remove_remote(store, args.name)
    if args.json:
        print_json(remote.to_json())
    else:
        print(f"removed remote {remote.name} ({remote.url}); nothing on it was deleted")
    return 0


def _transfer(args: argparse.Namespace, direction: str) -> int:
    from ..core import remote as core_remote

    with open_store(args, create=direction == "pull") as store:
        name, refs = core_remote.split_target(store, args.target)
        call = core_remote.push if direction == "push" else core_remote.pull
        options: dict[str, Any] = {"verify": args.verify} if direction == "push" else {}
        result = call(
            store,
            name,
            refs,
            data=args.data,
            jobs=args.jobs,
            progress=None if args.json else _progress,
            **options,
        )
    if args.json:
        print_json(result.to_json())
    else:
        for line in result.warnings:
            print(f"warning: {line}", file=sys.stderr)
        for line in result.problems[1:]:  # the first one is the error line below
            print(f"problem: {line}", file=sys.stderr)
        print(result.summary())
    result.raise_for_problems()
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    return _transfer(args, "push")


def cmd_pull(args: argparse.Namespace) -> int:
    return _transfer(args, "pull")


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``remote``, ``push`` and ``pull`` to ``build_parser()``'s subparsers."""
    p = sub.add_parser(
        "remote",
        help="manage remotes (object storage, paths)",
        description="Remotes are kept in .mlver/config.toml; credentials never.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rsub = p.add_subparsers(dest="remote_command", metavar="ACTION", required=True)
    a = rsub.add_parser("add", parents=[common], help="add a remote: NAME URL")
    a.add_argument("name")
    a.add_argument("url", help="a path or an fsspec URL: s3://, gs://, az://, ssh://, file://")
    a.add_argument(
        "-o",
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a storage option for fsspec, e.g. endpoint_url=http://127.0.0.1:9000 "
        "(repeatable; dotted keys nest: client_kwargs.region_name=eu-west-1)",
    )
    a.add_argument(
        "--default", action="store_true", help="push and pull use it when no remote is named"
    )
    a.set_defaults(handler=cmd_remote_add)
    rsub.add_parser(
        "list", parents=[common], help="list remotes (* marks the default)"
    ).set_defaults(handler=cmd_remote_list)
    r = rsub.add_parser(
        "remove", parents=[common], help="forget a remote (nothing on it is deleted)"
    )
    r.add_argument("name")
    r.set_defaults(handler=cmd_remote_remove)

    for direction, handler, text in (
        (
            "push",
            cmd_push,
            "send records and the objects they need to a remote; what is "
            "already there is not sent again",
        ),
        (
            "pull",
            cmd_pull,
            "fetch records and the objects they need from a remote, each "
            "verified by its blake3, and add them to the index",
        ),
    ):
        p = sub.add_parser(
            direction,
            parents=[common],
            help=text,
            description=text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument(
            "target",
            nargs="*",
            metavar="NAME|REF",
            help="a remote (default: the default remote), then refs: a tag or an "
            "id prefix"
            + (", HEAD or HEAD~N" if direction == "push" else "")
            + " (default: every record)",
        )
        p.add_argument(
            "--data",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="include stored copies of data files (default: yes)",
        )
        p.add_argument(
            "-j",
            "--jobs",
            type=_jobs,
            default=None,
            metavar="N",
            help="parallel transfers (default: 4 per core, 8 to 32)",
        )
        if direction == "push":
            p.add_argument(
                "--verify",
                action="store_true",
                help="ask the remote about every object instead of trusting "
                "what this store remembers pushing",
            )
        p.set_defaults(handler=handler)
