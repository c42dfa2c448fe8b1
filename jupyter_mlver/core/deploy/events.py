"""``mlver.deployment/1``: a deployment's append-only events, and its state replayed from them.

An event names the version it is about (``version``, its ``weight`` after the event) and the
version taking the rest of the traffic (``stable``). A deployment's state is its last change:
a ``canary`` or ``weight`` event leaves a canary in place, any other event none. ``held`` is
not a change: a watch that ended without promoting or taking out the canary says so, and why;
``refused`` is a watch's promotion the model's gate refused, after which the canary was taken
out as by a rollback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import records
from ..capture.git import author as git_author
from ..errors import RecordNotFound
from ..models.records import stamp_after
from ..records import DeploymentRecord
from ..store.store import Store

EVENTS = ("deployed", "canary", "weight", "promoted", "rolled_back", "refused", "stopped", "held")
#: Events that leave the deployment as it was.
NOT_CHANGES = frozenset({"held"})
#: Events that took a canary out.
TAKEN_OUT = frozenset({"rolled_back", "refused"})


@dataclass(frozen=True)
class DeploymentState:
    """What a deployment's events say it is now."""

    name: str
    model: str
    stable: int | None
    canary: int | None
    canary_weight: int
    port: int
    stopped: bool
    events: list[DeploymentRecord]

    @property
    def changes(self) -> list[DeploymentRecord]:
        return [e for e in self.events if e["event"] not in NOT_CHANGES]

    @property
    def retired(self) -> int | None:
        """The version the last change took out: a rolled-back canary, or the stable version
        a promotion replaced (shown with weight 0 until the next change)."""
        changes = self.changes
        last = changes[-1]
        if last["event"] in TAKEN_OUT:
            return int(last["version"])
        if last["event"] == "promoted" and len(changes) > 1:
            before = changes[-2].get("stable")
            return int(before) if before is not None and before != self.stable else None
        return None

    @property
    def weights(self) -> dict[int, int]:
        """Version -> share of requests in percent (the stable version first)."""
        if self.stable is None:
            return {}
        out = {self.stable: 100 - self.canary_weight}
        if self.canary is not None:
            out[self.canary] = self.canary_weight
        if self.retired is not None:
            out[self.retired] = 0
        return out

    def previous_stable(self) -> int | None:
        """The stable version before the last promotion (what a rollback after a promotion
        goes back to), or None."""
        changes = self.changes
        for i in range(len(changes) - 1, 0, -1):
            event = changes[i]
            if event["event"] == "promoted" and event["version"] == self.stable:
                before = changes[i - 1].get("stable")
                return int(before) if before is not None and before != self.stable else None
        return None


def history(store: Store, name: str) -> list[DeploymentRecord]:
    """A deployment's events, oldest first (RecordNotFound when it has none)."""
    ids = store.index.deployment_events(name)
    if not ids:
        known = ", ".join(store.index.deployments()) or "none"
        raise RecordNotFound(f"no deployment named {name!r}", f"deployments in this store: {known}")
    return [store.get(rid, DeploymentRecord) for rid in ids]


def state(store: Store, name: str) -> DeploymentState:
    events = history(store, name)
    last = [e for e in events if e["event"] not in NOT_CHANGES][-1]
    canary = last["event"] in ("canary", "weight") and last["version"] != last["stable"]
    return DeploymentState(
        name=name,
        model=last["model"],
        stable=last.get("stable"),
        canary=int(last["version"]) if canary else None,
        canary_weight=int(last["weight"]) if canary else 0,
        port=int(last["port"]),
        stopped=last["event"] == "stopped",
        events=events,
    )


def deployments(store: Store) -> list[dict[str, Any]]:
    """Every deployment of the store and its state, by name."""
    rows = []
    for name in store.index.deployments():
        s = state(store, name)
        last = s.events[-1]
        rows.append(
            {
                "deployment": name,
                "model": s.model,
                "stable": s.stable,
                "canary": s.canary,
                "canary_weight": s.canary_weight,
                "port": s.port,
                "last_event": last["event"],
                "created": last["created"],
            }
        )
    return rows


def append(
    store: Store,
    *,
    deployment: str,
    event: str,
    model: Mapping[str, Any],
    weight: int,
    stable: int | None,
    port: int,
    reason: str | None = None,
    figures: Mapping[str, Any] | None = None,
    image: str | None = None,
) -> DeploymentRecord:
    """Store one event and index it in one transaction; stamped after the deployment's last
    event, so events keep their order even within one millisecond."""
    assert event in EVENTS, event
    author = git_author(store.root)
    with store.writing(), store.index.transaction():
        ids = store.index.deployment_events(deployment)
        last = store.get(ids[-1])["created"] if ids else None
        record: DeploymentRecord = {
            "schema": records.DEPLOYMENT,
            "deployment": deployment,
            "event": event,
            "model": model["name"],
            "version": model["version"],
            "weight": weight,
            "stable": stable,
            "reason": reason,
            "figures": dict(figures or {}),
            "created": stamp_after(last),
            "author": author,
            "model_record": model["id"],
            "image": image,
            "port": port,
        }
        rid, data = records.encode(record)
        store.objects.put_bytes(data)
        stored: DeploymentRecord = {"id": rid, **record}
        store.index.insert({**stored})
    return stored
