"""A deployment's containers on the engine: a network, one proxy, a server per version.

Everything is found again through labels: ``io.mlver.deployment=<name>`` on every container
and the network, ``io.mlver.role`` (``proxy`` or ``server``), and on a server its proxy slot
and model version. The proxy's config is rewritten in its container after every change, so a
restarted proxy comes back with the same split.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass

from ..engine.protocol import Container, Engine, ImageInfo, ServiceOptions
from ..errors import InvalidInput
from ..images.model_image import repository
from ..records import ModelRecord
from ..store.store import Store
from . import haproxy as hp
from .metrics import get

LABEL = "io.mlver.deployment"
ROLE = "io.mlver.role"
SLOT = "io.mlver.slot"
MODEL = "io.mlver.model"
VERSION = "io.mlver.model.version"
SERVER_PORT = 8080
READY_PATH = "/v2/health/ready"
DEFAULT_PROXY_IMAGE = "haproxy:3.0"


@dataclass(frozen=True)
class Server:
    slot: str
    version: int
    info: Container


def network_name(deployment: str) -> str:
    return f"mlver-{deployment}"


def proxy_name(deployment: str) -> str:
    return f"mlver-{deployment}-proxy"


def server_name(deployment: str, model: ModelRecord) -> str:
    return f"mlver-{deployment}-{model['name']}-{model['version']}"


def containers(engine: Engine, deployment: str) -> list[Container]:
    return engine.containers({LABEL: deployment})


def proxy(engine: Engine, deployment: str) -> Container | None:
    found = engine.container(proxy_name(deployment))
    return found if found is not None and found.labels.get(LABEL) == deployment else None


def servers(engine: Engine, deployment: str) -> dict[str, Server]:
    """Slot -> the running server in it."""
    out: dict[str, Server] = {}
    for info in engine.containers({LABEL: deployment, ROLE: "server"}):
        if info.running and info.labels.get(SLOT) in hp.SLOTS:
            out[info.labels[SLOT]] = Server(info.labels[SLOT], int(info.labels[VERSION]), info)
    return out


def weighted_slots(
    engine: Engine, deployment: str, weights: Mapping[int, int]
) -> dict[str, hp.Slot]:
    """The proxy's slots with their servers' addresses, for the versions ``weights`` names."""
    out = {}
    for slot, server in servers(engine, deployment).items():
        if server.version in weights and server.info.address:
            out[slot] = hp.Slot(f"{server.info.address}:{SERVER_PORT}", weights[server.version])
    return out


def server_of(engine: Engine, deployment: str, version: int) -> Server:
    """The running server of ``version``."""
    for server in servers(engine, deployment).values():
        if server.version == version:
            return server
    raise InvalidInput(
        f"the server of version {version} of deployment {deployment} is not running",
        f"see `docker ps --filter label={LABEL}={deployment}`; "
        f"`deploy stop {deployment}` cleans up",
    )


def other_slot(slot: str) -> str:
    """The proxy's other slot: where a second version starts."""
    return "b" if slot == "a" else "a"


def runtime_api(engine: Engine, info: Container) -> hp.RuntimeAPI:
    return hp.RuntimeAPI(engine.local_address(), info.ports[hp.ADMIN_PORT])


def serving_images(
    store: Store, engine: Engine, model: ModelRecord, prefix: str = ""
) -> list[ImageInfo]:
    """The version's serving images on the engine, newest first: those ``model build``
    recorded, else one tagged ``NAME:VERSION`` with the version's labels."""
    found = []
    for rid in store.index.images_of_model(model["id"]):
        info = engine.image(store.get(rid)["image_id"])
        if info is not None:
            found.append(info)
    if not found:
        info = engine.image(f"{repository(prefix, model['name'])}:{model['version']}")
        labels = info.labels if info is not None else {}
        if info is not None and (labels.get(MODEL), labels.get(VERSION)) == (
            model["name"],
            str(model["version"]),
        ):
            found.append(info)
    return found


def serving_image(store: Store, engine: Engine, model: ModelRecord, prefix: str = "") -> str:
    """The id of the version's newest serving image on the engine."""
    found = serving_images(store, engine, model, prefix)
    if not found:
        label = f"{model['name']}:{model['version']}"
        raise InvalidInput(
            f"no serving image {label} on the engine",
            f"run `jupyter mlver model build {label}` first",
        )
    return found[0].id


def check_proxy_image(engine: Engine, image: str) -> None:
    try:
        engine.ensure_image(image)
    except InvalidInput:
        raise InvalidInput(
            f"proxy image {image!r} is not here and cannot be pulled",
            "pull or build one (e.g. docker pull haproxy:3.0), or choose another with "
            "--proxy-image (c.Mlver.proxy_image, $MLVER_PROXY_IMAGE)",
        ) from None


def check_port_free(engine: Engine, host_ip: str, port: int) -> None:
    """Refuse a port something on this machine listens on (a remote engine says it itself)."""
    if engine.local_address() != "127.0.0.1":
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host_ip, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                raise InvalidInput(f"port {port} is in use", "choose another with --port") from None
            raise


def start_server(
    engine: Engine, deployment: str, model: ModelRecord, slot: str, image: str, timeout: float
) -> Container:
    """Start a version's server in ``slot`` and wait until it answers ready."""
    name = server_name(deployment, model)
    stale = engine.container(name)
    if stale is not None and stale.labels.get(LABEL) == deployment:
        engine.stop(name, timeout=5)
    info = engine.start(
        image,
        ServiceOptions(
            name=name,
            network=network_name(deployment),
            labels={
                LABEL: deployment,
                ROLE: "server",
                SLOT: slot,
                MODEL: model["name"],
                VERSION: str(model["version"]),
            },
            ports={SERVER_PORT: None},
        ),
    )
    try:
        wait_ready(engine, info, timeout)
    except BaseException:
        engine.stop(name, timeout=5)
        raise
    return info


def server_url(engine: Engine, info: Container) -> str:
    return f"http://{engine.local_address()}:{info.ports[SERVER_PORT]}"


def wait_ready(engine: Engine, info: Container, timeout: float) -> None:
    url = server_url(engine, info) + READY_PATH
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(urllib.error.URLError, OSError):
            if get(url, timeout=2)[0] == 200:
                return
        now = engine.container(info.name)
        if now is None or not now.running:
            logs = engine.logs(info.name, tail=5).strip().splitlines()
            raise InvalidInput(
                f"the server {info.name} stopped as it started: "
                f"{logs[-1] if logs else 'no output'}",
                f"see `docker logs {info.name}`",
            )
        time.sleep(0.25)
    raise InvalidInput(
        f"the server {info.name} is not ready after {timeout:g} s",
        f"see `docker logs {info.name}`",
    )


def start_proxy(
    engine: Engine,
    deployment: str,
    image: str,
    slots: Mapping[str, hp.Slot],
    host_ip: str,
    port: int,
) -> Container:
    info = engine.start(
        image,
        ServiceOptions(
            name=proxy_name(deployment),
            network=network_name(deployment),
            labels={LABEL: deployment, ROLE: "proxy"},
            entrypoint=["haproxy"],
            command=["-W", "-db", "-f", hp.CONFIG_PATH],
            files=hp.config_archive(hp.render(slots, health_path=READY_PATH)),
            files_at=hp.CONFIG_DIR,
            stop_signal="SIGUSR1",  # soft stop: requests in flight finish
            ports={hp.TRAFFIC_PORT: port, hp.ADMIN_PORT: None, hp.METRICS_PORT: None},
            host_ip=host_ip,
        ),
    )
    api = runtime_api(engine, info)
    deadline = time.monotonic() + 30
    while True:
        try:
            api.servers()
            break
        except hp.ProxyError:
            now = engine.container(info.name)
            if now is None or not now.running or time.monotonic() > deadline:
                logs = engine.logs(info.name, tail=5).strip().splitlines()
                engine.stop(info.name, timeout=1)
                raise InvalidInput(
                    f"the proxy did not start: {logs[-1] if logs else 'no output'}",
                    "check the proxy image (--proxy-image)",
                ) from None
            time.sleep(0.2)
    return info


def sync_config(engine: Engine, info: Container, slots: Mapping[str, hp.Slot]) -> None:
    """Write the config for the current split into the proxy (read when it restarts)."""
    engine.put_files(
        info.name, hp.CONFIG_DIR, hp.config_archive(hp.render(slots, health_path=READY_PATH))
    )


def remove_all(engine: Engine, deployment: str) -> int:
    """Stop and remove every container of the deployment (proxy first) and its network."""
    found = containers(engine, deployment)
    found.sort(key=lambda i: i.labels.get(ROLE) != "proxy")
    for info in found:
        engine.stop(info.name, timeout=30)
    engine.remove_network(network_name(deployment))
    return len(found)
