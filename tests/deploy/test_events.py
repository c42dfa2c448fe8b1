"""``mlver.deployment/1`` events: schema, order, the state replayed from them, reindex, and
push/pull carrying them with the model versions they name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.deploy import events as ev
from jupyter_mlver.core.errors import RecordNotFound
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.records import DeploymentRecord, ModelRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store
from tests.support import CLI
from tests.test_records import validate


def register(store: Store, project: Path, name: str = "churn", n: int = 3) -> list[ModelRecord]:
    snap = take_snapshot(store, SnapshotOptions(message="train"))
    out = []
    for i in range(n):
        path = project / f"model-{i}.bin"
        path.write_bytes(bytes([i]) * 10)
        out.append(
            registry.register(
                store,
                prepare_path(store, path, "file"),
                RegistrationOptions(name),
                snapshot=snap["id"],
            )
        )
    return out


def play(store: Store, versions: list[ModelRecord]) -> list[DeploymentRecord]:
    v1, v2, v3 = versions
    return [
        ev.append(
            store, deployment="web", event="deployed", model=v1, weight=100, stable=1, port=8000
        ),
        ev.append(
            store, deployment="web", event="canary", model=v2, weight=20, stable=1, port=8000
        ),
        ev.append(
            store, deployment="web", event="weight", model=v2, weight=50, stable=1, port=8000
        ),
        ev.append(
            store,
            deployment="web",
            event="promoted",
            model=v2,
            weight=100,
            stable=2,
            port=8000,
            reason="held",
            figures={"versions": {"2": {"requests": 300}}},
        ),
        ev.append(
            store, deployment="web", event="canary", model=v3, weight=10, stable=2, port=8000
        ),
        ev.append(
            store,
            deployment="web",
            event="rolled_back",
            model=v3,
            weight=0,
            stable=2,
            port=8000,
            reason="watch: error rate 0.300 > 0.05",
        ),
    ]


def test_events_match_the_schema_and_keep_their_order(store: Store, project: Path) -> None:
    made = play(store, register(store, project))
    for event in made:
        validate(event, "deployment")
        assert records.kind(event) == "deployment"
        assert event["model_record"] in set(records.references(event))
    history = ev.history(store, "web")
    assert [e["id"] for e in history] == [e["id"] for e in made]
    stamps = [e["created"] for e in history]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)


def test_state_replayed_from_the_events(store: Store, project: Path) -> None:
    versions = register(store, project)
    made = play(store, versions)
    state = ev.state(store, "web")
    assert (state.stable, state.canary, state.weights) == (2, None, {2: 100, 3: 0})
    assert state.retired == 3
    assert state.previous_stable() == 1
    # Mid-way, with a canary at 50%:
    for e in made[3:]:
        store.index.conn.execute("DELETE FROM deployment_events WHERE id = ?", (e["id"],))
    state = ev.state(store, "web")
    assert (state.stable, state.canary, state.canary_weight) == (1, 2, 50)
    assert state.weights == {1: 50, 2: 50}
    assert state.previous_stable() is None


def test_a_held_watch_changes_nothing_and_a_refused_one_takes_the_canary_out(
    store: Store, project: Path
) -> None:
    v1, v2, _ = register(store, project)
    common: dict[str, Any] = {"deployment": "web", "stable": 1, "port": 8000}
    ev.append(store, event="deployed", model=v1, weight=100, **common)
    ev.append(store, event="canary", model=v2, weight=20, **common)
    held = ev.append(store, event="held", model=v2, weight=20, reason="watch: not judged", **common)
    validate(held, "deployment")
    state = ev.state(store, "web")
    assert (state.stable, state.canary, state.weights) == (1, 2, {1: 80, 2: 20})
    assert [e["event"] for e in state.changes] == ["deployed", "canary"]
    refused = ev.append(
        store, event="refused", model=v2, weight=0, reason="watch: promotion refused", **common
    )
    validate(refused, "deployment")
    state = ev.state(store, "web")
    assert (state.stable, state.canary, state.retired, state.weights) == (
        1,
        None,
        2,
        {1: 100, 2: 0},
    )
    assert ev.deployments(store)[0]["last_event"] == "refused"


def test_unknown_deployment_names_the_known_ones(store: Store, project: Path) -> None:
    play(store, register(store, project))
    with pytest.raises(RecordNotFound, match=r"no deployment named 'nope'.*web"):
        ev.history(store, "nope")


def test_reindex_and_push_pull_carry_the_events(project: Path, tmp_path: Path) -> None:
    with Store.open(project, create=True) as store:
        made = play(store, register(store, project))
    cli = CLI(project)
    cli("reindex")
    with Store.open(project) as store:
        assert [e["id"] for e in ev.history(store, "web")] == [e["id"] for e in made]
    cli("remote", "add", "origin", str(tmp_path / "remote"))
    assert cli.json("push")["ok"]
    clone = tmp_path / "clone"
    clone.mkdir()
    other = CLI(clone)
    other("remote", "add", "origin", str(tmp_path / "remote"), "--store", str(clone / ".mlver"))
    assert other.json("pull", "--store", str(clone / ".mlver"))["ok"]
    with Store.open(clone) as store:
        assert [e["id"] for e in ev.history(store, "web")] == [e["id"] for e in made]
        assert registry.resolve(store, "churn:3")["id"] == made[-1]["model_record"]
    history = other.json("deploy", "history", "web", "--store", str(clone / ".mlver"))
    assert [e["event"] for e in history["events"]] == [
        "deployed",
        "canary",
        "weight",
        "promoted",
        "canary",
        "rolled_back",
    ]
    assert "error rate 0.300" in history["events"][-1]["reason"]
