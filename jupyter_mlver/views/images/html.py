"""HTML views of environment images for notebooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..markup import (
    card,
    code,
    details,
    e,
    kv_table,
    lines,
    muted,
    pre,
    table,
)

if TYPE_CHECKING:
    from ...core.images import BuildResult, EnvironmentView, VerifyResult


def unreproducible(items: Sequence[Mapping[str, Any]]) -> str:
    """What the image could not reproduce exactly, one warning each."""
    return "".join(
        f'<div class="mlver-warn">not reproduced exactly: {e(u["name"])}: {e(u["reason"])}</div>'
        for u in items
    )


def build_rows(r: BuildResult) -> list[tuple[str, str]]:
    """The facts of a build (or of its context, for a dry run)."""
    if r.dry_run or r.record is None:
        return [
            ("context", code(r.context_dir)),
            ("build it", code(f"docker build {r.context_dir}")),
            ("tags", " ".join(code(t) for t in r.tags)),
        ]
    rows = [
        ("image id", code(r.record["image_id"][7:19])),
        ("tags", " ".join(code(t) for t in r.tags)),
        *[("pushed", code(digest)) for digest in r.record["repo_digests"]],
        ("image record", code(r.record["id"][:12])),
    ]
    return rows


def build(r: BuildResult) -> str:
    source = f"snapshot {r.snapshot[:12]}" if r.snapshot else "the current environment"
    if r.dry_run or r.record is None:
        title = f"build context of {e(source)}"
    else:
        verb = "reused" if r.reused else "built"
        title = f"{verb} {code(r.image)} {muted(f'from {source} in {r.seconds:.1f} s')}"
    rows = [
        *build_rows(r),
        ("environment", f"{code(r.environment[:12])} {e(r.packages)} packages"),
    ]
    notes = lines([muted(n) for n in r.notes])
    return card(title, kv_table(rows) + unreproducible(r.unreproducible) + notes)


def dockerfile(r: BuildResult) -> str:
    return card(
        f"Dockerfile <span class='mlver-muted'>(context in {e(r.context_dir)})</span>",
        pre(r.dockerfile),
    )


def verify(r: VerifyResult) -> str:
    title = f"verify {code(r.image)} {muted(f'({r.image_id[7:19]})')}"
    head = e(f"against environment {r.environment[:12]}: {r.summary()}")
    body = [[code(n), e(rec), e(img)] for n, rec, img in r.changed]
    body += [[code(n), e(v), muted("missing")] for n, v in r.missing]
    body += [[code(n), muted("not recorded"), e(v)] for n, v in r.extra]
    differences = table(["package", "in the record", "in the image"], body) if body else ""
    return card(title, f"<div>{head}</div>{differences}", failed=not r.identical)


def environment(v: EnvironmentView) -> str:
    env = v.environment
    src = f"snapshot {v.snapshot[:12]}" if v.snapshot else "the current kernel"
    plat, python = env["platform"], env["python"]
    where = f"{plat.get('system', '?')} {plat.get('machine', '?')}"
    if plat.get("libc"):
        where += f", {plat['libc']}"
    packages = table(
        ["package", "version", "source"],
        [
            [
                code(p["name"]),
                e(p["version"]),
                e(p["source"] + (f", {p['url']}" if p.get("url") else "")),
            ]
            for p in env["packages"]
        ],
    )
    rows = [
        ("fingerprint", code(env["fingerprint"][:12])),
        ("python", e(f"{python['version']} ({python.get('implementation', '')}) on {where}")),
        ("packages", details(f"{len(env['packages'])} packages", packages)),
    ]
    conda = env.get("conda")
    if conda:
        rows.append(("conda", e(f"{conda.get('name')} ({len(conda.get('explicit') or [])})")))
    if v.images:
        images = [
            [
                e(img["created"][:19].replace("T", " ")),
                " ".join(code(t) for t in img.get("tags") or []) or code(img["image_id"][7:19]),
                e("reused" if img.get("reused") else "built"),
            ]
            for img in v.images
        ]
        rows.append(("images", table(["created (UTC)", "tags", ""], images)))
    ident = f" {muted(env['id'][:12])}" if env.get("id") else ""
    return card(f"environment of {e(src)}{ident}", kv_table(rows))


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
