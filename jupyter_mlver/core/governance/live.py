"""What the governance table knows of a model's deployments: the versions they serve and,
when their servers answer, the live figures per version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class VersionLive:
    """One served version's figures since its server started."""

    version: int
    role: str  # stable | canary
    weight: int  # share of requests in percent
    requests: int
    error_rate: float | None
    p95_ms: float | None
    drift_share: float | None
    running: bool
    #: Durations (seconds) of the newest answered predictions in blocks of time, for the
    #: canary verdict.
    blocks: Sequence[Sequence[float]] = field(default=(), repr=False, compare=False)

    @property
    def errors(self) -> int:
        return round((self.error_rate or 0.0) * self.requests)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "role": self.role,
            "weight": self.weight,
            "requests": self.requests,
            "error_rate": self.error_rate,
            "p95_ms": self.p95_ms,
            "drift_share": self.drift_share,
            "running": self.running,
        }


@dataclass(frozen=True)
class DeploymentLive:
    """A deployment of the model that has not been stopped. ``versions`` holds the live
    figures (empty when they could not be read: ``note`` says why)."""

    deployment: str
    stable: int | None
    stable_since: str | None  # when the stable version started taking the traffic
    canary: int | None
    canary_weight: int
    versions: list[VersionLive] = field(default_factory=list)
    note: str | None = None

    def figures(self, version: int | None) -> VersionLive | None:
        return next((v for v in self.versions if v.version == version and v.running), None)

    @property
    def drift_share(self) -> float | None:
        """The stable version's (it serves most requests), else the canary's."""
        for version in (self.stable, self.canary):
            live = self.figures(version)
            if live is not None and live.drift_share is not None:
                return live.drift_share
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "deployment": self.deployment,
            "stable": self.stable,
            "stable_since": self.stable_since,
            "canary": self.canary,
            "canary_weight": self.canary_weight,
            "drift_share": self.drift_share,
            "versions": [v.to_json() for v in self.versions],
            "note": self.note,
        }
