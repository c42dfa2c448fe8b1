"""``model serve``: a version's serving image as a container on the local engine.

``start_server`` finds the newest serving image of the version still in the engine (or
builds one when asked), publishes port 8080 on the given host port, and returns once the
server answers ``/v2/health/ready`` — or raises with the container's last lines when it
exits first. ``stop_servers`` stops what ``model serve`` started (label ``SERVE_LABEL``),
never a deployment's containers.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine.protocol import Container, Engine, ServiceOptions
from ..errors import Conflict, InvalidInput, MlverError, RecordNotFound
from ..images.model_image import PORT
from ..models import registry
from ..models.refs import parse_ref
from ..records import ImageRecord, ModelRecord
from ..store.store import Store

#: On containers ``model serve`` starts: ``NAME:VERSION``.
SERVE_LABEL = "io.mlver.serve"
_TAIL = 12


class ServerFailed(MlverError):
    """The server's container stopped before it was ready, or while it served."""

    status = 500


@dataclass
class Served:
    """A model server ``model serve`` started (``stopped``: and stopped again)."""

    model: ModelRecord
    image: str
    container: Container
    url: str
    ready_seconds: float
    detached: bool
    stopped: bool = False

    @property
    def ref(self) -> str:
        return f"{self.model['name']}:{self.model['version']}"

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model["name"],
            "version": self.model["version"],
            "url": self.url,
            "port": self.container.ports.get(PORT),
            "image": self.image,
            "image_id": self.container.image_id,
            "container": self.container.name,
            "container_id": self.container.id,
            "ready_seconds": round(self.ready_seconds, 3),
            "detached": self.detached,
            "stopped": self.stopped,
        }


@dataclass
class Stopped:
    """What ``model serve --stop`` stopped."""

    servers: list[tuple[str, str]]  # (NAME:VERSION, container name)

    def to_json(self) -> dict[str, Any]:
        return {"stopped": [{"model": ref, "container": name} for ref, name in self.servers]}


def serving_image(
    store: Store, engine: Engine, record: ModelRecord
) -> tuple[str, ImageRecord] | None:
    """The newest serving image of a version that is still in the engine: its first tag that
    still points at it (else its id) and its record."""
    for rid in store.index.images_of_model(record["id"]):
        image = store.get(rid, ImageRecord)
        info = engine.image(image["image_id"])
        if info is None:
            continue
        tags = [t for t in image["tags"] if t in info.tags]
        return (tags[0] if tags else info.id), image
    return None


def no_image(record: ModelRecord) -> RecordNotFound:
    ref = f"{record['name']}:{record['version']}"
    return RecordNotFound(
        f"model {ref} has no serving image in this engine",
        f"run `jupyter mlver model build {ref}` first, or serve with --build",
    )


def _port_free(address: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((address, port))
        except OSError as e:
            return e.errno != errno.EADDRINUSE
    return True


def _check_port(engine: Engine, address: str, port: int) -> None:
    """Say who holds the port when it is one of our servers; the engine checks the rest."""
    for other in engine.containers({SERVE_LABEL: ""}):
        if other.status == "running" and other.ports.get(PORT) == port:
            ref = other.labels.get(SERVE_LABEL, "")
            raise Conflict(
                f"port {port} is in use by the model server of {ref}",
                f"choose another with --port, or stop it: jupyter mlver model serve --stop {ref}",
            )
    if address in ("127.0.0.1", "localhost") and not _port_free("127.0.0.1", port):
        raise Conflict(f"port {port} is in use on this machine", "choose another with --port")


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with (
        contextlib.suppress(OSError, urllib.error.URLError),
        opener.open(f"{url}/v2/health/ready", timeout=2) as answer,
    ):
        return bool(answer.status == 200)
    return False


def start_server(
    engine: Engine,
    record: ModelRecord,
    image: str,
    *,
    port: int = PORT,
    timeout: float = 120.0,
    say: Callable[[str], None] = lambda _line: None,
) -> Served:
    """Run ``image`` (a serving image of ``record``) with port 8080 published on ``port``;
    return when it is ready."""
    if not 1 <= port <= 65535:
        raise InvalidInput(f"invalid port {port}", "a port is 1-65535")
    address = engine.local_address()
    _check_port(engine, address, port)
    ref = f"{record['name']}:{record['version']}"
    started = time.monotonic()
    container = engine.start(
        image,
        ServiceOptions(
            name=f"mlver-serve-{record['name']}-{record['version']}-{port}",
            ports={PORT: port},
            # A server on this machine listens on loopback only; a remote engine's on all.
            host_ip="127.0.0.1" if address == "127.0.0.1" else "0.0.0.0",
            labels={SERVE_LABEL: ref},
        ),
    )
    url = f"http://{address}:{port}"
    say(f"started {container.name} from {image}; waiting for {url}/v2/health/ready")
    try:
        _wait(engine, container, url, ref, image, started + timeout)
    except BaseException:
        # Its last line is in the error; the container itself would only hold the name.
        with contextlib.suppress(Exception):
            engine.stop(container.id, timeout=5)
        raise
    return Served(record, image, container, url, time.monotonic() - started, detached=True)


def _wait(
    engine: Engine, container: Container, url: str, ref: str, image: str, deadline: float
) -> None:
    hint = f"to see all its output: docker run --rm {image}"
    while not _ready(url):
        now = engine.container(container.id)
        if now is None or now.status not in ("created", "running"):
            raise ServerFailed(
                f"the server of {ref} exited before it was ready{_exit(now)}: "
                f"{_last_line(engine, container)}",
                hint,
            )
        if time.monotonic() > deadline:
            raise ServerFailed(
                f"the server of {ref} was not ready in time: {_last_line(engine, container)}",
                "a large model takes longer to load: raise --timeout",
            )
        time.sleep(0.1)


def run_in_foreground(engine: Engine, served: Served, on_line: Callable[[str], None]) -> None:
    """Pass the server's log to ``on_line`` until the caller is interrupted
    (``KeyboardInterrupt`` goes through) or the server stops by itself (``ServerFailed``);
    either way the container is stopped gracefully and removed."""
    served.detached = False
    cid = served.container.id
    try:
        engine.follow(cid, on_line)
        now = engine.container(cid)
        raise ServerFailed(
            f"the server of {served.ref} stopped by itself{_exit(now)}: "
            f"{_last_line(engine, served.container)}",
            f"to see all its output: docker run --rm {served.image}",
        )
    finally:
        engine.stop(cid, timeout=30)
        served.stopped = True


def _exit(container: Container | None) -> str:
    return f" (exit status {container.exit_code})" if container and container.exit_code else ""


def _last_line(engine: Engine, container: Container) -> str:
    lines = [ln for ln in engine.logs(container.id, tail=_TAIL).splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:") or "Error" in ln]
    return (errors or lines or ["(no output)"])[-1].strip()


def stop_servers(store: Store | None, engine: Engine, ref: str | None) -> Stopped:
    """Stop (SIGTERM, then remove) the servers ``model serve`` started: all of them, every
    version of ``NAME``, or the version ``NAME:VERSION``/``NAME@ALIAS`` names."""
    wanted: str | None = None
    prefix: str | None = None
    if ref is not None:
        mref = parse_ref(ref)
        if mref.alias is not None:
            if store is None:
                raise RecordNotFound("no store to resolve an alias in", "run in the project")
            record = registry.resolve(store, mref)
            wanted = f"{record['name']}:{record['version']}"
        elif mref.version is not None:
            wanted = str(mref)
        else:
            prefix = f"{mref.name}:"
    stopped = []
    for container in engine.containers({SERVE_LABEL: ""}):
        served = container.labels.get(SERVE_LABEL, "")
        if (wanted is not None and served != wanted) or (
            prefix is not None and not served.startswith(prefix)
        ):
            continue
        engine.stop(container.id, timeout=30)
        stopped.append((served, container.name))
    return Stopped(sorted(stopped))
