"""Text view of a drift report (``mlver.drift/1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import table

if TYPE_CHECKING:
    from ...core.drift import ColumnDrift, DriftReport, FileDrift, Side


def score(c: ColumnDrift) -> str:
    """``p=0.0012`` for a hypothesis test, ``d=0.134`` for a distance."""
    if c.p_value is not None:
        if c.p_value == 0:
            return "p<1e-300"  # below what a float holds
        return f"p={c.p_value:.2e}" if c.p_value < 1e-4 else f"p={c.p_value:.4f}"
    if c.distance is not None:
        return f"d={c.distance:.4f}"
    return "-"


def side(s: Side) -> str:
    where = {
        "snapshot": f"snapshot {(s.snapshot or '')[:12]}",
        "disk": "on disk",
        "file": s.path,
    }[s.source]
    rows = f", {s.rows:,} rows" if s.rows is not None else ""
    return f"{where}{rows}"


def verdict(f: FileDrift) -> str:
    if f.table is None:
        return f"not compared: {f.note}"
    tested = f.table.tested
    drifted = sum(c.drifted for c in tested)
    word = "DRIFT" if f.drifted else "no drift"
    return (
        f"{word}: {drifted} of {len(tested)} column(s), {100 * f.table.drift_share:.0f} % "
        f"(a table drifts at {100 * f.table.share_threshold:.0f} %)"
    )


def file_text(f: FileDrift) -> str:
    lines = [f"{f.path}: {verdict(f)}"]
    if f.table is None:
        return lines[0]
    lines.append(f"  reference {side(f.reference)}; current {side(f.current)}")
    rows = [["", "COLUMN", "TYPE", "TEST", "SCORE", "THRESHOLD"]]
    for c in f.table.tested:
        mark = "!" if c.drifted else " "
        rows.append([mark, c.name, c.type, c.test or "", score(c), f"{c.threshold:g}"])
    lines += table(rows, indent="  ") if len(rows) > 1 else []
    untested = [f"{c.name} ({c.note})" for c in f.table.columns if not c.tested]
    if untested:
        lines.append(f"  not tested: {', '.join(untested)}")
    for label, names in (
        ("only in the reference", f.table.only_in_reference),
        ("only in the current data", f.table.only_in_current),
    ):
        if names:
            lines.append(f"  columns {label}: {', '.join(names)}")
    return "\n".join(lines)


def report(r: DriftReport) -> str:
    """Every file with its verdict and a row per column (``!`` marks the drifted ones)."""
    return "\n\n".join(file_text(f) for f in r.files) or "no tabular files to compare"
