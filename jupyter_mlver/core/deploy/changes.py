"""What a deployment command just did: the event it recorded, where the deployment answers
and where ``production`` points now (``deploy``, ``canary``, ``promote``, ``rollback``,
``stop``), or the manifests written for a cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine.protocol import Engine
    from ..records import DeploymentRecord
    from ..store.store import Store
    from .kserve import Manifests


@dataclass
class Change:
    """A deployment event just recorded, and where the production alias points now."""

    event: DeploymentRecord
    url: str
    production: int | None

    def to_json(self) -> DeploymentRecord:
        return self.event


@dataclass
class Started:
    """``deploy REF``: a local change, or manifests for a cluster."""

    change: Change | None = None
    manifests: Manifests | None = None

    def to_json(self) -> Any:
        if self.manifests is not None:
            return self.manifests.to_json()
        assert self.change is not None
        return self.change.event


def change_of(store: Store, engine: Engine, event: DeploymentRecord) -> Change:
    from ..models import aliases as al

    held = al.holders(store, event["model"]).get("production")
    return Change(event, f"http://{engine.local_address()}:{event['port']}", held)
