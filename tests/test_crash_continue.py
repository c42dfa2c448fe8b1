"""Crash and continue: a snapshot SIGKILLed anywhere, then taken again, leaves a store whose
every record is whole and whose data files all come back byte for byte.

A kill right after a crash is only half the story: the snapshot that follows trusts the hash
cache, so a cache that vouched for a copy a killed run never published would make the next
record name objects that exist nowhere. Each point below kills a real process mid-step.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from jupyter_mlver.core import records
from jupyter_mlver.core.store.maintenance import fsck
from jupyter_mlver.core.store.store import Store
from tests.crashpoints import counts, run_armed
from tests.support import CLI

SMALL_FILES = 70  # packed
LARGE_FILES = 2  # loose, reflinked or copied
#: Kills at fractions of a whole run's wall time, wherever the process happens to be.
FRACTIONS = [0.2, 0.35, 0.5, 0.65, 0.8, 0.95]


def kill_points(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(point, N) spread over a whole snapshot: the first, middle and last pass of each
    step, every rename, and each statement of the index and pack index transactions."""

    def spread(n: int) -> list[int]:
        return sorted({1, max(1, n // 2), n})

    plan = [(p, n) for p in ("hash", "stage", "sync") for n in spread(counts[p])]
    plan += [("staged", counts["stage"])]  # every copy staged, none published
    plan += [("rename", n) for n in range(1, counts["rename"] + 1)]
    plan += [("claim", 1), ("claimed", 1)]  # the hash cache learning what is stored
    plan += [("packs:INSERT", 1), ("packs:COMMIT", counts["packs:COMMIT"])]
    plan += [
        ("index:BEGIN", counts["index:BEGIN"]),
        ("index:INSERT OR IGNORE INTO records", 1),
        ("index:COMMIT", counts["index:COMMIT"]),
    ]
    return plan


def _refill(big: Path, round_: int) -> dict[str, bytes]:
    """New content in every file, so each snapshot has every copy to store again. The files
    are dated a while back, as data usually is, so the hash cache keeps them (it leaves
    alone files changed within the last second)."""
    contents = {}
    block = os.urandom(32 * 1024)
    large = os.urandom(5 << 20)
    for i in range(SMALL_FILES + LARGE_FILES):
        name, tail = (f"s{i:03}", block) if i < SMALL_FILES else (f"l{i}", large)
        contents[f"big/{name}.bin"] = round_.to_bytes(4, "little") + i.to_bytes(4, "little") + tail
    when = time.time() - 3600 + round_
    for rel, data in contents.items():
        (big.parent / rel).write_bytes(data)
        os.utime(big.parent / rel, (when, when))
    return contents


def _check_store(project: Path) -> None:
    with Store.open(project) as store:
        report = fsck(store)
        assert report.ok, report.problems
        for rid in store.index.record_ids():
            for oid in records.references(store.get(rid)):
                assert store.objects.exists(oid), f"record {rid[:12]} names missing {oid[:12]}"


def _check_checkout(project: Path, contents: dict[str, bytes]) -> None:
    shutil.rmtree(project / "big")
    CLI(project)("checkout", "HEAD", "big", "--no-notebook")
    for rel, data in contents.items():
        assert (project / rel).read_bytes() == data, f"{rel} did not come back byte for byte"


def test_snapshot_killed_anywhere_then_taken_again(project: Path) -> None:
    big = project / "big"
    big.mkdir()
    _refill(big, 0)
    assert run_armed(project, "count", 0, "snapshot", "--data", "big").returncode == 0
    _refill(big, 100)
    started = time.monotonic()
    done = run_armed(project, "count", 0, "snapshot", "-m", "whole", "--data", "big")
    whole_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    plan = kill_points(counts(done.stderr))
    plan += [("seconds", int(whole_run * f * 1000)) for f in FRACTIONS]
    assert len(plan) >= 20
    for round_, (point, n) in enumerate(plan, start=1):
        contents = _refill(big, round_)
        killed = run_armed(
            project, point, n, "snapshot", "-m", f"killed {point} {n}", "--data", "big"
        )
        if point != "seconds":
            assert killed.returncode == -9, (
                f"{point}:{n} was never reached (exit {killed.returncode}): {killed.stderr}"
            )
        _check_store(project)
        CLI(project)("snapshot", "-m", f"after {point} {n}", "--data", "big")
        _check_store(project)
        _check_checkout(project, contents)


@pytest.mark.parametrize("point", ["staged", "sync", "rename"])
def test_claims_from_a_killed_snapshot_are_not_trusted_by_the_next(
    project: Path, point: str
) -> None:
    """The reported sequence: kill while copies are staged, snapshot again, restore."""
    big = project / "big"
    big.mkdir()
    contents = _refill(big, 1)
    n = SMALL_FILES + LARGE_FILES if point == "staged" else 1
    assert (
        run_armed(project, point, n, "snapshot", "-m", "killed", "--data", "big").returncode == -9
    )
    CLI(project)("snapshot", "-m", "after", "--data", "big")
    _check_store(project)
    _check_checkout(project, contents)
