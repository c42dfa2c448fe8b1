"""HTML view of a drift report: a card per file, a small SVG histogram per drifted column
(reference and current shares side by side), themed with JupyterLab's CSS variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..markup import card, e
from . import text as td

if TYPE_CHECKING:
    from ...core.drift import ColumnDrift, DriftReport, FileDrift

WIDTH, HEIGHT = 180, 44
REFERENCE = "var(--jp-ui-font-color3,#999)"
CURRENT = "var(--jp-warn-color1,#f57c00)"
#: Categories are named under their bars up to this many.
LABELLED = 6


def histogram(name: str, h: Mapping[str, Any]) -> str:
    """Bars of each side's share per bin (or category); hover for the numbers."""
    ref, cur = h["reference"], h["current"]
    top = max([*ref, *cur, 1e-9])
    slot = WIDTH / max(len(ref), 1)
    bar = max(1.0, slot / 2 - 0.5)
    labels = h.get("categories") or [f"bin {i + 1}" for i in range(len(ref))]
    bars = []
    for i, (r, c) in enumerate(zip(ref, cur, strict=True)):
        x = i * slot
        tip = f"{labels[i]}: reference {100 * r:.1f} %, current {100 * c:.1f} %"
        bars.append(
            f"<g><title>{e(tip)}</title>"
            f'<rect x="{x:.1f}" y="{HEIGHT - HEIGHT * r / top:.1f}" width="{bar:.1f}" '
            f'height="{HEIGHT * r / top:.1f}" style="fill:{REFERENCE}"/>'
            f'<rect x="{x + bar:.1f}" y="{HEIGHT - HEIGHT * c / top:.1f}" width="{bar:.1f}" '
            f'height="{HEIGHT * c / top:.1f}" style="fill:{CURRENT}"/></g>'
        )
    axis = ""
    style = 'style="fill:var(--jp-ui-font-color2,#666);font-size:9px"'
    if h.get("categories") and len(labels) <= LABELLED:
        axis = "".join(
            f'<text x="{(i + 0.5) * slot:.1f}" y="{HEIGHT + 11}" text-anchor="middle" {style}>'
            f"{e(str(label)[:8])}</text>"
            for i, label in enumerate(labels)
        )
    elif h.get("edges"):
        lo, hi = h["edges"][0], h["edges"][-1]
        axis = (
            f'<text x="0" y="{HEIGHT + 11}" {style}>{lo:.3g}</text>'
            f'<text x="{WIDTH}" y="{HEIGHT + 11}" text-anchor="end" {style}>{hi:.3g}</text>'
        )
    return (
        f'<svg class="mlver-histogram" width="{WIDTH}" height="{HEIGHT + 12}" role="img" '
        f'aria-label="{e(name)}: reference and current distributions">{"".join(bars)}{axis}</svg>'
    )


def _row(c: ColumnDrift) -> str:
    if not c.tested:
        return (
            f"<tr><td></td><td>{e(c.name)}</td><td>{e(c.type)}</td>"
            f'<td colspan="3" class="mlver-muted">{e(c.note or "")}</td></tr>'
        )
    style = ' style="color:var(--jp-warn-color0,#e65100);font-weight:600"' if c.drifted else ""
    hist = histogram(c.name, c.histogram) if c.histogram else ""
    return (
        f"<tr{style}><td>{'●' if c.drifted else ''}</td><td>{e(c.name)}</td>"
        f'<td>{e(c.type)}</td><td>{e(c.test)}</td><td class="mlver-num">{e(td.score(c))}</td>'
        f'<td class="mlver-num">{e(f"{c.threshold:g}")}</td><td>{hist}</td></tr>'
    )


def file_card(f: FileDrift) -> str:
    title = f"<code>{e(f.path)}</code> — {e(td.verdict(f))}"
    if f.table is None:
        return card(title, "", failed=False)
    sides = (
        f'<div class="mlver-muted">reference {e(td.side(f.reference))}; '
        f"current {e(td.side(f.current))}</div>"
    )
    head = "<tr><th></th><th>column</th><th>type</th><th>test</th><th>score</th>"
    head += "<th>threshold</th><th></th></tr>"
    rows = "".join(_row(c) for c in f.table.columns)
    legend = (
        f'<div class="mlver-muted"><span style="color:{REFERENCE}">■</span> reference '
        f'<span style="color:{CURRENT}">■</span> current</div>'
    )
    body = f"{sides}<table>{head}{rows}</table>"
    if any(c.histogram for c in f.table.columns):
        body += legend
    return card(title, body, failed=f.drifted)


def report(r: DriftReport) -> str:
    cards = "".join(file_card(f) for f in r.files)
    return f'<div class="jp-mlver-drift">{cards or card("no tabular files", "")}</div>'
