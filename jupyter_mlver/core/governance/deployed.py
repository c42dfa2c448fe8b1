"""A model's deployments for the governance table: what their ``mlver.deployment/1`` events
say (the stable version and since when, the canary) and, when a container engine answers,
their servers' live figures (``deploy status``: requests, errors, p95, drift share)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..deploy import events as ev
from ..deploy import status as st
from ..engine.protocol import Engine
from ..errors import MlverError
from ..records import DeploymentRecord
from ..store.store import Store
from .live import DeploymentLive, VersionLive

#: Connects to the container engine (raises ``EngineUnavailable`` when none answers).
Connect = Callable[[], Engine]


def stable_since(events: Sequence[DeploymentRecord]) -> str | None:
    """When the deployment's current stable version began taking the traffic: the first
    event of the last run of events that name it stable."""
    since: str | None = None
    current: object = object()
    for event in events:
        if event.get("stable") != current:
            current, since = event.get("stable"), str(event["created"])
    return since if current is not None else None


def _live(store: Store, state: ev.DeploymentState, engine: Engine | None) -> list[VersionLive]:
    if engine is None:
        return []
    status = st.status(store, engine, state.name, drift=True)
    return [
        VersionLive(
            version=v.version,
            role=v.role,
            weight=v.weight,
            requests=v.requests,
            error_rate=v.error_rate,
            p95_ms=v.p95_ms,
            drift_share=v.drift_share,
            running=v.running,
            blocks=v.blocks,
        )
        for v in status.versions
    ]


def deployments_reader(
    store: Store, connect: Connect | None
) -> tuple[Callable[[str], list[DeploymentLive]], list[str]]:
    """``deployments_of(model)`` for ``governance()``, and notes on what could not be read.

    Stopped deployments are left out. ``connect`` is called once, and only when a deployment
    is running (None: no live figures); a failure to read one deployment's figures is a note
    on it, not an error."""
    running: dict[str, list[ev.DeploymentState]] = {}
    for name in store.index.deployments():
        state = ev.state(store, name)
        if not state.stopped:
            running.setdefault(state.model, []).append(state)
    notes: list[str] = []
    engine: Engine | None = None
    if running and connect is not None:
        try:
            engine = connect()
        except MlverError as e:
            notes.append(f"no live figures: {e.message}")

    def of(model: str) -> list[DeploymentLive]:
        out = []
        for state in running.get(model, []):
            note = None
            try:
                versions = _live(store, state, engine)
            except MlverError as e:
                versions, note = [], f"no live figures: {e.message}"
            if engine is not None and note is None and not any(v.running for v in versions):
                note = "its servers are not running"
            out.append(
                DeploymentLive(
                    deployment=state.name,
                    stable=state.stable,
                    stable_since=stable_since(state.events),
                    canary=state.canary,
                    canary_weight=state.canary_weight,
                    versions=versions,
                    note=note,
                )
            )
        return out

    return of, notes
