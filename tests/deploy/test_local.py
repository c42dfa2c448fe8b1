"""Deployments on the real engine behind the real proxy: a canary split, weight changes and a
promotion under load without a failed request, an automatic rollback by watch of a version
that fails on some inputs, status and history, and clean-up by stop."""

from __future__ import annotations

import time
from typing import Any

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.models import aliases as al
from jupyter_mlver.core.store.store import Store
from tests.deploy.conftest import LABEL, free_port
from tests.deploy.fleet import Fleet
from tests.deploy.traffic import Client, Loop


def _versions(status: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {v["version"]: v for v in status["versions"]}


def test_canary_split_promotion_and_rollback(fleet: Fleet, engine: DockerEngine) -> None:
    cli, name, env = fleet.cli(), fleet.name, fleet.env
    d, port = f"{name}-main", free_port()

    event = cli.json("deploy", f"{name}:1", "--name", d, "--port", str(port), env=env)
    assert (event["event"], event["version"], event["weight"], event["port"]) == (
        "deployed", 1, 100, port,
    )  # fmt: skip
    client = Client(port, name, seed=1)
    assert client.versions(20) == {"1": 20}
    containers = engine.containers({LABEL: d})
    assert {c.labels["io.mlver.role"] for c in containers} == {"proxy", "server"}
    assert all(c.labels[LABEL] == d for c in containers)

    loop = Loop(Client(port, name, seed=2))
    loop.start()
    try:
        event = cli.json("deploy", f"{name}:2", "--canary", "20", "--name", d, env=env)
        assert (event["event"], event["version"], event["weight"], event["stable"]) == (
            "canary", 2, 20, 1,
        )  # fmt: skip
        seen = loop.split(client, 500)
        total = sum(seen.values())
        assert set(seen) == {"1", "2"}
        assert 0.14 * total <= seen["2"] <= 0.26 * total, seen

        status = cli.json("deploy", "status", d, env=env)
        versions = _versions(status)
        assert (versions[1]["weight"], versions[2]["weight"]) == (80, 20)
        assert versions[2]["role"] == "canary"
        assert versions[2]["requests"] >= 70
        assert versions[2]["error_rate"] == 0
        assert versions[2]["p95_ms"] > 0
        assert versions[1]["drift_share"] == 0  # the same distribution as the training data

        event = cli.json("deploy", f"{name}:2", "--canary", "50", "--name", d, env=env)
        assert (event["event"], event["weight"]) == ("weight", 50)
        # HAProxy's weighted round robin places a reweighted server anew, and the one whose
        # weight rose takes a run of requests first; the share is judged after that.
        loop.split(client, 150)
        seen = loop.split(client, 300)
        total = sum(seen.values())
        assert 0.4 * total <= seen["2"] <= 0.6 * total, seen

        watched = cli(
            "deploy", "watch", d, "--min-requests", "20", "--for", "60",
            "--promote-after", "3", "--interval", "1", "--json", env=env, check=False,
        )  # fmt: skip
        assert watched.returncode == 0, watched.stderr
        assert '"outcome": "promoted"' in watched.stdout
        assert client.versions(50) == {"2": 50}
    finally:
        loop.stop()
    assert loop.failures == [], f"{len(loop.failures)} failed requests: {loop.failures[:10]}"
    assert loop.answers["1"] > 0
    assert loop.answers["2"] > 0
    with Store.open(fleet.root) as store:
        assert al.holders(store, name)["production"] == 2

    # A canary that fails on some inputs is rolled back by watch within its period.
    cli.json("deploy", f"{name}:3", "--canary", "30", "--name", d, env=env)
    loop = Loop(Client(port, name, seed=3))
    loop.start()
    started = time.monotonic()
    try:
        watched = cli(
            "deploy", "watch", d, "--max-error-rate", "0.05", "--min-requests", "20",
            "--for", "60", "--interval", "1", env=env, check=False,
        )  # fmt: skip
    finally:
        loop.stop()
    assert watched.returncode == 3, watched.stdout + watched.stderr
    assert time.monotonic() - started < 60
    assert "rolled back" in watched.stdout
    assert "error rate" in watched.stdout
    assert client.versions(100) == {"2": 100}
    status = cli.json("deploy", "status", d, env=env)
    versions = _versions(status)
    assert versions[3]["weight"] == 0
    assert versions[2]["weight"] == 100
    history = cli.json("deploy", "history", d)["events"]
    assert [e["event"] for e in history] == [
        "deployed", "canary", "weight", "promoted", "canary", "rolled_back",
    ]  # fmt: skip
    last = history[-1]
    assert last["version"] == 3
    assert last["weight"] == 0
    assert last["stable"] == 2
    assert "error rate" in last["reason"]
    figures = last["figures"]["versions"]["3"]
    assert figures["error_rate"] > 0.05
    assert figures["requests"] >= 20
    with Store.open(fleet.root) as store:
        assert al.holders(store, name)["production"] == 2

    # Without a canary, a rollback goes back to the version stable before the last promotion.
    event = cli.json("deploy", "rollback", d, "--reason", "v2 misbehaves", env=env)
    assert (event["event"], event["version"], event["stable"]) == ("rolled_back", 2, 1)
    assert client.versions(50) == {"1": 50}
    with Store.open(fleet.root) as store:
        assert al.holders(store, name)["production"] == 1
        moved = al.holder(store, name, "production")
        assert moved is not None
        assert "v2 misbehaves" in (store.get(moved.id)["reason"] or "")
    listed = cli.json("deploy", "list")["deployments"]
    assert [
        (r["deployment"], r["stable"], r["canary"]) for r in listed if r["deployment"] == d
    ] == [(d, 1, None)]

    stopped = cli.json("deploy", "stop", d, env=env)
    assert stopped["event"] == "stopped"
    assert engine.containers({LABEL: d}) == []
    assert not engine.api.networks(names=[f"mlver-{d}"])


def test_watch_rolls_back_a_canary_whose_inputs_drifted(fleet: Fleet, engine: DockerEngine) -> None:
    cli, name, env = fleet.cli(), fleet.name, fleet.env
    d, port = f"{name}-drift", free_port()
    cli("deploy", f"{name}:1", "--name", d, "--port", str(port), env=env)
    try:
        cli("deploy", f"{name}:2", "--canary", "50", "--name", d, env=env)
        shifted = Client(port, name, seed=4)
        for _ in range(60):  # x1 far above anything in the training data, x2 as in it
            assert shifted.infer([2.0 + 0.01 * j for j in range(4)])[0] == 200
        status = cli.json("deploy", "status", d, env=env)
        versions = _versions(status)
        assert versions[1]["drift_share"] == versions[2]["drift_share"] == 0.5  # x1, not x2
        watched = cli(
            "deploy", "watch", d, "--max-drift-share", "0.4", "--min-requests", "10",
            "--for", "30", "--interval", "1", env=env, check=False,
        )  # fmt: skip
        assert watched.returncode == 3, watched.stdout + watched.stderr
        last = cli.json("deploy", "history", d)["events"][-1]
        assert last["event"] == "rolled_back"
        assert "drift share 0.5 > 0.4" in last["reason"]
        assert last["figures"]["versions"]["2"]["drift_share"] == 0.5
    finally:
        cli("deploy", "stop", d, env=env)
