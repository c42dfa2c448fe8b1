"""HTML views of ``model build`` and ``model serve`` for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..images.html import build_rows, unreproducible
from ..markup import card, code, e, kv_table, muted, table

if TYPE_CHECKING:
    from ...core.deploy.serve import Served, Stopped
    from ...core.images.model_image import ModelImageResult


def built(r: ModelImageResult) -> str:
    b, env = r.build, r.environment_image
    ref = f"{r.model['name']}:{r.model['version']}"
    verb = "reused" if b.reused else "built"
    title = f"{verb} {code(b.image)} serving {code(ref)} {muted(f'in {b.seconds:.1f} s')}"
    if env is None:
        base = b.record["base"] if b.record else "?"
        on = e(f"{base}: the {b.packages} packages the model needs (--env model)")
    else:
        on = f"environment image {code(env.image)} {muted('reused' if env.reused else 'built')}"
    rows = [
        *build_rows(b),
        ("on", on),
        ("snapshot", code((b.snapshot or "")[:12])),
        ("run it", code(f"docker run --rm -p 8080:8080 {b.image}")),
    ]
    return card(title, kv_table(rows) + unreproducible(b.unreproducible))


def served(r: Served | Stopped) -> str:
    from ...core.deploy.serve import Stopped

    if isinstance(r, Stopped):
        if not r.servers:
            return card("model servers", muted("none that model serve started is running"))
        body = [[code(ref), code(name)] for ref, name in r.servers]
        return card("stopped", table(["model", "container"], body))
    if r.stopped:
        return card(f"stopped {code(r.ref)}", e(f"{r.container.name}, which served at {r.url}"))
    rows = [
        ("url", code(r.url)),
        ("image", code(r.image)),
        ("container", code(r.container.name)),
        ("try", code(f"curl -s {r.url}/v2/models/{r.model['name']}")),
        ("stop it", code(f"%mlver model serve --stop {r.ref}")),
    ]
    title = f"serving {code(r.ref)} {muted(f'ready in {r.ready_seconds:.1f} s')}"
    return card(title, kv_table(rows))
