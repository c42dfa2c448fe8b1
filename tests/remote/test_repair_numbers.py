"""Stores made before numbers were claimed hold two records under one number; the next pull
or migrate gives every record a number of its own, the same way in every store, and says
so. On SeaweedFS and on a directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.errors import AmbiguousRef
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.remote import numbering
from jupyter_mlver.core.store.maintenance import fsck, reindex
from tests.remote.conftest import Target
from tests.remote.team import User, build_team
from tests.support import CLI


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_team(tmp_path_factory.mktemp("team"))


def _ids(registered: dict[str, Any]) -> tuple[str, str, str]:
    by_seed = {seed: rid for rid, seed in registered["seeds"].items()}
    return by_seed[1.0], by_seed[2.0], by_seed[3.0]


def _push_as_before(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """A push as jupyter_mlver did it before numbers were claimed: records and markers."""
    with monkeypatch.context() as mp:
        mp.setattr(numbering, "local_versions", lambda store, roots: [])
        user.push()


def test_a_pull_repairs_numbers_pushed_before_claims(
    registered: dict[str, Any], target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a1, a2, b1 = _ids(registered)
    alice = registered["alice"].copy(tmp_path, target)
    bob = registered["bob"].copy(tmp_path, target)
    _push_as_before(alice, monkeypatch)
    _push_as_before(bob, monkeypatch)
    seen = []
    for name in ("carol", "dave"):
        user = User.clone(alice.root, name, target, where=tmp_path)
        result = user.pull()
        # Alice's churn:1 was registered first: it keeps 1; Bob's moves past every number.
        assert user.numbers("churn") == {a1: (1, False), a2: (2, False), b1: (3, False)}
        assert [(r["old"], r["new"], r["event"]) for r in result.renumbered] == [(1, 3, "repaired")]
        assert "registered first" in result.renumbered[0]["reason"]
        with user.store() as store:
            assert registry.resolve(store, "churn:1")["id"] == a1
            assert fsck(store).ok
            events = registry.describe(store, "churn")["numbering"]
        seen.append([(e["model_record"], e["old"], e["new"], e["event"]) for e in events])
    assert seen[0] == seen[1] == [(b1, 1, 3, "repaired")]
    alice.pull()
    bob.pull()
    for user in (alice, bob):
        assert user.numbers("churn") == {a1: (1, False), a2: (2, False), b1: (3, False)}
    # Claimed by the next push (of anyone), then the same everywhere.
    bob.push()
    alice.pull()
    assert alice.numbers("churn") == {a1: (1, True), a2: (2, True), b1: (3, True)}


def test_migrate_repairs_a_store_that_holds_one_number_twice(
    registered: dict[str, Any], tmp_path: Path
) -> None:
    a1, a2, b1 = _ids(registered)
    alice = registered["alice"].copy(tmp_path, None)
    bob_objects = registered["bob"].root / ".mlver" / "objects"
    shutil.copytree(bob_objects, alice.root / ".mlver" / "objects", dirs_exist_ok=True)
    with alice.store() as store:
        reindex(store)  # Bob's records are in Alice's store now, as a pull put them
        with pytest.raises(AmbiguousRef, match="churn:1 names 2 records"):
            registry.resolve(store, "churn:1")
    cli = CLI(alice.root)
    out = cli.json("migrate")
    assert [(r["record"], r["old"], r["new"]) for r in out["renumbered"]] == [(b1, 1, 3)]
    history = cli.json("model", "history", "churn")["numbering"]
    assert [(e["model_record"], e["old"], e["new"], e["event"]) for e in history] == [
        (b1, 1, 3, "repaired")
    ]
    assert alice.numbers("churn") == {a1: (1, False), a2: (2, False), b1: (3, False)}
    versions = cli.json("model", "versions", "churn")
    assert [(v["number"], v["record"]) for v in versions["versions"]] == [
        (1, a1),
        (2, a2),
        (3, b1),
    ]
    assert cli.json("model", "list")["models"][0]["versions"] == 3
    assert cli.json("migrate")["renumbered"] == []  # once is enough
    with alice.store() as store:  # the repair survives a rebuilt index
        reindex(store)
    assert json.loads(cli("model", "show", "churn:3", "--json").stdout)["id"] == b1
