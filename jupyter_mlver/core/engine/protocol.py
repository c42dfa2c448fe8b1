"""The container engine as the core sees it: the ``Engine`` protocol and the values it
returns. ``docker.DockerEngine`` implements it over the docker SDK; nothing else in
jupyter_mlver calls the SDK, so builds, verification and reproduction all go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from .target import Target

LineCallback = Callable[[str], None]
#: Seconds the engine may stay silent during a build, a push or a run before we give up.
LONG_TIMEOUT = 3600


@dataclass(frozen=True)
class ImageInfo:
    id: str
    tags: list[str]
    labels: dict[str, str]
    repo_digests: list[str]
    size: int
    layers: list[str]
    os: str
    architecture: str

    @property
    def platform(self) -> str:
        return f"{self.os}/{self.architecture}"


@dataclass(frozen=True)
class RunOptions:
    """How ``Engine.run`` runs a command. Containers never have a network and are always
    removed afterwards."""

    files: bytes | None = None  # a tar archive unpacked at ``files_at`` before the start
    files_at: str = "/tmp"
    workdir: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = LONG_TIMEOUT  # seconds; then the container is killed (``timed_out``)
    on_line: LineCallback | None = None  # each line of output (stdout and stderr) as it comes
    collect: str | None = None  # a path in the container whose tar comes back in ``collected``


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    collected: bytes | None = None
    timed_out: bool = False

    def tail(self, limit: int = 200) -> str:
        """The end of what the command said, its errors first: for a one-line failure."""
        return (self.stderr or self.stdout).strip()[-limit:]


@dataclass(frozen=True)
class ServiceOptions:
    """How ``Engine.start`` runs a long-lived container (a model server, a deployment's
    proxy): detached, with ``ports`` (container port -> host port, None for any free one)
    published on ``host_ip``; on ``network`` when given; ``files`` (a tar archive) unpacked at
    ``files_at`` before it starts."""

    name: str | None = None
    ports: Mapping[int, int | None] = field(default_factory=dict)
    host_ip: str = "127.0.0.1"
    labels: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    network: str | None = None
    entrypoint: Sequence[str] | None = None
    command: Sequence[str] | None = None
    files: bytes | None = None
    files_at: str = "/"
    stop_signal: str | None = None


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    image_id: str
    labels: dict[str, str]
    status: str  # created | running | exited | ...
    ports: dict[int, int]  # container port -> host port (published ones)
    exit_code: int | None = None
    address: str | None = None  # on its (first) network

    @property
    def running(self) -> bool:
        return self.status == "running"


class BuildError(Exception):
    """A build that failed: the step it failed at, the engine's message, that step's
    output (``lines``) and the full log."""

    def __init__(
        self,
        message: str,
        log: str,
        step: tuple[int, int, str] | None = None,
        lines: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.log = log
        self.step = step
        self.lines = lines or []


class Engine(Protocol):
    """What building, verifying, pushing and reproducing need from a container engine."""

    host: str

    def image(self, ref: str) -> ImageInfo | None: ...

    def ensure_image(self, ref: str) -> ImageInfo: ...

    def probe(self, image: ImageInfo) -> Target: ...

    def build(
        self,
        context: IO[bytes],
        *,
        nocache: bool,
        on_line: LineCallback,
        on_step: Callable[[int, int, str], None],
    ) -> str: ...

    def tag(self, image_id: str, ref: str) -> None: ...

    def untag(self, ref: str) -> None: ...

    def push(self, ref: str, on_line: LineCallback) -> str: ...

    def run(
        self, image: str, command: Sequence[str], options: RunOptions | None = None
    ) -> RunResult: ...

    def start(self, image: str, options: ServiceOptions) -> Container: ...

    def container(self, ref: str) -> Container | None: ...

    def containers(self, labels: Mapping[str, str]) -> list[Container]: ...

    def logs(self, ref: str, tail: int | None = None) -> str: ...

    def follow(self, ref: str, on_line: LineCallback) -> None: ...

    def stop(self, ref: str, timeout: float) -> None: ...

    def local_address(self) -> str: ...

    def put_files(self, ref: str, path: str, archive: bytes) -> None: ...

    def ensure_network(self, name: str, labels: Mapping[str, str]) -> None: ...

    def remove_network(self, name: str) -> None: ...


def split_ref(ref: str) -> tuple[str, str]:
    """``repo[:tag]`` -> (repo, tag); a ``:`` before the last ``/`` is a registry port."""
    name, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:
        return ref, "latest"
    return name, tag
