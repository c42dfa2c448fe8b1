"""The public Python API: ``jupyter_mlver.log(...)`` and ``jupyter_mlver.snapshot(...)``.

Works in a notebook (the same session as ``%mlver``) and in a plain Python script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .config import Mlver
from .core.records import Record
from .kernel import SnapshotRequest, session_for, take_kernel_snapshot


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def log(
    metrics: Mapping[str, Any] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    **more_metrics: Any,
) -> None:
    """Collect metrics (and ``params``) for the next snapshot.

    >>> jupyter_mlver.log(acc=0.91, loss=0.27)
    >>> jupyter_mlver.log(params={"lr": 0.01})

    A metric logged several times keeps the series.
    """
    session = session_for(_shell())
    if session.shell is None:
        session.lineage.active = True  # a script records what it reads from its first log on
    session.log(params=params, metrics={**(metrics or {}), **more_metrics})


def snapshot(
    message: str = "",
    *,
    data: Sequence[str] = (),
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    tags: Sequence[str] = (),
    state: Sequence[str] | None = None,
    notebook: str | None = None,
    hash_only: bool = False,
) -> Record:
    """Take a snapshot like ``%mlver snapshot`` and return the stored record (with its id)."""
    shell = _shell()
    settings = Mlver(parent=shell) if shell is not None else Mlver()
    request = SnapshotRequest(
        message=message,
        data=list(data),
        params=dict(params or {}),
        metrics=dict(metrics or {}),
        tags=list(tags),
        state=list(state) if state is not None else None,
        notebook=notebook,
        hash_only=hash_only,
    )
    store, record = take_kernel_snapshot(session_for(shell), settings, request)
    store.close()
    return record
