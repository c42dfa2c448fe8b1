"""Text views of environment images: a build, its Dockerfile, verify, an environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...core.images import BuildResult, EnvironmentView, VerifyResult


def build(r: BuildResult) -> str:
    lines: list[str] = []
    source = f"snapshot {r.snapshot[:12]}" if r.snapshot else "the current environment"
    if r.dry_run or r.record is None:
        lines.append(f"wrote the build context of {source} to {r.context_dir}")
        lines.append(f"  build it with:  docker build {r.context_dir}")
        lines.append(f"  tags it would get: {', '.join(r.tags)}")
    else:
        verb = "reused" if r.reused else "built"
        lines.append(
            f"{verb} {r.image} ({r.record['image_id'][7:19]}) from {source} in {r.seconds:.1f} s"
        )
        lines.append(f"  tags:  {', '.join(r.tags)}")
        lines += [f"  pushed:  {digest}" for digest in r.record["repo_digests"]]
        lines.append(f"  image record:  {r.record['id'][:12]}")
    lines.append(f"  environment {r.environment[:12]}: {r.packages} packages")
    if r.unreproducible:
        lines.append(f"  not reproduced exactly ({len(r.unreproducible)}):")
        lines += [f"    - {u['name']}: {u['reason']}" for u in r.unreproducible]
    lines += [f"  note: {n}" for n in r.notes]
    return "\n".join(lines)


def dockerfile(r: BuildResult) -> str:
    return r.dockerfile


def context_note(r: BuildResult) -> str:
    return f"build context: {r.context_dir}"


def verify(r: VerifyResult) -> str:
    head = f"{r.image} ({r.image_id[7:19]}) against environment {r.environment[:12]}"
    lines = [head, f"  {r.summary()}"]
    lines += [f"    {d}" for d in r.differences()]
    return "\n".join(lines)


def environment(v: EnvironmentView) -> str:
    env = v.environment
    src = f"snapshot {v.snapshot[:12]}" if v.snapshot else "the current kernel"
    plat = env["platform"]
    python = env["python"]
    where = f"{plat.get('system', '?')} {plat.get('machine', '?')}"
    if plat.get("libc"):
        where += f", {plat['libc']}"
    ident = f" ({env['id'][:12]})" if env.get("id") else ""
    lines = [
        f"environment of {src}{ident}, fingerprint {env['fingerprint'][:12]}",
        f"  python {python['version']} ({python.get('implementation', '')}) on {where}",
        f"  {len(env['packages'])} packages:",
    ]
    width = max((len(p["name"]) for p in env["packages"]), default=0)
    for p in env["packages"]:
        extra = ""
        if p["source"] != "index":
            url = f", {p['url']}" if p.get("url") else ""
            extra = f"  ({p['source']}{url})"
        lines.append(f"    {p['name']:<{width}}  {p['version']}{extra}")
    conda = env.get("conda")
    if conda:
        lines.append(f"  conda: {conda.get('name')} ({len(conda.get('explicit') or [])} packages)")
    if v.images:
        lines.append("  images:")
        for img in v.images:
            tags = ", ".join(img.get("tags") or []) or img["image_id"][7:19]
            reused = "  (reused)" if img.get("reused") else ""
            lines.append(f"    {img['created']}  {tags}{reused}")
    return "\n".join(lines)
