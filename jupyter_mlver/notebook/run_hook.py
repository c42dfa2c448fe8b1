"""The kernel side of ``jupyter mlver run``: called by the runner in the kernel it started,
before the notebook's first cell and after its last (or failing) one, outside the history.
"""

from __future__ import annotations

import json
from typing import Any

from ..config import Mlver
from ..core.errors import MlverError
from ..core.records import RUN_MARKER, RunOutcome
from .session import SnapshotRequest, session_for, take_kernel_snapshot


def begin(shell: Any) -> None:
    """Load the extension (lineage from the first cell on). Loading it again from the
    notebook's own ``%load_ext`` is harmless and prints nothing."""
    from .. import load_ipython_extension

    load_ipython_extension(shell)


def finish(shell: Any, message: str, outcome: RunOutcome) -> None:
    """The run's snapshot: the notebook's own last one, or a new one when the notebook took
    none, logged something after its last, or failed. Prints ``RUN_MARKER`` + JSON with its
    id (or the error that prevented it)."""
    session = session_for(shell)
    failed = outcome.get("status") == "failed"
    result: dict[str, Any] = {"snapshot": session.latest, "taken": len(session.taken)}
    if failed or session.latest is None or session.params or session.metrics:
        try:
            store, record = take_kernel_snapshot(
                session, Mlver(parent=shell), SnapshotRequest(message=message, run=outcome)
            )
        except MlverError as e:
            result["error"] = str(e)
        else:
            store.close()
            result["snapshot"] = record["id"]
            result["taken"] += 1
    print(RUN_MARKER + json.dumps(result), flush=True)
