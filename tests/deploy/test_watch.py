"""``deploy watch`` on a busy machine's latency, on the real engine and proxy: a canary as fast
as its stable version (its p95 far over --max-p95-ms, as the stable's is) is not rolled back,
and its promotion, refused by the model's gate, ends in a ``refused`` event or, with --force
--reason, a promotion; a canary 10 ms slower is rolled back for its latency."""

from __future__ import annotations

import subprocess

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.models import aliases as al
from jupyter_mlver.core.store.store import Store
from tests.deploy.conftest import free_port
from tests.deploy.fleet import Fleet
from tests.deploy.traffic import Client, Loop


def _outcome(done: subprocess.CompletedProcess[str]) -> str:
    """The watch's last line on stdout: its outcome."""
    return done.stdout.strip().splitlines()[-1]


def test_watch_judges_latency_against_the_stable_version(
    fleet: Fleet, busy_model: str, engine: DockerEngine
) -> None:
    cli, env, name = fleet.cli(), fleet.env, busy_model
    d, port = f"{fleet.name}-busy", free_port()
    watch = (
        "deploy", "watch", d, "--min-requests", "50", "--max-p95-ms", "5", "--for", "30",
        "--promote-after", "4", "--interval", "1",
    )  # fmt: skip
    cli("deploy", f"{name}:1", "--name", d, "--port", str(port), env=env)
    loop = Loop(Client(port, name, seed=6))
    loop.start()
    try:
        cli("deploy", f"{name}:2", "--canary", "50", "--name", d, env=env)
        refused = cli(*watch, env=env, check=False)
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert _outcome(refused).startswith(f"{d}: took out the canary after ")
        assert "promotion refused by the gate: " in _outcome(refused)
        last = cli.json("deploy", "history", d)["events"][-1]
        assert (last["event"], last["version"], last["weight"], last["stable"]) == (
            "refused", 2, 0, 1,
        )  # fmt: skip
        assert "accuracy=0.8, worse than accuracy=0.9" in last["reason"]
        figures = last["figures"]
        latency = figures["verdict"]["latency"]
        assert latency["judged"], latency["message"]
        assert not latency["worse"], latency["message"]
        # Both versions' p95 is far over 5 ms: a limit on p95 alone would have rolled it back.
        assert figures["versions"]["1"]["p95_ms"] > 5
        assert figures["versions"]["2"]["p95_ms"] > 5
        versions = {v["version"]: v for v in cli.json("deploy", "status", d)["versions"]}
        assert (versions[1]["weight"], versions[2]["weight"]) == (100, 0)

        cli("deploy", f"{name}:2", "--canary", "50", "--name", d, env=env)
        forced = cli.json(*watch, "--force", "--reason", "accuracy within noise", env=env)
        assert forced["outcome"] == "promoted", forced["reason"]
        assert forced["reason"].endswith("; forced: accuracy within noise")
        assert forced["event"]["event"] == "promoted"
        with Store.open(fleet.root) as store:
            assert al.holders(store, name)["production"] == 2
            moved = al.holder(store, name, "production")
            assert moved is not None
            assert store.get(moved.id)["forced"]

        cli("deploy", f"{name}:3", "--canary", "50", "--name", d, env=env)
        slower = cli(*watch, env=env, check=False)
        assert slower.returncode == 3, slower.stdout + slower.stderr
        assert _outcome(slower).startswith(f"{d}: rolled back the canary after ")
        last = cli.json("deploy", "history", d)["events"][-1]
        assert (last["event"], last["version"], last["stable"]) == ("rolled_back", 3, 2)
        assert last["reason"].startswith("watch: latency median ")
        assert "Mann–Whitney U p=" in last["reason"]
    finally:
        loop.stop()
        cli("deploy", "stop", d, env=env)
    assert loop.failures == [], f"{len(loop.failures)} failed requests: {loop.failures[:10]}"
