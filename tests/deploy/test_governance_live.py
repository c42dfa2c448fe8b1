"""Model health with a live deployment on the real engine: the live drift share and a canary
that fails more requests than its stable version, from `deploy status`'s own figures."""

from __future__ import annotations

from jupyter_mlver.core.engine.docker import DockerEngine
from tests.deploy.conftest import free_port
from tests.deploy.fleet import Fleet
from tests.deploy.traffic import Client


def test_health_of_a_served_model(fleet: Fleet, engine: DockerEngine) -> None:
    cli, name, env = fleet.cli(), fleet.name, fleet.env
    d, port = f"{name}-health", free_port()
    deployed = cli.json("deploy", f"{name}:1", "--name", d, "--port", str(port), env=env)
    try:
        # Version 3 fails on inputs with x1 > 0.8: as a canary it fails every shifted request.
        cli("deploy", f"{name}:3", "--canary", "50", "--name", d, env=env)
        shifted = Client(port, name, seed=5)
        # Enough for the live verdict's 50 requests per version (min_requests) at 50%.
        statuses = [shifted.infer([2.0 + 0.01 * j for j in range(4)])[0] for _ in range(140)]
        assert statuses.count(200) >= 50
        assert statuses.count(200) < 140

        row = cli.json("model", "health", name)["models"][0]
        (live,) = [x for x in row["deployments"] if x["deployment"] == d]
        assert (live["stable"], live["canary"], live["canary_weight"]) == (1, 3, 50)
        assert live["stable_since"] == deployed["created"]
        figures = {v["version"]: v for v in live["versions"]}
        assert figures[1]["role"] == "stable"
        assert figures[3]["role"] == "canary"
        assert figures[1]["error_rate"] == 0
        assert figures[3]["error_rate"] == 1.0
        assert figures[1]["requests"] >= 50
        assert figures[3]["requests"] >= 50
        # x1 drifted, x2 did not: half the columns of the stable version's sampled inputs.
        assert figures[1]["drift_share"] == 0.5
        assert live["drift_share"] == 0.5
        assert row["drift_share"] == 0.5

        rec = row["recommendation"]
        assert rec["action"] == "roll back"
        rules = [f["rule"] for f in rec["findings"]]
        assert rules[0] == "canary_errors"
        assert "drift" in rules
        where = f"{name}:3 (50% canary in deployment {d})"
        assert rec["reason"].startswith(f"{where}: error rate 1.000")
        assert cli("model", "health", name, "--check", check=False).returncode == 1

        # Without the live figures the canary has nothing against it here (no metric).
        quiet = cli.json("model", "health", name, "--no-live")
        (live,) = [x for x in quiet["models"][0]["deployments"] if x["deployment"] == d]
        assert live["versions"] == []
        assert quiet["live"] is False
    finally:
        cli("deploy", "stop", d, env=env)
    row = cli.json("model", "health", name)["models"][0]
    assert d not in [x["deployment"] for x in row["deployments"]]
