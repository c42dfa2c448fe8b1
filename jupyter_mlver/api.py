"""The public Python API: ``jupyter_mlver.log(...)``, ``jupyter_mlver.snapshot(...)``,
``jupyter_mlver.register_model(...)`` and ``jupyter_mlver.load_model(...)``.

Works in a notebook (the same session as ``%mlver``) and in a plain Python script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .config import Mlver
from .core.records import ModelRecord, SnapshotRecord
from .notebook.session import SnapshotRequest, session_for, take_kernel_snapshot


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
) -> SnapshotRecord:
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


def register_model(
    name: str,
    model: Any,
    *,
    snapshot: str | None = None,
    aliases: Sequence[str] = (),
    gate: str | None = None,
    gate_lower: bool = False,
    description: str = "",
    flavor: str | None = None,
    serializer: str | None = None,
    example: Any = None,
    force: bool = False,
    reason: str | None = None,
    notebook: str | None = None,
) -> ModelRecord:
    """Register a new version of model ``name`` and return its record (with its id).

    ``model`` is a fitted object (saved in its library's own format: joblib or skops for
    scikit-learn, native for xgboost/lightgbm/torch, cloudpickle otherwise) or the path of
    a model file or directory. The version is tied to ``snapshot`` (a ref), by default this
    notebook's HEAD, or a new snapshot when cells ran or metrics were logged since.

    >>> jupyter_mlver.register_model("churn", clf, example=X_test[:5], aliases=["staging"])
    """
    from .core.models.options import RegistrationOptions
    from .core.models.records import check_gate
    from .core.models.signature import infer_signature
    from .notebook.registration import RegisterRequest, register_in_kernel

    options = RegistrationOptions(
        name,
        aliases=tuple(aliases),
        gate=check_gate(gate, gate_lower),
        description=description,
        flavor=flavor,
        signature=infer_signature(example) if example is not None else None,
        force=force,
        reason=reason,
    )
    shell = _shell()
    settings = Mlver(parent=shell) if shell is not None else Mlver()
    request = RegisterRequest(
        model,
        options,
        variable=_variable_name(shell, model),
        snapshot=snapshot,
        serializer=serializer,
        notebook=notebook,
    )
    store, record = register_in_kernel(session_for(shell), settings, request)
    store.close()
    return record


def load_model(ref: str, *, notebook: str | None = None) -> Any:
    """The model object of ``NAME``, ``NAME:VERSION`` or ``NAME@ALIAS``, loaded with its
    flavour's loader from the store this notebook (or the current directory) uses."""
    from pathlib import Path

    from .core.models import registry
    from .core.store.store import Store

    shell = _shell()
    settings = Mlver(parent=shell) if shell is not None else Mlver()
    near = Path(notebook).absolute() if notebook else session_for(shell).notebook_path()
    start = near.parent if near is not None else Path.cwd()
    with Store.open(start, explicit=settings.store_dir) as store:  # reading creates nothing
        return registry.load(store, ref)


def _variable_name(shell: Any, obj: Any) -> str | None:
    """The user variable holding ``obj`` (for the record's ``artifact.path``), if one does."""
    if shell is None or isinstance(obj, (str, bytes)):
        return None
    hidden = getattr(shell, "user_ns_hidden", {})
    for key, value in shell.user_ns.items():
        if value is obj and not key.startswith("_") and key not in hidden:
            return str(key)
    return None
