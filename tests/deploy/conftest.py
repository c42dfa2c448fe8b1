"""Fixtures for the deploy tests: the real engine and proxy image, and one project per session
whose model (three versions, each with its serving image built once) every test deploys under
a deployment name and port of its own.

``make test`` exports DOCKER_HOST, MLVER_TEST_BASE_IMAGE and MLVER_TEST_PROXY_IMAGE from
scripts/ensure-*.sh; when one does not answer, the tests that need it fail saying how to
start it.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.errors import EngineUnavailable
from tests.deploy.fleet import Fleet, add_busy_model, make_fleet
from tests.images.helpers import DEFAULT_BASE

SETUP_HINT = (
    "run `make test`, or: export DOCKER_HOST=$(scripts/ensure-docker.sh | tail -n1); "
    "export MLVER_TEST_BASE_IMAGE=$(scripts/ensure-base-image.sh | tail -n1); "
    "export MLVER_TEST_PROXY_IMAGE=$(scripts/ensure-proxy-image.sh | tail -n1)"
)
LABEL = "io.mlver.deployment"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def engine() -> DockerEngine:
    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        pytest.fail(f"the deploy tests need a Docker engine: {e.message}. {SETUP_HINT}")


def _image(engine: DockerEngine, variable: str, default: str) -> str:
    image = os.environ.get(variable, default)
    if engine.image(image) is None:
        pytest.fail(f"no image {image} in the engine at {engine.host}. {SETUP_HINT}")
    return image


@pytest.fixture(scope="session")
def proxy_image(engine: DockerEngine) -> str:
    return _image(engine, "MLVER_TEST_PROXY_IMAGE", "mlver-test/haproxy:2.6-bookworm")


@pytest.fixture(scope="session")
def fleet(
    tmp_path_factory: pytest.TempPathFactory, engine: DockerEngine, proxy_image: str
) -> Iterator[Fleet]:
    base = _image(engine, "MLVER_TEST_BASE_IMAGE", DEFAULT_BASE)
    made = make_fleet(tmp_path_factory.mktemp("deploy"), engine, base, proxy_image)
    name = made.name
    try:
        yield made
    finally:
        for c in engine.api.containers(all=True, filters={"label": LABEL}):
            if name in c["Names"][0]:
                with contextlib.suppress(Exception):
                    engine.api.remove_container(c["Id"], force=True)
        for network in engine.api.networks(filters={"label": LABEL}):
            if network["Name"].startswith(f"mlver-{name}"):
                with contextlib.suppress(Exception):
                    engine.api.remove_network(network["Id"])
        for image in engine.api.images():
            for tag in image.get("RepoTags") or []:
                if f"{name}:" in tag or f"{name}-busy:" in tag:
                    with contextlib.suppress(Exception):
                        engine.untag(tag)


@pytest.fixture(scope="session")
def busy_model(fleet: Fleet, engine: DockerEngine) -> str:
    """The fleet's second model, whose versions answer with a busy machine's latency."""
    return add_busy_model(fleet, engine)
