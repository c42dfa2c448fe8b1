"""``model register|list|versions|show|alias|rollback|history``: the model registry (``model build``
and ``model serve`` are in ``serving.py``).

``register`` takes a path in a terminal (the version comes from ``--snapshot``, else the latest
snapshot, else a new one) and a variable or a path in a notebook (this notebook's HEAD when
the kernel has not changed since, else a new snapshot).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..views.governance import html as health_html
from ..views.governance import text as health_text
from ..views.models import html
from ..views.models import text as views
from . import serving
from .context import Context
from .spec import Command, Group, arg

if TYPE_CHECKING:
    from ..core.governance.health import Health
    from ..core.models.aliases import AliasMove
    from ..core.models.detail import ModelVersion
    from ..core.models.options import RegistrationOptions
    from ..core.models.signature import Signature
    from ..core.models.versions import ModelHistory, ModelVersions

FLAVORS = ["sklearn", "xgboost", "lightgbm", "torch", "cloudpickle", "file"]


def _force_args() -> list[Any]:
    return [
        arg("--force", action="store_true", help="override the guard's refusal (needs --reason)"),
        arg("--reason", metavar="TEXT", help="why (kept in the alias history)"),
    ]


# -- register ----------------------------------------------------------------------------


def _options(args: argparse.Namespace, signature: Signature | None) -> RegistrationOptions:
    from ..core.models.options import RegistrationOptions
    from ..core.models.records import check_gate

    return RegistrationOptions(
        args.name,
        aliases=tuple(args.alias),
        gate=check_gate(args.gate, args.gate_lower),
        description=args.message,
        flavor=args.flavor,
        signature=signature,
        force=args.force,
        reason=args.reason,
    )


def _register(ctx: Context, args: argparse.Namespace) -> ModelVersion:
    from ..core.records import now

    started = now()
    detail = _register_here(ctx, args)
    # A new version is stamped now or later; an earlier one was returned as it was.
    detail.existing = detail.record["created"] < started
    return detail


def _register_here(ctx: Context, args: argparse.Namespace) -> ModelVersion:
    if ctx.session is not None:
        return _register_in_kernel(ctx, args)
    from ..core.models.detail import version_detail
    from ..core.models.registration import check_path, register_path
    from ..core.models.signature import infer_signature, read_example
    from ..core.snapshot.take import SnapshotOptions

    options = _options(args, None)
    check_path(args.source)
    example = read_example(args.example) if args.example else None
    if example is not None:
        options = replace(options, signature=infer_signature(example))
    new_snapshot = SnapshotOptions(
        message=f"model {args.name}",
        env_vars=ctx.settings.env_vars,
        git_limits=ctx.settings.git_limits,
    )
    with ctx.open_store(create=True) as store:
        record = register_path(
            store,
            args.source,
            options,
            snapshot=args.snapshot,
            new_snapshot=new_snapshot,
            example=example,
        )
        return version_detail(store, record)


def _register_in_kernel(ctx: Context, args: argparse.Namespace) -> ModelVersion:
    from ..core.models.detail import version_detail
    from ..core.models.signature import infer_signature, read_example
    from ..notebook.registration import RegisterRequest, register_in_kernel

    assert ctx.session is not None
    options = _options(args, None)
    namespace: dict[str, Any] = ctx.session.shell.user_ns if ctx.session.shell else {}
    source, variable = _variable_or_path(namespace, args.source, "model")
    example = None
    if args.example:
        example, _ = _variable_or_path(namespace, args.example, "example")
        if isinstance(example, str):
            example = read_example(example)
        options = replace(options, signature=infer_signature(example))
    request = RegisterRequest(
        source,
        options,
        variable=variable,
        snapshot=args.snapshot,
        serializer=args.serializer,
        example=example,
    )
    store, record = register_in_kernel(ctx.session, ctx.settings, request)
    with store:
        return version_detail(store, record)


def _variable_or_path(namespace: dict[str, Any], word: str, what: str) -> tuple[Any, str | None]:
    """A user variable of that name, else an existing path (as a string)."""
    from ..core.errors import InvalidInput

    if word.isidentifier() and word in namespace:
        return namespace[word], word
    if Path(word).exists():
        return word, None
    raise InvalidInput(
        f"no variable or path named {word!r} for the {what}",
        "name a variable of this notebook, or a file or directory",
    )


REGISTER: Command[ModelVersion] = Command(
    name="register",
    help="register a new version (1, 2, …) of a model: a file or directory, or in a notebook "
    "a fitted object saved in its library's own format; an artifact a version already has "
    "returns that version (nothing registered, aliases unchanged)",
    run=_register,
    text=views.registered,
    html=html.registered,
    json=lambda v: v.record,
    args=[
        arg("name", help="the model's name: lower-case letters, digits, . _ -"),
        arg(
            "source",
            metavar="VARIABLE_OR_PATH",
            help="a model file or directory; in a notebook also a variable holding a model",
        ),
        arg(
            "--snapshot",
            metavar="REF",
            help="the snapshot it came from (default in a notebook: its HEAD, or a new "
            "snapshot when cells ran since; in a terminal: the latest, or a new one)",
        ),
        arg("--alias", metavar="ALIAS", action="append", default=[], help="move ALIAS to it"),
        arg(
            "--gate",
            metavar="METRIC",
            help="the metric guarding production, read from each version's snapshot "
            "(later versions keep it)",
        ),
        arg("--gate-lower", action="store_true", help="a lower METRIC is better"),
        arg("-m", "--message", default="", help="a description of this version"),
        arg("--flavor", choices=FLAVORS, help="how to load it (default: detected)"),
        arg(
            "--serializer",
            choices=["joblib", "skops", "cloudpickle"],
            kernel_only=True,
            help="scikit-learn's format (default joblib; skops loads safely)",
        ),
        arg(
            "--example",
            metavar="VARIABLE_OR_PATH",
            help="an example input for the signature (column names and dtypes): a .csv, "
            ".json, .jsonl or .parquet file; in a notebook also a DataFrame, array or dict",
        ),
        *_force_args(),
    ],
    examples=[
        (
            'model register churn model.joblib --gate auc --alias staging -m "200 trees"',
            "a file; in a notebook also a variable",
        ),
    ],
)


# -- the others --------------------------------------------------------------------------


def _list(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    from ..core.models import registry

    with ctx.open_store() as store:
        return registry.list_models(store)


LIST: Command[list[dict[str, Any]]] = Command(
    name="list",
    help="every model, its latest version and its aliases",
    run=_list,
    text=views.models,
    html=html.models,
    json=lambda models: {"models": models},
    examples=[("model list", "")],
)


def _show(ctx: Context, args: argparse.Namespace) -> ModelVersion:
    from ..core.models import registry
    from ..core.models.detail import version_detail

    with ctx.open_store() as store:
        return version_detail(store, registry.resolve(store, args.ref))


SHOW: Command[ModelVersion] = Command(
    name="show",
    help="one version: NAME (the latest), NAME:VERSION or NAME@ALIAS, with its serving images",
    run=_show,
    text=views.version,
    html=html.version,
    json=lambda v: v.record,
    args=[arg("ref", help="NAME, NAME:VERSION or NAME@ALIAS")],
    examples=[("model show churn@production", "also churn (the latest) or churn:3")],
)


def _alias(ctx: Context, args: argparse.Namespace) -> AliasMove:
    from ..core.models import aliases as al
    from ..core.models import registry
    from ..core.models.aliases import AliasMove
    from ..core.models.refs import parse_ref

    with ctx.open_store() as store:
        before = al.holder(store, parse_ref(args.ref).name, args.alias)
        event = registry.move_alias(
            store, args.ref, args.alias, force=args.force, reason=args.reason
        )
        return AliasMove(event, moved=before is None or before.id != event["id"])


ALIAS: Command[AliasMove] = Command(
    name="alias",
    help="point an alias at a version; production only takes a version whose gate metric "
    "is no worse than its holder's",
    run=_alias,
    text=views.alias_move,
    html=html.alias_move,
    json=lambda m: m.event,
    args=[
        arg("ref", help="the version: NAME:VERSION, NAME@ALIAS or NAME (the latest)"),
        arg("alias", help="production, staging, or any name"),
        *_force_args(),
    ],
    examples=[
        ("model alias churn:3 production", "refused if its auc is worse than the holder's"),
        ('model alias churn:2 production --force --reason "EU incident"', ""),
    ],
)


def _rollback(ctx: Context, args: argparse.Namespace) -> AliasMove:
    from ..core.models import registry
    from ..core.models.aliases import AliasMove

    with ctx.open_store() as store:
        return AliasMove(registry.rollback(store, args.ref, reason=args.reason))


ROLLBACK: Command[AliasMove] = Command(
    name="rollback",
    help="move NAME@ALIAS back to the version that held it before its last move",
    run=_rollback,
    text=views.alias_move,
    html=html.alias_move,
    json=lambda m: m.event,
    args=[
        arg("ref", metavar="NAME@ALIAS", help="the alias to move back, e.g. churn@production"),
        arg("--reason", metavar="TEXT", help="why (kept in the history)"),
    ],
    examples=[("model rollback churn@production", "")],
)


def _history(ctx: Context, args: argparse.Namespace) -> ModelHistory:
    from ..core.models.versions import history

    with ctx.open_store() as store:
        return history(store, args.name, args.alias)


HISTORY: Command[ModelHistory] = Command(
    name="history",
    help="every alias move of a model, oldest first (merged across users: a concurrent move "
    "is marked), and its renumberings",
    run=_history,
    text=views.history,
    html=html.history,
    args=[
        arg("name", help="the model's name"),
        arg("--alias", metavar="ALIAS", help="only this alias"),
    ],
    examples=[("model history churn", "")],
)


def _versions(ctx: Context, args: argparse.Namespace) -> ModelVersions:
    from ..core.models.versions import list_versions

    with ctx.open_store() as store:
        return list_versions(store, args.name)


VERSIONS: Command[ModelVersions] = Command(
    name="versions",
    help="every version of a model: number, published or local, author, created, snapshot, "
    "aliases and gate metric",
    description="Every version of a model as this store numbers it. A local version's number "
    "is not claimed on a remote yet: the push that publishes it claims that number, or the "
    "next free one if a colleague published the same number first (and says so).",
    run=_versions,
    text=views.versions,
    html=html.versions,
    args=[arg("name", help="the model's name")],
    examples=[("model versions churn --json", "")],
)


def _health(ctx: Context, args: argparse.Namespace) -> Health:
    from ..core.engine.docker import DockerEngine
    from ..core.governance import governance
    from ..core.governance.health import Health
    from ..core.models.refs import check_name

    for name in args.name:
        check_name(name)
    connect = None if args.no_live else DockerEngine.connect
    with ctx.open_store() as store:
        return Health(governance(store, names=args.name or None, connect=connect), args.check)


HEALTH: Command[Health] = Command(
    name="health",
    help="the governance table: per model its version per alias, deployed since, metric and "
    "trend, data freshness, live drift, and a recommendation (retrain, roll back, ok)",
    description="The governance table: per model its version per alias, where and since when "
    "it is deployed, its metric (the gate, else [governance.models.NAME] metric, else its "
    "snapshot's first) and the metric's trend over the newest versions (a linear fit), the age "
    "of its snapshot and of its training data's newest file, the live drift share when it is "
    "served, and a recommendation with its reason: 'roll back' when a canary is worse than "
    "stable, 'retrain' when drift share >= 0.5 or the trend is falling, else 'ok'. The "
    "thresholds are [governance] settings in the store's config.toml (see docs/models.md).",
    run=_health,
    text=lambda h: health_text.governance(h.table),
    html=lambda h: health_html.governance(h.table),
    exit_code=lambda h: 1 if h.check and h.table.needs_action else 0,
    args=[
        arg("name", nargs="*", help="only these models (default: every one)"),
        arg("--check", action="store_true", help="exit 1 when any model is not 'ok'"),
        arg(
            "--no-live",
            action="store_true",
            help="leave out running deployments' live figures (no container engine asked)",
        ),
    ],
    examples=[
        ("model health", "every model"),
        ("model health churn --json --check", "exit 1 unless churn is ok"),
    ],
)

MODEL = Group(
    name="model",
    help="the model registry: versions tied to snapshots, aliases with a history",
    description="The model registry: versions of a model tied to the snapshot that made them, "
    "aliases (production, staging, any name) whose every move is kept, and a guard on "
    "production (the model's --gate metric).",
    commands=[
        REGISTER,
        LIST,
        VERSIONS,
        SHOW,
        ALIAS,
        ROLLBACK,
        HISTORY,
        HEALTH,
        *serving.COMMANDS,
    ],
)
