"""``%mlver``: one Magics class, one argument-parser tree, display objects as results."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from . import display
from .config import Mlver
from .core.errors import InvalidInput, MlverError
from .core.params import parse_assignments
from .kernel import KernelSession, SnapshotRequest, open_store, session_for, take_kernel_snapshot

EXAMPLES = """\
examples:
  %mlver snapshot -m "baseline" --data data/ --param lr=0.01 --metric acc=0.93
  %mlver log acc=0.91 loss=0.27          (metrics; --param K=V for parameters)
  %mlver status                          (what the next snapshot would record)
  %mlver list                            (this notebook's snapshots; --all for every one)
  %mlver show HEAD~1                     (also a tag or an id prefix of 4+ hex digits)
  %mlver tag HEAD best
  %mlver snapshot --state model X_test   (pickle variables; %mlver restore REF [NAME ...])
  %mlver diff HEAD~1 HEAD                (what changed: params, metrics, data, packages, cells)
  %mlver checkout v1 data/               (restore data files of a snapshot from the store)
  %mlver reproduce HEAD                  (re-run the notebook in its image, compare metrics)
  %mlver model register churn clf --gate auc --example X_test  (a fitted model's version)
  %mlver model alias churn:2 production  (guarded: refused if its auc is worse)
"""


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


Handler = Callable[["MlverMagics", argparse.Namespace], Any]


def build_parser() -> _Parser:
    root = _Parser(
        prog="%mlver",
        description="Versioned, reproducible experiments from the "
        "notebook: snapshots of notebook state, data, packages and git.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Handler, help_text: str) -> _Parser:
        p: _Parser = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add(
        "snapshot",
        MlverMagics.cmd_snapshot,
        "record this notebook's experiment: the "
        "notebook, executed cells, params, metrics, data read and written, packages, git",
    )
    p.add_argument("-m", "--message", default="", help="what this experiment is")
    p.add_argument(
        "--data",
        metavar="PATH",
        action="append",
        default=[],
        help="a data file or directory to hash and keep (repeatable)",
    )
    p.add_argument("--tag", metavar="NAME", action="append", default=[], help="a unique tag")
    p.add_argument("--param", metavar="K=V", action="append", default=[], help="a parameter")
    p.add_argument("--metric", metavar="K=V", action="append", default=[], help="a metric")
    p.add_argument(
        "--state",
        metavar="NAME",
        nargs="*",
        default=None,
        help="pickle these variables into the store (all picklable ones if no name)",
    )
    p.add_argument(
        "--no-lineage",
        action="store_true",
        help="do not record the files the kernel read and wrote",
    )
    p.add_argument("--notebook", metavar="PATH", help="the notebook file, when it is not found")
    p.add_argument("--hash-only", action="store_true", help="keep data hashes, not copies")

    p = add(
        "log",
        MlverMagics.cmd_log,
        "collect metrics (K=V) and parameters (--param K=V) "
        "for the next snapshot; a metric logged again keeps the series",
    )
    p.add_argument("values", metavar="K=V", nargs="*", help="metrics")
    p.add_argument("--param", metavar="K=V", action="append", default=[], help="a parameter")
    p.add_argument("--metric", metavar="K=V", action="append", default=[], help="a metric")

    p = add("list", MlverMagics.cmd_list, "list this notebook's snapshots, newest first")
    p.add_argument("-n", type=int, default=20, metavar="N", help="show at most N (0: all)")
    p.add_argument("--all", action="store_true", help="every snapshot in the store")

    p = add("show", MlverMagics.cmd_show, "show one snapshot")
    p.add_argument(
        "ref",
        nargs="?",
        default="HEAD",
        help="HEAD (default), HEAD~N, a tag, or an id prefix of 4+ hex digits",
    )

    p = add("tag", MlverMagics.cmd_tag, "give a snapshot a unique name")
    p.add_argument("ref", help="the snapshot")
    p.add_argument("name", help="the tag")

    add("status", MlverMagics.cmd_status, "what the next snapshot would record")

    p = add(
        "restore",
        MlverMagics.cmd_restore,
        "load variables pickled with --state back into the namespace",
    )
    p.add_argument("ref", help="the snapshot")
    p.add_argument("names", metavar="NAME", nargs="*", help="only these (default: all)")
    _add_compare_commands(add)
    _add_env_commands(sub)
    from .model_commands import declare

    declare(sub, kernel=True).set_defaults(handler=MlverMagics.cmd_model)
    for name, handler, verb in (
        ("push", MlverMagics.cmd_push, "send"),
        ("pull", MlverMagics.cmd_pull, "fetch"),
    ):
        p = add(
            name,
            handler,
            f"{verb} snapshots and what they need to/from a remote "
            "(see `jupyter mlver remote add NAME URL`)",
        )
        p.add_argument(
            "target",
            metavar="[NAME] [REF ...]",
            nargs="*",
            help="a remote (default: the default one), then snapshots (default: all)",
        )
        p.add_argument(
            "--data",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="whether data file copies travel too (default: yes)",
        )
        p.add_argument("-j", "--jobs", type=int, metavar="N", help="transfers at once")
        if name == "push":
            p.add_argument(
                "--verify",
                action="store_true",
                help="ask the remote about every object instead of trusting the ledger",
            )
    return root


def _add_env_commands(sub: Any) -> None:
    """``env build|show|verify|dockerfile``: images of the kernel's environment."""
    env = sub.add_parser(
        "env",
        help="Docker images of this kernel's environment",
        description="Docker images of this kernel's environment",
    )
    env.set_defaults(handler=MlverMagics.cmd_env_help)
    actions = env.add_subparsers(dest="env_command", metavar="ACTION", parser_class=_Parser)

    def ref(p: _Parser) -> None:
        p.add_argument(
            "ref",
            nargs="?",
            help="a snapshot (default: this notebook's HEAD, else the current environment)",
        )
        p.add_argument(
            "--current", action="store_true", help="the current environment, not a snapshot's"
        )

    p = actions.add_parser("build", help="build (or reuse) the image of a snapshot's environment")
    p.set_defaults(handler=MlverMagics.cmd_env_build)
    ref(p)
    p.add_argument("--tag", metavar="SEMVER", help="also tag <prefix><project>:SEMVER")
    p.add_argument("--base", metavar="IMAGE", help="base image (default python:<version>-slim)")
    p.add_argument("--push", metavar="REPO", help="push every tag to this repository")
    p.add_argument("--no-cache", action="store_true", help="build even if an image matches")
    p.add_argument(
        "--online", action="store_true", help="install from the package index inside the build"
    )
    p.add_argument("--dry-run", action="store_true", help="write the context, build nothing")

    p = actions.add_parser("show", help="the environment a build would use")
    p.set_defaults(handler=MlverMagics.cmd_env_show)
    ref(p)

    p = actions.add_parser("verify", help="compare an image's packages with its record")
    p.set_defaults(handler=MlverMagics.cmd_env_verify)
    p.add_argument("image", help="an image reference or id")
    p.add_argument("--against", metavar="REF", help="compare with this snapshot instead")

    p = actions.add_parser("dockerfile", help="write the build context and print the Dockerfile")
    p.set_defaults(handler=MlverMagics.cmd_env_dockerfile)
    ref(p)
    p.add_argument("--base", metavar="IMAGE", help="base image")
    p.add_argument("--online", action="store_true", help="install from the index in the build")
    p.add_argument("--output", metavar="DIR", help="where to write the context")


def _add_compare_commands(add: Callable[[str, Handler, str], _Parser]) -> None:
    """``diff``, ``checkout`` and ``reproduce`` (the same calls as ``jupyter mlver ...``)."""
    p = add(
        "diff",
        MlverMagics.cmd_diff,
        "compare two snapshots: params, metrics, data, packages, python, git, notebook cells",
    )
    p.add_argument("a", nargs="?", default="HEAD~1", help="the earlier one (default: HEAD~1)")
    p.add_argument("b", nargs="?", default="HEAD", help="the later one (default: HEAD)")

    p = add(
        "checkout",
        MlverMagics.cmd_checkout,
        "restore a snapshot's data files from the store; files whose content is in no "
        "snapshot are refused unless --force",
    )
    p.add_argument("ref", help="the snapshot")
    p.add_argument("paths", metavar="PATH", nargs="*", help="only these files or directories")
    p.add_argument("--force", action="store_true", help="overwrite unsnapshotted changes")
    p.add_argument(
        "--notebook",
        action="store_true",
        help="restore the notebook file too (JupyterLab then offers to reload it)",
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would be restored")

    p = add(
        "reproduce",
        MlverMagics.cmd_reproduce,
        "re-run a snapshot's notebook in a container of its environment image and compare "
        "the metrics it logs with the recorded ones",
    )
    p.add_argument("ref", nargs="?", default="HEAD", help="the snapshot (default: HEAD)")
    p.add_argument("--image", metavar="IMAGE", help="run in this image, build nothing")
    p.add_argument("--base", metavar="IMAGE", help="the base image if one is built")
    p.add_argument("--tolerance", metavar="REL", type=float, default=1e-9)
    p.add_argument("--abs-tolerance", metavar="ABS", type=float, default=0.0)
    p.add_argument("--timeout", metavar="SECONDS", type=int, default=1800)
    p.add_argument("--no-keep", action="store_true", help="do not record the run")


@magics_class
class MlverMagics(Magics):
    """Versioned, reproducible experiments. See ``%mlver -h`` and ``%mlver <command> -h``."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell=shell)
        self.settings = Mlver(parent=shell)
        self.session: KernelSession = session_for(shell)
        self.parser = build_parser()

    @line_magic
    def mlver(self, line: str) -> Any:
        try:
            args = self.parser.parse_args(shlex.split(line))
        except ValueError as e:  # an unclosed quote
            raise UsageError(f"cannot parse {line!r}: {e}") from None
        except _HelpShown:
            return None
        if args.command is None:
            self.parser.print_help()
            return None
        try:
            return args.handler(self, args)
        except InvalidInput as e:
            raise UsageError(str(e)) from None
        except MlverError as e:
            # An expected failure: one red line with a hint, never a traceback.
            print(f"mlver: {e}", file=sys.stderr)
            return None

    # -- commands -----------------------------------------------------------------

    def cmd_snapshot(self, args: argparse.Namespace) -> display.View:
        request = SnapshotRequest(
            message=args.message,
            data=args.data,
            tags=args.tag,
            state=args.state,
            params=parse_assignments(args.param, "--param"),
            metrics=parse_assignments(args.metric, "--metric", series=True),
            lineage=not args.no_lineage,
            notebook=args.notebook,
            hash_only=args.hash_only,
        )
        store, record = take_kernel_snapshot(
            self.session, self.settings, request, progress=display.progress_bar
        )
        with store:
            return display.SnapshotCard(
                record, store.index.tags_of(record["id"]), store.get(record["environment"])
            )

    def cmd_log(self, args: argparse.Namespace) -> display.View:
        metrics = parse_assignments([*args.values, *args.metric], "K=V", series=True)
        params = parse_assignments(args.param, "--param")
        if not metrics and not params:
            raise UsageError("nothing to log: give K=V metrics or --param K=V")
        self.session.log(params=params, metrics=metrics)
        pending = self.session.pending_metrics()
        return display.Message(
            f"logged {len(metrics)} metric(s) and {len(params)} param(s) for the next snapshot",
            [
                f"params   {display.format_assignments(self.session.params)}",
                f"metrics  {display.format_assignments(pending)}",
            ],
        )

    def _store_and_notebook(self) -> tuple[Any, str | None]:
        nb = self.session.notebook_path()
        store = open_store(self.settings, nb)
        return store, store.relpath(nb) if nb else None

    def cmd_list(self, args: argparse.Namespace) -> display.View:
        from .core.index import ALL

        if args.n < 0:
            raise UsageError("-n must be 0 or more")
        store, notebook = self._store_and_notebook()
        with store:
            scope: object = ALL if args.all or notebook is None else notebook
            rows, total = store.index.snapshots(notebook=scope, limit=args.n or None)
            label = "all notebooks" if scope is ALL else str(notebook)
            return display.SnapshotList(rows, total, label)

    def _resolve(self, store: Any, ref: str, notebook: str | None) -> str:
        from .core.index import ALL

        scope: object = notebook if notebook is not None else ALL
        return str(store.resolve(ref, scope))

    def cmd_show(self, args: argparse.Namespace) -> display.View:
        store, notebook = self._store_and_notebook()
        with store:
            record = store.get(self._resolve(store, args.ref, notebook))
            images = [store.get(i) for i in store.index.images_of(record["id"])]
            return display.SnapshotCard(
                record, store.index.tags_of(record["id"]), store.get(record["environment"]), images
            )

    def cmd_tag(self, args: argparse.Namespace) -> display.View:
        store, notebook = self._store_and_notebook()
        with store:
            snapshot = self._resolve(store, args.ref, notebook)
            store.add_tag(snapshot, args.name)
            return display.Message(f"tagged {snapshot[:12]} as {args.name}")

    def cmd_status(self, args: argparse.Namespace) -> display.View:
        from .core.capture import notebook as nbcapture
        from .kernel import notebook_document

        with self.session.lineage.paused():
            doc = notebook_document(self.session, None, consume=False)
            store = open_store(self.settings, doc.path if doc else None)
        with store, self.session.lineage.paused():
            import json
            import os

            roles: dict[Path, str] = {}
            if self.settings.lineage:
                roles = dict.fromkeys(self.session.inputs, "input")
                for path, role in self.session.lineage.peek(store.root):
                    roles[path] = "output" if role == "output" else roles.get(path, role)
            files = [
                (store.relpath(p), role, os.path.getsize(p))
                for p, role in roles.items()
                if p.is_file() and p != (doc.path if doc else None)
            ]
            warnings = nbcapture.analyse_execution(
                self.session.executions(), json.loads(doc.content) if doc else None
            )["warnings"]
            return display.StatusView(
                str(store.dir),
                store.relpath(doc.path) if doc and doc.path else None,
                doc.source if doc else None,
                dict(self.session.params),
                self.session.pending_metrics(),
                files,
                warnings,
            )

    def cmd_restore(self, args: argparse.Namespace) -> display.View:
        import cloudpickle

        store, notebook = self._store_and_notebook()
        with store:
            record = store.get(self._resolve(store, args.ref, notebook))
            state = record.get("state") or {}
            if not state:
                raise UsageError(
                    f"snapshot {record['id'][:12]} holds no variables "
                    "(take snapshots with --state to keep them)"
                )
            names = args.names or sorted(state)
            unknown = [n for n in names if n not in state]
            if unknown:
                raise UsageError(
                    f"snapshot {record['id'][:12]} has no variable "
                    f"{', '.join(unknown)}; it has {', '.join(sorted(state))}"
                )
            assert self.shell is not None
            for name in names:
                self.shell.user_ns[name] = cloudpickle.loads(store.objects.get_bytes(state[name]))
            return display.Message(f"restored {', '.join(names)} from {record['id'][:12]}")

    def cmd_diff(self, args: argparse.Namespace) -> display.View:
        from .core.diff import diff_snapshots
        from .display_diff import DiffView

        store, notebook = self._store_and_notebook()
        with store:
            a = self._resolve(store, args.a, notebook)
            b = self._resolve(store, args.b, notebook)
            return DiffView(diff_snapshots(store, a, b))

    def cmd_checkout(self, args: argparse.Namespace) -> display.View:
        from .core.checkout import checkout
        from .display_diff import CheckoutView

        store, notebook = self._store_and_notebook()
        with store, self.session.lineage.paused():  # restoring is not the experiment reading
            result = checkout(
                store,
                self._resolve(store, args.ref, notebook),
                args.paths,
                force=args.force,
                notebook=args.notebook,
                dry_run=args.dry_run,
            )
            return CheckoutView(result)

    def cmd_reproduce(self, args: argparse.Namespace) -> display.View:
        from .core.reproduce import ReproduceOptions, reproduce
        from .display_diff import ReproductionView

        options = ReproduceOptions(
            image=args.image,
            base=args.base,
            base_default=self.settings.base_image or None,
            prefix=self.settings.image_prefix,
            tolerance=args.tolerance,
            abs_tolerance=args.abs_tolerance,
            timeout=args.timeout,
            keep=not args.no_keep,
        )
        store, notebook = self._store_and_notebook()
        with store:
            # Progress lines stream into the cell's output while the build and run go on.
            result = reproduce(
                store,
                self._resolve(store, args.ref, notebook),
                options,
                log=lambda line: print(line, flush=True),
            )
            return ReproductionView(result)

    # -- push and pull --------------------------------------------------------------------

    def _transfer(self, args: argparse.Namespace, push: bool) -> display.View:
        from .core import remote
        from .core.index import ALL

        store, notebook = self._store_and_notebook()
        with store:
            name, refs = remote.split_target(store, args.target)
            if push:
                result = remote.push(
                    store,
                    name,
                    refs,
                    data=args.data,
                    jobs=args.jobs,
                    verify=args.verify,
                    progress=display.progress_bar,
                    notebook=notebook if notebook is not None else ALL,
                )
            else:
                result = remote.pull(
                    store, name, refs, data=args.data, jobs=args.jobs, progress=display.progress_bar
                )
            result.raise_for_problems()
            details = [f"warning: {w}" for w in result.warnings]
            return display.Message(result.summary(), details)

    def cmd_push(self, args: argparse.Namespace) -> display.View:
        return self._transfer(args, push=True)

    def cmd_pull(self, args: argparse.Namespace) -> display.View:
        return self._transfer(args, push=False)

    # -- env: images of the kernel's environment ------------------------------------------

    def _build_options(self, args: argparse.Namespace, notebook: str | None, **extra: Any) -> Any:
        from .core.images import BuildOptions
        from .core.index import ALL

        return BuildOptions(
            ref=args.ref,
            notebook=notebook if notebook is not None else ALL,
            current=args.current,
            base=args.base,
            online=args.online,
            prefix=self.settings.image_prefix,
            **extra,
        )

    def cmd_model(self, args: argparse.Namespace) -> display.View | None:
        from .model_commands import run

        if args.model_action is None:
            args.model_parser.print_help()
            return None
        result = run(args, lambda: self._store_and_notebook()[0], self._register_model)
        return display.TextResult(f"model {args.model_command}", result.text)

    def _register_model(self, args: argparse.Namespace) -> Any:
        from .core.models.signature import read_example
        from .kernel_models import RegisterRequest, register_in_kernel

        source, variable = self._variable_or_path(args.source, "model")
        example = None
        if args.example:
            example, _ = self._variable_or_path(args.example, "example")
            if isinstance(example, str):
                example = read_example(example)
        request = RegisterRequest(
            name=args.name,
            source=source,
            variable=variable,
            snapshot=args.snapshot,
            aliases=args.alias,
            gate=args.gate,
            gate_lower=args.gate_lower,
            description=args.message,
            flavor=args.flavor,
            serializer=args.serializer,
            example=example,
            force=args.force,
            reason=args.reason,
        )
        return register_in_kernel(self.session, self.settings, request)

    def _variable_or_path(self, word: str, what: str) -> tuple[Any, str | None]:
        """A user variable of that name, else an existing path (as a string)."""
        namespace: dict[str, Any] = self.shell.user_ns if self.shell is not None else {}
        if word.isidentifier() and word in namespace:
            return namespace[word], word
        if Path(word).exists():
            return word, None
        raise InvalidInput(
            f"no variable or path named {word!r} for the {what}",
            "name a variable of this notebook, or a file or directory",
        )

    def cmd_env_help(self, args: argparse.Namespace) -> None:
        self.parser.parse_args(["env", "-h"])

    def cmd_env_build(self, args: argparse.Namespace) -> display.View:
        from .core.images import BuildStepFailed, build_image

        store, notebook = self._store_and_notebook()
        options = self._build_options(
            args,
            notebook,
            tag=args.tag,
            push=args.push,
            no_cache=args.no_cache,
            dry_run=args.dry_run,
        )
        live = display.LiveProgress("environment image").start()
        with store:
            try:
                result = build_image(
                    store,
                    options,
                    progress=live.event,
                    base_default=self.settings.base_image or None,
                )
            except BuildStepFailed as e:
                live.finish(str(e), failed=True, log=list(e.tail))
                raise
            except MlverError as e:
                live.finish(str(e), failed=True)
                raise
            live.finish("reused" if result.reused else "done")
            return display.TextResult(result.image or "build context", result.to_text())

    def cmd_env_show(self, args: argparse.Namespace) -> display.View:
        from .core.images import show_environment
        from .core.index import ALL

        store, notebook = self._store_and_notebook()
        with store:
            view = show_environment(
                store,
                args.ref,
                current=args.current,
                notebook=notebook if notebook is not None else ALL,
            )
            return display.TextResult("environment", view.to_text())

    def cmd_env_verify(self, args: argparse.Namespace) -> display.View:
        from .core.images import DockerEngine, verify_image

        store, _ = self._store_and_notebook()
        with store:
            result = verify_image(store, DockerEngine.connect(), args.image, against=args.against)
            return display.TextResult(f"verify {args.image}", result.to_text(), result.identical)

    def cmd_env_dockerfile(self, args: argparse.Namespace) -> display.View:
        from .core.images import build_image

        store, notebook = self._store_and_notebook()
        options = self._build_options(
            args, notebook, dry_run=True, output=Path(args.output) if args.output else None
        )
        with store:
            result = build_image(store, options, base_default=self.settings.base_image or None)
            return display.TextResult(
                f"Dockerfile (context in {result.context_dir})", result.dockerfile
            )


def _help_text() -> str:
    return build_parser().format_help()


MlverMagics.mlver.__doc__ = _help_text()


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
    return magics


def unload(shell: Any) -> None:
    session = session_for(shell)
    session.lineage.active = False
    for event, callback in _events(session):
        if callback in shell.events.callbacks[event]:
            shell.events.unregister(event, callback)


def _events(session: KernelSession) -> list[tuple[str, Callable[[Any], None]]]:
    return [("pre_run_cell", session.pre_run_cell), ("post_run_cell", session.post_run_cell)]


__all__ = ["MlverMagics", "Path", "build_parser", "load", "unload"]
