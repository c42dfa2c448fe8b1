"""A push SIGKILLed while it claims version numbers, then run again: every version holds
one number (one claim names it), the store agrees with the remote, fsck is clean, and a
colleague pulling gets the same numbers. On SeaweedFS and on a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.remote import claims
from jupyter_mlver.core.remote.backend import RemoteFS
from jupyter_mlver.core.remote.config import get_remote
from jupyter_mlver.core.remote.ledger import Ledger
from jupyter_mlver.core.store.maintenance import fsck
from tests.crashpoints import counts, run_armed
from tests.remote.conftest import Target, make_target
from tests.remote.team import User, build_team


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_team(tmp_path_factory.mktemp("team"))


def _round(registered: dict[str, Any], where: Path, target: Target) -> tuple[User, User]:
    """Bob has published churn:1 on ``target``; Alice (churn:1 and 2, local) has not."""
    where.mkdir()
    bob = registered["bob"].copy(where, target)
    bob.push()
    return registered["alice"].copy(where, target), bob


def _claimed(user: User) -> dict[int, str | None]:
    with user.store() as store, Ledger(store.dir) as ledger:
        rfs = RemoteFS(get_remote(store, "origin"))
        listed = claims.listing(rfs, ledger, "churn").get("churn", {})
    return {n: c.record for n, c in listed.items()}


def test_a_push_killed_while_claiming_then_run_again(
    registered: dict[str, Any], target: Target, tmp_path: Path, s3_endpoint: str
) -> None:
    seeds = registered["seeds"]
    alice_ids = {rid for rid, seed in seeds.items() if seed in (1.0, 2.0)}
    alice, _ = _round(registered, tmp_path / "count", target)
    passed = run_armed(alice.root, "count", 0, "push")
    assert passed.returncode == 0, passed.stderr
    creates = counts(passed.stderr)["number"]
    assert creates >= 2  # churn:2 and churn:3 (and the S3 check)
    plan = [(p, n) for p in ("number", "numbered") for n in range(1, creates + 1)]
    for i, (point, n) in enumerate(plan):
        remote = make_target(target.kind, tmp_path, s3_endpoint)
        alice, bob = _round(registered, tmp_path / f"round-{i}", remote)
        killed = run_armed(alice.root, point, n, "push", "-j", "4")
        assert killed.returncode == -9, f"{point}:{n} was never reached: {killed.stderr}"
        alice.push()
        claimed = _claimed(alice)
        holders = [rid for rid in claimed.values() if rid is not None and rid in alice_ids]
        assert sorted(holders) == sorted(alice_ids), (point, n, claimed)  # one number each
        here = alice.numbers("churn")
        mine = {rid: (number, True) for number, rid in claimed.items() if rid in alice_ids}
        assert here == mine, (point, n)
        with alice.store() as store:
            assert fsck(store).ok, (point, n)
        bob.pull()
        assert {rid: v for rid, v in bob.numbers("churn").items() if rid in alice_ids} == here
