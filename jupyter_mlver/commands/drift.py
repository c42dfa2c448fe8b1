"""``drift``: data drift of a snapshot's tabular files (core/drift)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..views.drift import html, text
from .context import Context
from .spec import Command, Entry, arg
from .store import HEAD_HELP, REF_HELP

if TYPE_CHECKING:
    from ..core.drift import DriftReport
    from ..core.records import DriftReportJson


@dataclass(frozen=True)
class DriftResult:
    """The report, and whether the command should fail when a table drifted (--check)."""

    report: DriftReport
    check: bool = False

    def to_json(self) -> DriftReportJson:
        return self.report.to_json()

    @property
    def exit_code(self) -> int:
        return 1 if self.check and self.report.drifted else 0


def _drift(ctx: Context, args: argparse.Namespace) -> DriftResult:
    from ..core.drift import DriftOptions, drift_snapshot

    options = DriftOptions.parse(
        tests=args.test,
        thresholds=args.threshold,
        types=args.types,
        columns=args.columns,
        drift_share=args.drift_share,
    )
    with ctx.open_store() as store:
        scope = ctx.scope(store)
        ref = store.resolve(args.ref, scope)
        other = store.resolve(args.other, scope) if args.other else None
        report = drift_snapshot(
            store,
            ref,
            other,
            paths=args.path,
            current=args.current,
            options=options,
            # Histograms are for the notebook's view; JSON and text leave them out.
            histograms=ctx.session is not None and not ctx.json,
        )
    return DriftResult(report, args.check)


DRIFT: Command[DriftResult] = Command(
    name="drift",
    help="data drift of a snapshot's tabular files: against another snapshot, the files on "
    "disk, or one file (exit 1 with --check when a table drifted)",
    description="Compare the tabular files (.csv, .tsv, .parquet, .jsonl, .json, optionally "
    ".gz) a snapshot recorded, column by column, with Evidently's default tests: up to 1000 "
    "reference rows, Kolmogorov-Smirnov for numerical columns with more than 5 values, "
    "chi-squared (or the two-proportion z-test for 2 values) for the rest, at p < 0.05; "
    "above, the normed Wasserstein distance or the Jensen-Shannon distance, at 0.1. A table "
    "drifts when at least half its columns do. The other side is REF2's recorded copies, "
    "the file on disk (default), or --current FILE (sampled live inputs, a new batch).",
    run=_drift,
    text=lambda r: text.report(r.report),
    html=lambda r: html.report(r.report),
    exit_code=lambda r: r.exit_code,
    args=[
        arg("ref", metavar="REF", help=f"the reference snapshot: {REF_HELP} {HEAD_HELP}"),
        arg(
            "other",
            metavar="REF2",
            nargs="?",
            help="compare with this snapshot's copies (default: the files on disk now)",
        ),
        arg(
            "--path",
            metavar="P",
            action="append",
            default=[],
            help="only these files or directories (repeatable; default: every tabular file)",
        ),
        arg(
            "--current",
            metavar="FILE",
            help="compare the (one) selected file with FILE: CSV, TSV, Parquet or JSON Lines",
        ),
        arg(
            "--test",
            metavar="[COLUMN=]TEST",
            action="append",
            default=[],
            help="ks, chisquare, z, wasserstein, jensenshannon or psi: for every column it "
            "suits, or for one column (repeatable)",
        ),
        arg(
            "--threshold",
            metavar="[COLUMN=]X",
            action="append",
            default=[],
            help="p-value (below it drifts) or distance (at or above it drifts), for every "
            "column or one (repeatable)",
        ),
        arg(
            "--type",
            metavar="COLUMN=TYPE",
            dest="types",
            action="append",
            default=[],
            help="numerical or categorical, for a column whose kind is guessed wrong",
        ),
        arg(
            "--column",
            metavar="NAME",
            dest="columns",
            action="append",
            help="only these columns (repeatable)",
        ),
        arg(
            "--drift-share",
            metavar="S",
            type=float,
            default=0.5,
            help="a table drifts when at least this share of its columns do (default: 0.5)",
        ),
        arg("--check", action="store_true", help="exit 1 when any table drifted"),
    ],
    examples=[
        ("drift HEAD~1 HEAD", "the tables that both snapshots recorded"),
        ("drift v1.0", "the tag's recorded tables against the files on disk"),
        ("drift v1.0 --path data/train.csv --current live/inputs.jsonl", ""),
        ("drift HEAD~1 HEAD --test income=psi --threshold 0.01 --check", ""),
    ],
)


COMMANDS: list[Entry] = [DRIFT]
