"""What the kernel holds for its next snapshot (``%mlver status``) and putting pickled
variables back (``%mlver restore``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Mlver
from ..core.capture import notebook as nbcapture
from ..core.errors import InvalidInput
from ..core.store.store import Store, find_store_dir
from .session import KernelSession, notebook_document

if TYPE_CHECKING:
    from ..core.snapshot.pending import NextSnapshot, Restored


def _relative(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def next_snapshot(
    session: KernelSession, settings: Mlver, store_dir: str | None = None
) -> NextSnapshot:
    """What a snapshot taken now would record; nothing is consumed or written."""
    from ..core.snapshot.pending import NextSnapshot, PendingFile

    with session.lineage.paused():
        doc = notebook_document(session, None, consume=False)
        near = doc.path if doc and doc.path else session.notebook_path()
        start = near.parent if near else Path.cwd()
        where = find_store_dir(start, explicit=store_dir or settings.store_dir)
        root = where.parent
        roles: dict[Path, str] = {}
        if settings.lineage:
            roles = dict.fromkeys(session.inputs, "input")
            for path, role in session.lineage.peek(root):
                roles[path] = "output" if role == "output" else roles.get(path, role)
        files = [
            PendingFile(_relative(root, p), role, p.stat().st_size)
            for p, role in roles.items()
            if p.is_file() and p != (doc.path if doc else None)
        ]
        warnings = nbcapture.analyse_execution(
            session.executions(), json.loads(doc.content) if doc else None
        )["warnings"]
    return NextSnapshot(
        store_dir=str(where),
        notebook=_relative(root, doc.path) if doc and doc.path else None,
        source=doc.source if doc else None,
        params=dict(session.params),
        metrics=session.pending_metrics(),
        files=files,
        warnings=warnings,
    )


def restore_state(
    session: KernelSession, store: Store, snapshot_id: str, names: list[str]
) -> Restored:
    """Load variables a snapshot pickled (``--state``) back into the kernel's namespace."""
    import cloudpickle

    from ..core.snapshot.pending import Restored

    record = store.get(snapshot_id)
    state = record.get("state") or {}
    if not state:
        raise InvalidInput(
            f"snapshot {snapshot_id[:12]} holds no variables",
            "take snapshots with --state to keep them",
        )
    chosen = names or sorted(state)
    unknown = [n for n in chosen if n not in state]
    if unknown:
        raise InvalidInput(
            f"snapshot {snapshot_id[:12]} has no variable {', '.join(unknown)}",
            f"it has {', '.join(sorted(state))}",
        )
    if session.shell is None:
        raise InvalidInput("restoring variables needs a kernel", "run it as %mlver restore")
    for name in chosen:
        session.shell.user_ns[name] = cloudpickle.loads(store.objects.get_bytes(state[name]))
    return Restored(snapshot_id, chosen)
