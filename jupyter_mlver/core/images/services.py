"""Long-running containers as the core sees them: the ``Services`` protocol and its values.

A deployment runs servers and a proxy on a network of their own, found again later by their
labels. ``docker_services.DockerServices`` implements this over the docker SDK (the
``DockerEngine`` has it), so nothing else calls the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Publish:
    """A container port published on the engine's host: ``host_port`` None picks a free one."""

    port: int
    host_ip: str = "127.0.0.1"
    host_port: int | None = None


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    image: str
    network: str
    labels: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    publish: Sequence[Publish] = ()
    entrypoint: Sequence[str] | None = None
    command: Sequence[str] | None = None
    files: bytes | None = None  # a tar archive unpacked at ``files_at`` before the start
    files_at: str = "/"
    stop_signal: str | None = None


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str
    image: str
    labels: dict[str, str]
    running: bool
    status: str  # the engine's word: running, exited, created, ...
    address: str | None  # on its network
    ports: dict[int, int]  # container port -> published host port


class Services(Protocol):
    """What a deployment needs from a container engine."""

    host: str

    def published_host(self) -> str: ...

    def ensure_network(self, name: str, labels: Mapping[str, str]) -> None: ...

    def remove_network(self, name: str) -> None: ...

    def start_service(self, spec: ServiceSpec) -> ServiceInfo: ...

    def service(self, name: str) -> ServiceInfo | None: ...

    def services(self, labels: Mapping[str, str]) -> list[ServiceInfo]: ...

    def put_files(self, name: str, path: str, archive: bytes) -> None: ...

    def stop_service(self, name: str, timeout: float = 30) -> None: ...

    def service_logs(self, name: str, tail: int = 20) -> str: ...
