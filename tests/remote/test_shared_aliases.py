"""Alias moves from several users merge in one order (time, then author, then id); the
guard on production holds across users; a concurrent move is kept and shown, never dropped.
On SeaweedFS and on a directory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

import pytest

from jupyter_mlver.core.models import aliases as al
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.alias_merge import order
from jupyter_mlver.core.records import AliasRecord
from tests.remote.conftest import Target
from tests.remote.team import User, build_team


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_team(tmp_path_factory.mktemp("team"))


@pytest.fixture
def synced(registered: dict[str, Any], tmp_path: Path, target: Target) -> tuple[User, User]:
    """Alice's churn:1 (auc 0.8) and churn:2 (0.9), Bob's churn:3 (0.85), all published and
    pulled by both; production on churn:1 everywhere."""
    alice = registered["alice"].copy(tmp_path, target)
    bob = registered["bob"].copy(tmp_path, target)
    for step in (alice.push, bob.push, alice.pull, bob.pull):
        step()
    with alice.store() as store:
        registry.move_alias(store, "churn:1", "production")
    alice.push()
    bob.pull()
    return alice, bob


def _move(user: User, ref: str, alias: str) -> None:
    time.sleep(0.005)  # a later event time than the move before it, on any machine's clock
    with user.store() as store:
        registry.move_alias(store, ref, alias)


def _sync(alice: User, bob: User) -> None:
    for step in (alice.push, bob.push, alice.pull, bob.pull):
        step()


def _seen(user: User) -> tuple[dict[str, int], list[AliasRecord]]:
    with user.store() as store:
        return al.holders(store, "churn"), registry.history(store, "churn")


def test_the_guard_holds_across_users(synced: tuple[User, User]) -> None:
    alice, bob = synced
    _move(alice, "churn:2", "production")  # auc 0.9 over 0.8: allowed
    _move(bob, "churn:3", "production")  # 0.85 over 0.8 as Bob sees it, later in time
    alice.push()
    bob.push()
    said = alice.pull().warnings
    assert len(said) == 1
    assert said[0].startswith("churn@production: bob's move to churn:3 was not applied")
    bob.pull()
    held, events = _seen(alice)
    assert _seen(bob) == (held, events)  # every store merges the same way
    assert held["production"] == 2  # Bob's move would replace 0.9 with 0.85: not applied
    bobs = events[-1]
    assert (bobs["author"]["name"], bobs["version"], bobs["applied"]) == ("bob", 3, False)
    assert "concurrent with alice's move of production to churn:2" in bobs["conflict"]
    assert "worse than auc=0.9" in bobs["conflict"]
    assert [e.get("applied", True) for e in events] == [True, True, False]
    with bob.store() as store:  # Bob's own store follows the merge: his move is kept, unused
        assert registry.resolve(store, "churn@production")["version"] == 2


def test_a_later_better_move_wins_and_the_race_is_marked(synced: tuple[User, User]) -> None:
    alice, bob = synced
    _move(bob, "churn:3", "production")  # 0.85
    _move(alice, "churn:2", "production")  # 0.9, later, without having seen Bob's
    _sync(alice, bob)
    held, events = _seen(alice)
    assert _seen(bob) == (held, events)
    assert held["production"] == 2
    alices = events[-1]
    assert alices["author"]["name"] == "alice"
    assert "applied" not in alices
    assert "concurrent with bob's move of production to churn:3" in alices["conflict"]


def test_concurrent_moves_of_any_alias_both_kept_the_later_holds(
    synced: tuple[User, User],
) -> None:
    alice, bob = synced
    _move(alice, "churn:1", "staging")
    _move(bob, "churn:3", "staging")
    _sync(alice, bob)
    held, events = _seen(alice)
    assert _seen(bob) == (held, events)
    assert held["staging"] == 3
    staging = [e for e in events if e["alias"] == "staging"]
    assert [e["author"]["name"] for e in staging] == ["alice", "bob"]
    assert "conflict" not in staging[0]
    assert "concurrent with alice's move of staging to churn:1" in staging[1]["conflict"]


def test_the_merge_order_is_time_then_author_then_id() -> None:
    same = "2026-12-06T10:00:00.000Z"
    # Only what the order reads.
    events = cast(
        list[AliasRecord],
        [
            {"id": "c" * 64, "created": same, "author": {"name": "bob", "email": "b@x"}},
            {"id": "b" * 64, "created": same, "author": {"name": "alice", "email": "a@x"}},
            {"id": "a" * 64, "created": "2026-12-06T10:00:00.001Z", "author": {"name": "al"}},
            {"id": "0" * 64, "created": same, "author": {"name": "alice", "email": "a@x"}},
        ],
    )
    assert [e["id"][0] for e in sorted(events, key=order)] == ["0", "b", "c", "a"]
