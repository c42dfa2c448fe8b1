"""HTML views of environment images for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..markup import (
    card,
    details,
    e,
    pre,
)
from . import text

if TYPE_CHECKING:
    from ...core.images import BuildResult, EnvironmentView, VerifyResult


def build(r: BuildResult) -> str:
    return card(e(r.image or "build context"), pre(text.build(r)))


def dockerfile(r: BuildResult) -> str:
    return card(
        f"Dockerfile <span class='mlver-muted'>(context in {e(r.context_dir)})</span>",
        pre(r.dockerfile),
    )


def verify(r: VerifyResult) -> str:
    return card(f"verify {e(r.image)}", pre(text.verify(r)), failed=not r.identical)


def environment(v: EnvironmentView) -> str:
    return card("environment", pre(text.environment(v)))


def build_progress(
    title: str,
    status: str,
    step: tuple[int, int] | None,
    log: list[str],
    failed: bool,
    open_log: bool,
    latest: str = "",
) -> str:
    """A build as it goes: a progress bar over the steps, the status and the last line of
    output, the log folded."""
    head = ""
    if step:
        done, total = step
        head = (
            f'<progress max="{total}" value="{done}" style="vertical-align:middle"></progress> '
            f'<span class="mlver-muted">step {done}/{total}</span> '
        )
    shown = f'<span class="mlver-error">{e(status)}</span>' if failed else e(status)
    if latest:
        shown += f'<div class="mlver-muted"><code>{e(latest[:160])}</code></div>'
    folded = ""
    if log:
        body = f'<pre style="max-height:20em;overflow:auto;margin:0">{e(chr(10).join(log))}</pre>'
        folded = details(f"log ({len(log)} lines)", body, opened=failed or open_log)
    return card(e(title), head + shown + folded)
