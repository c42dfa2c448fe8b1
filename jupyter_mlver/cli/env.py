"""``jupyter mlver env build|show|verify|dockerfile``: environment images from the command
line, over the same ``core.images`` calls as ``%mlver env``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import RecordNotFound
from ..core.store import Store
from .common import load_settings, open_store, print_json

if TYPE_CHECKING:  # the images core (and the docker SDK) load only when a command runs
    from ..core.images import BuildOptions, ProgressEvent

EPILOG = """\
examples:
  jupyter mlver env build --tag 1.2.0             the latest snapshot (HEAD), else the current env
  jupyter mlver env build HEAD~1 --push registry.example.com/team/project
  jupyter mlver env build --dry-run               write the build context, build nothing
  jupyter mlver env show HEAD
  jupyter mlver env verify project:1.2.0          exit 1 unless the packages are identical
  jupyter mlver env dockerfile > Dockerfile
"""


def _store(args: argparse.Namespace, settings: Any, create: bool) -> Store | None:
    """The store, or None when there is none yet (``env show`` still works then)."""
    try:
        return open_store(args, create=create, settings=settings)
    except RecordNotFound:
        return None


class _Progress:
    """Status lines on stderr, a bar over the build steps when stderr is a terminal, and
    the engine's raw log with ``--verbose``."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if event.log:
            if self.verbose:
                self._write(f"  | {event.message}")
            return
        if event.phase == "build" and event.total and self.tty:
            from tqdm import tqdm

            if self.bar is None:
                self.bar = tqdm(total=event.total, unit="step", file=sys.stderr, leave=False)
            self.bar.n = event.step or 0
            self.bar.set_description_str(" ".join(event.message.split())[:60])
            self.bar.refresh()
            return
        self._write(" ".join(event.message.split()) if event.phase == "build" else event.message)

    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _options(args: argparse.Namespace, settings: Any, dry_run: bool) -> BuildOptions:
    from ..core.images import BuildOptions

    return BuildOptions(
        ref=args.ref,
        current=args.current,
        tag=getattr(args, "tag", None),
        base=args.base,
        name=args.name,
        prefix=settings.image_prefix,
        push=getattr(args, "push", None),
        no_cache=getattr(args, "no_cache", False),
        online=args.online,
        dry_run=dry_run,
        output=Path(args.output) if args.output else None,
    )


def _build(args: argparse.Namespace, dry_run: bool) -> Any:
    from ..core.images import BuildStepFailed, build_image

    settings = load_settings()
    store = _store(args, settings, create=True)
    assert store is not None
    progress = _Progress(args.verbose)
    try:
        with store:
            return build_image(
                store,
                _options(args, settings, dry_run),
                progress=progress,
                base_default=settings.base_image or None,
            )
    except BuildStepFailed as e:
        progress.close()
        for line in e.tail:
            print(f"  | {line}", file=sys.stderr)
        raise
    finally:
        progress.close()


def cmd_build(args: argparse.Namespace) -> int:
    result = _build(args, dry_run=args.dry_run)
    if args.json:
        print_json(result.to_json())
    else:
        print(result.to_text())
    return 0


def cmd_dockerfile(args: argparse.Namespace) -> int:
    result = _build(args, dry_run=True)
    if args.json:
        print_json({**result.to_json(), "dockerfile": result.dockerfile})
    else:
        print(f"build context: {result.context_dir}", file=sys.stderr)
        sys.stdout.write(result.dockerfile)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..core.images import show_environment

    settings = load_settings()
    store = _store(args, settings, create=False)
    try:
        view = show_environment(store, args.ref, current=args.current)
    finally:
        if store is not None:
            store.close()
    if args.json:
        print_json(view.to_json())
    else:
        print(view.to_text())
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ..core.images import DockerEngine, verify_image

    settings = load_settings()
    store = _store(args, settings, create=False)
    try:
        engine = DockerEngine.connect()
        result = verify_image(store, engine, args.image, against=args.against)
    finally:
        if store is not None:
            store.close()
    if args.json:
        print_json(result.to_json())
    else:
        print(result.to_text())
    return 0 if result.identical else 1


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "ref",
        nargs="?",
        help="a snapshot: HEAD, HEAD~N, a tag or an id prefix "
        "(default: HEAD if there is a snapshot, else the current environment)",
    )
    p.add_argument(
        "--current",
        action="store_true",
        help="the current environment, even when there are snapshots (no project code)",
    )


def _image_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base",
        metavar="IMAGE",
        help="base image (default: c.Mlver.base_image, else python:<version>-slim)",
    )
    p.add_argument(
        "--name", metavar="NAME", help="image repository name (default: the project directory)"
    )
    p.add_argument(
        "--online",
        action="store_true",
        help="install index packages from the index inside the build "
        "(default: wheels resolved on this machine, no network in the build)",
    )
    p.add_argument(
        "--output",
        metavar="DIR",
        help="where to write the build context (default: .mlver/contexts/<id>)",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="stream pip's and the engine's output"
    )


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``env`` and its subcommands; each takes the common options (``--store``,
    ``--json``)."""
    env = subparsers.add_parser(
        "env",
        help="environment images: build, show, verify, dockerfile",
        description="Reproducible Docker images of an experiment's environment.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = env.add_subparsers(dest="env_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser(
        "build",
        parents=[common],
        help="build (or reuse) a tagged image of an environment and record it",
        description="Build a Docker image of a snapshot's environment, its code at the "
        "snapshot's commit and its notebook; reuse an image with the same inputs.",
    )
    _source_args(p)
    p.add_argument("--tag", metavar="SEMVER", help="also tag the image <name>:<SEMVER>")
    _image_args(p)
    p.add_argument("--push", metavar="REPO", help="push every tag to this repository")
    p.add_argument(
        "--no-cache", action="store_true", help="build from scratch: no reuse, no layer cache"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="write the build context and Dockerfile only"
    )
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser(
        "show",
        parents=[common],
        help="show an environment and the images built for it",
        description="Show the environment `env build` would use, and its images.",
    )
    _source_args(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "verify",
        parents=[common],
        help="compare the packages in an image with its record (exit 1 if they differ)",
        description="Run a small script in a container of IMAGE that lists its "
        "distributions, and compare them with the environment the image was built from.",
    )
    p.add_argument("image", help="name:tag, image id, Image record id, or a snapshot ref")
    p.add_argument(
        "--against", metavar="REF", help="compare with this snapshot's environment instead"
    )
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "dockerfile",
        parents=[common],
        help="write the build context and print the Dockerfile",
        description="Write the build context (Dockerfile, lock, wheels, code, notebook) "
        "and print the Dockerfile; the context path goes to stderr.",
    )
    _source_args(p)
    _image_args(p)
    p.set_defaults(handler=cmd_dockerfile)
