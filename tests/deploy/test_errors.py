"""Bad input: one line on stderr, exit 1, nothing started and no event written."""

from __future__ import annotations

import socket
import subprocess

import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.store.store import Store
from tests.deploy.conftest import LABEL, free_port
from tests.deploy.fleet import Fleet


def _events(fleet: Fleet) -> int:
    with Store.open(fleet.root) as store:
        return len(store.index.record_ids("deployment"))


def fails(fleet: Fleet, *args: str, env: dict[str, str] | None = None) -> str:
    before = _events(fleet)
    proc: subprocess.CompletedProcess[str] = fleet.cli()(
        *args, check=False, env={**fleet.env, **(env or {})}
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("jupyter mlver: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert _events(fleet) == before
    return lines[0]


def test_unknown_deployment_and_ref(fleet: Fleet) -> None:
    for command in ("status", "history", "promote", "rollback", "stop", "watch"):
        assert "no deployment named 'nope'" in fails(fleet, "deploy", command, "nope")
    assert "no model named 'nosuch'" in fails(fleet, "deploy", "nosuch:1")
    assert f"model {fleet.name} has no version 9" in fails(fleet, "deploy", f"{fleet.name}:9")
    assert "invalid model name 'Bad Ref'" in fails(fleet, "deploy", "Bad Ref")


def test_no_engine(fleet: Fleet, tmp_path: object) -> None:
    line = fails(fleet, "deploy", f"{fleet.name}:1", env={"DOCKER_HOST": "unix:///nonexistent"})
    assert "no Docker engine answers at unix:///nonexistent" in line


def test_port_in_use_starts_nothing(fleet: Fleet, engine: DockerEngine) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        line = fails(fleet, "deploy", f"{fleet.name}:1", "--name", "taken", "--port", str(port))
    assert f"port {port} is in use" in line
    assert engine.containers({LABEL: "taken"}) == []


def test_missing_images(fleet: Fleet, engine: DockerEngine) -> None:
    line = fails(fleet, "deploy", f"{fleet.name}:4", "--name", "noimage")
    assert f"no serving image {fleet.name}:4" in line
    assert f"jupyter mlver model build {fleet.name}:4" in line
    line = fails(fleet, "deploy", f"{fleet.name}:1", "--name", "noproxy",
                 env={"MLVER_PROXY_IMAGE": "mlver-test/no-such-proxy:1"})  # fmt: skip
    assert "proxy image 'mlver-test/no-such-proxy:1'" in line
    assert engine.containers({LABEL: "noimage"}) == engine.containers({LABEL: "noproxy"}) == []


def test_misplaced_options(fleet: Fleet) -> None:
    assert "--replicas is for --target kserve" in fails(
        fleet, "deploy", f"{fleet.name}:1", "--replicas", "3"
    )
    assert "--port and --proxy-image are for local deployments" in fails(
        fleet, "deploy", f"{fleet.name}:1", "--target", "kserve", "--port", "9000"
    )
    assert "a share must be 0 to 100" in fails(
        fleet, "deploy", f"{fleet.name}:2", "--canary", "120", "--name", "x"
    )


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("--max-error-rate=1.5", "is not a share from 0 to 1"),
        ("--max-drift-share=-1", "is not a share from 0 to 1"),
        ("--alpha=2", "--alpha 2 is not between 0 and 1"),
        ("--force", "--force needs --reason TEXT"),
    ],
)
def test_bad_limits(fleet: Fleet, limit: str, message: str) -> None:
    # Checked before the deployment is looked up.
    assert message in fails(fleet, "deploy", "watch", "nope", limit)


def test_running_deployment_refuses_what_does_not_fit(fleet: Fleet, engine: DockerEngine) -> None:
    d, port = f"{fleet.name}-errors", free_port()
    cli = fleet.cli()
    cli("deploy", f"{fleet.name}:1", "--name", d, "--port", str(port), env=fleet.env)
    try:
        assert f"deployment {d} is running" in fails(fleet, "deploy", f"{fleet.name}:2",
                                                     "--name", d)  # fmt: skip
        assert "is the stable version" in fails(
            fleet, "deploy", f"{fleet.name}:1", "--canary", "10", "--name", d
        )
        assert "has no canary to watch" in fails(fleet, "deploy", "watch", d)
        assert "has no canary to promote" in fails(fleet, "deploy", "promote", d)
        assert "no canary and no earlier version" in fails(fleet, "deploy", "rollback", d)
    finally:
        cli("deploy", "stop", d, env=fleet.env)
    assert engine.containers({LABEL: d}) == []
    assert f"deployment {d} is not running" in fails(fleet, "deploy", "stop", d)
    assert f"deployment {d} is not running" in fails(
        fleet, "deploy", f"{fleet.name}:2", "--canary", "10", "--name", d
    )
