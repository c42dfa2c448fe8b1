"""Text views of ``model build`` and ``model serve``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...core.deploy.serve import Served, Stopped
    from ...core.images.model_image import ModelImageResult


def built(r: ModelImageResult) -> str:
    b, env = r.build, r.environment_image
    assert b.record is not None
    ref = f"{r.model['name']}:{r.model['version']}"
    verb = "reused" if b.reused else "built"
    if env is None:
        on = (
            f"  on {b.record['base']}: the {b.packages} packages the model needs from snapshot "
            f"{(b.snapshot or '')[:12]}; --env snapshot builds on its whole environment"
        )
    else:
        env_verb = "reused" if env.reused else "built"
        on = (
            f"  on environment image {env.image} ({env_verb}; snapshot {(b.snapshot or '')[:12]}, "
            f"{b.packages} packages)"
        )
    lines = [
        f"{verb} {b.image} ({b.record['image_id'][7:19]}) serving model {ref} in {b.seconds:.1f} s",
        f"  tags:  {', '.join(b.tags)}",
        *[f"  pushed:  {digest}" for digest in b.record["repo_digests"]],
        on,
        f"  image record:  {b.record['id'][:12]}",
        f"  run it:  docker run --rm -p 8080:8080 {b.image}   (or: jupyter mlver model serve "
        f"{ref})",
    ]
    if b.unreproducible:
        lines.append(f"  not reproduced exactly ({len(b.unreproducible)}):")
        lines += [f"    - {u['name']}: {u['reason']}" for u in b.unreproducible]
    return "\n".join(lines)


def served(r: Served | Stopped) -> str:
    from ...core.deploy.serve import Stopped

    if isinstance(r, Stopped):
        if not r.servers:
            return "no model server that model serve started is running"
        return "\n".join(f"stopped {ref} ({name})" for ref, name in r.servers)
    if r.stopped:
        return f"stopped {r.ref} ({r.container.name}), which served at {r.url}"
    return "\n".join(
        [
            f"serving {r.ref} at {r.url} (ready in {r.ready_seconds:.1f} s)",
            f"  image:  {r.image}",
            f"  container:  {r.container.name}",
            f"  try:  curl -s {r.url}/v2/models/{r.model['name']}",
            f"  stop it:  jupyter mlver model serve --stop {r.ref}",
        ]
    )
