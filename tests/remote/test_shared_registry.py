"""A registry a team shares through one remote: one numbering of model versions, claimed on
the remote by conditional creates, on a real S3 server (SeaweedFS) and on a directory.

Each user is a clone with its own store in its own folder, as separate machines would have.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import remote
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.versions import list_versions
from jupyter_mlver.core.remote import claims
from jupyter_mlver.core.remote.backend import RemoteFS
from jupyter_mlver.core.remote.config import get_remote
from jupyter_mlver.core.remote.ledger import Ledger
from jupyter_mlver.core.store.maintenance import fsck
from tests.remote.conftest import Target
from tests.remote.team import User, build_team, distinct, fitted

STEPS = ("alice push", "bob push", "alice pull", "bob pull")
SYNC = ("alice push", "bob push", "alice pull", "bob pull")
#: The 24 orders of the four steps fall in 12 kinds (who pushes first; whether each pull
#: sees the other's push; whether a user pulled a colleague's version before pushing): one
#: order of each kind.
ORDERS = [
    ("alice push", "bob push", "alice pull", "bob pull"),
    ("alice push", "alice pull", "bob push", "bob pull"),
    ("alice push", "alice pull", "bob pull", "bob push"),
    ("alice push", "bob pull", "bob push", "alice pull"),
    ("bob push", "alice push", "alice pull", "bob pull"),
    ("bob push", "alice pull", "alice push", "bob pull"),
    ("bob push", "alice pull", "bob pull", "alice push"),
    ("bob push", "bob pull", "alice push", "alice pull"),
    ("alice pull", "bob push", "alice push", "bob pull"),
    ("alice pull", "bob push", "bob pull", "alice push"),
    ("alice pull", "bob pull", "alice push", "bob push"),
    ("bob pull", "alice push", "bob push", "alice pull"),
]


def _kind(order: tuple[str, ...]) -> tuple[bool, ...]:
    at = {step: i for i, step in enumerate(order)}
    alice_sees, bob_sees = at["bob push"] < at["alice pull"], at["alice push"] < at["bob pull"]
    return (
        at["alice push"] < at["bob push"],
        alice_sees,
        bob_sees,
        alice_sees and at["alice pull"] < at["alice push"],
        bob_sees and at["bob pull"] < at["bob push"],
    )


def _claims(user: User, model: str) -> dict[int, str | None]:
    """Number -> the record its claim names, as the remote says."""
    with user.store() as store, Ledger(store.dir) as ledger:
        rfs = RemoteFS(get_remote(store, "origin"))
        listed = claims.listing(rfs, ledger, model).get(model, {})
    return {n: c.record for n, c in listed.items()}


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_team(tmp_path_factory.mktemp("team"))


@pytest.fixture
def team(registered: dict[str, Any], tmp_path: Path, target: Target) -> dict[str, Any]:
    """The registered team, copied for this test, pushing to ``target``."""
    return {
        "alice": registered["alice"].copy(tmp_path, target),
        "bob": registered["bob"].copy(tmp_path, target),
        "seeds": registered["seeds"],
    }


def _check_agreement(users: list[User], seeds: dict[str, float]) -> dict[str, int]:
    """Every store numbers every version the same, all published, distinct; each number
    loads the artifact its author registered; fsck is clean."""
    first = users[0].numbers("churn")
    assert set(first) == set(seeds)
    assert all(published for _, published in first.values())
    assert distinct(first)
    for user in users:
        assert user.numbers("churn") == first
        with user.store() as store:
            assert fsck(store).ok
            assert len(list_versions(store, "churn").versions) == len(seeds)
            assert registry.list_models(store)[0]["versions"] == len(seeds)
        for rid, (number, _) in first.items():
            expected = [float(c) for c in fitted(seeds[rid]).coef_.ravel()]
            assert user.load_coef(f"churn:{number}") == pytest.approx(expected)
    return {rid: n for rid, (n, _) in first.items()}


def test_the_orders_cover_every_kind() -> None:
    kinds = {_kind(order) for order in itertools.permutations(STEPS)}
    assert {_kind(order) for order in ORDERS} == kinds
    assert len(ORDERS) == len(kinds)


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o).replace(" ", "_") for o in ORDERS])
def test_two_users_push_and_pull_in_every_order(
    team: dict[str, Any], order: tuple[str, ...]
) -> None:
    alice, bob, seeds = team["alice"], team["bob"], team["seeds"]
    a1, a2 = [rid for rid, s in seeds.items() if s in (1.0, 2.0)]
    users = {"alice": alice, "bob": bob}
    for step in (*order, *SYNC):
        who, what = step.split()
        getattr(users[who], what)()
        for user in users.values():  # no store ever holds one number twice
            assert distinct(user.numbers("churn")), step
    numbers = _check_agreement([alice, bob], seeds)
    assert numbers[a1] < numbers[a2]  # a user's versions keep their order
    assert sorted(numbers.values()) == [1, 2, 3]
    assert _claims(alice, "churn") == {n: rid for rid, n in numbers.items()}


def test_a_renumbering_is_said_recorded_and_followed_by_aliases(
    team: dict[str, Any], target: Target
) -> None:
    alice, bob = team["alice"], team["bob"]
    with alice.store() as store:
        registry.move_alias(store, "churn:2", "staging")
    bob.push()
    pushed = alice.push()
    assert [(r["old"], r["new"]) for r in pushed.renumbered] == [(1, 2), (2, 3)]
    assert "published on origin by bob" in pushed.renumbered[0]["reason"]
    with alice.store() as store:
        assert registry.resolve(store, "churn@staging")["version"] == 3  # followed its version
        past = [e for e in registry.describe(store, "churn")["numbering"] if e["old"] != e["new"]]
        assert [(e["old"], e["new"], e["event"]) for e in past] == [
            (1, 2, "renumbered"),
            (2, 3, "renumbered"),
        ]
        assert all(e["author"]["name"] == "alice" and e["created"] for e in past)
    bob.pull()
    with bob.store() as store:
        assert registry.resolve(store, "churn@staging")["version"] == 3


def test_a_pull_moves_local_versions_past_a_colleagues(team: dict[str, Any]) -> None:
    alice, bob = team["alice"], team["bob"]
    bob.push()
    result = alice.pull()
    assert [(r["old"], r["new"]) for r in result.renumbered] == [(1, 2), (2, 3)]
    numbers = alice.numbers("churn")
    assert sorted(numbers.values()) == [(1, True), (2, False), (3, False)]
    with alice.store() as store:
        versions = list_versions(store, "churn").to_json()
    assert [(v["number"], v["published"]) for v in versions["versions"]] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    alice.push()  # claims 2 and 3 as they are: nothing to renumber
    assert alice.numbers("churn") == {rid: (n, True) for rid, (n, _) in numbers.items()}


def test_refs_by_record_id_keep_working_across_a_renumbering(team: dict[str, Any]) -> None:
    alice, bob = team["alice"], team["bob"]
    a1 = next(rid for rid, s in team["seeds"].items() if s == 1.0)
    bob.push()
    alice.push()
    with alice.store() as store:
        assert store.resolve(a1[:10], kind=None) == a1
        assert store.get(a1)["version"] == 2
    alice.push("churn:2")  # by its new number: already there


def test_a_remote_without_conditional_writes_is_refused_for_models(
    project: Path, tmp_path: Path
) -> None:
    from jupyter_mlver.core.errors import RemoteError

    memory = Target("memory", f"memory://team-{tmp_path.name}")
    user = User.clone(project, "carol", memory)
    user.register("churn", 1.0)
    with user.store() as store, pytest.raises(RemoteError) as info:
        remote.push(store, "origin")
    assert "cannot create a file only if it is absent" in str(info.value)
    assert "registry pushes need it" in str(info.value)
    assert len(str(info.value).splitlines()) == 1


def test_five_processes_publish_one_model_at_once(
    project: Path, target: Target, tmp_path: Path
) -> None:
    users = [User.clone(project, f"user{i}", target) for i in range(5)]
    seeds = {u.register("churn", float(i + 1)): float(i + 1) for i, u in enumerate(users)}
    mlver = str(Path(sys.executable).parent / "jupyter-mlver")
    procs = [
        subprocess.Popen(
            [mlver, "push", "--json"], cwd=u.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for u in users
    ]
    said = [proc.communicate(timeout=300) for proc in procs]
    failed = [err.decode() for (_, err), p in zip(said, procs, strict=True) if p.returncode]
    assert failed == []
    for user in users:
        user.pull()
    numbers = _check_agreement(users, seeds)
    assert sorted(numbers.values()) == [1, 2, 3, 4, 5]
    assert _claims(users[0], "churn") == {n: rid for rid, n in numbers.items()}
