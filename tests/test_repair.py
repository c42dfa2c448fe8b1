"""``fsck --repair`` heals a store whose records name data copies that were never stored (the
damage a killed snapshot followed by a warm one left before 0.2), and a hash cache written
by that version is not trusted."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

from jupyter_mlver.core.store import Store
from tests.support import CLI


def _dataset(project: Path, files: int = 20) -> dict[str, bytes]:
    big = project / "big"
    big.mkdir()
    contents = {}
    when = time.time() - 3600  # settled data: the hash cache keeps it
    for i in range(files):
        path = big / f"part-{i:03}.bin"
        path.write_bytes(i.to_bytes(4, "little") + os.urandom(8192))
        os.utime(path, (when, when))
        contents[f"big/{path.name}"] = path.read_bytes()
    return contents


def _lose_copies(project: Path, record: dict[str, object], count: int) -> list[str]:
    """Remove data copies from the store behind its back, as the bug left them."""
    lost = []
    with Store.open(project) as store:
        for entry in record["data"][:count]:  # type: ignore[index]
            store.objects.path(entry["hash"]).unlink()
            lost.append(entry["hash"])
    return lost


def test_repair_copies_missing_data_again_from_the_working_tree(project: Path) -> None:
    cli = CLI(project)
    contents = _dataset(project)
    record = cli.json("snapshot", "-m", "damaged", "--data", "big")
    lost = _lose_copies(project, record, 12)
    changed = next(e["path"] for e in record["data"][:12] if e["hash"] == lost[0])
    gone = next(e["path"] for e in record["data"][:12] if e["hash"] == lost[1])
    (project / changed).write_bytes(b"edited since the snapshot")
    (project / gone).unlink()

    check = cli("fsck", check=False)
    assert check.returncode == 1 and "--repair" in check.stdout
    assert all(oid in check.stdout for oid in lost)

    repaired = cli("fsck", "--repair", "--json", check=False)
    assert repaired.returncode == 1  # two cannot come back from the working tree
    out = json.loads(repaired.stdout)
    assert len(out["repaired"]) == 10 and changed not in out["repaired"]
    assert len(out["unrepaired"]) == 2
    assert any(changed in line and "changed since" in line for line in out["unrepaired"])
    assert any(gone in line and "is gone" in line for line in out["unrepaired"])
    assert len(out["problems"]) == 2

    # Put the two files back as they were: a second repair completes the store.
    (project / changed).write_bytes(contents[changed])
    (project / gone).write_bytes(contents[gone])
    assert cli("fsck", "--repair").returncode == 0
    assert "ok" in cli("fsck").stdout
    shutil.rmtree(project / "big")
    cli("checkout", record["id"], "--no-notebook")
    for rel, data in contents.items():
        assert (project / rel).read_bytes() == data


def test_repair_puts_back_a_corrupt_copy(project: Path) -> None:
    cli = CLI(project)
    contents = _dataset(project, files=3)
    record = cli.json("snapshot", "--data", "big")
    victim = record["data"][0]
    with Store.open(project) as store:
        path = store.objects.path(victim["hash"])
        path.chmod(0o644)
        path.write_bytes(b"bit rot")
    assert cli("fsck", check=False).returncode == 1
    text = cli("fsck", "--repair").stdout
    assert f"repaired: {victim['path']}" in text
    with Store.open(project) as store:
        assert store.objects.get_bytes(victim["hash"]) == contents[victim["path"]]


def test_claims_of_a_cache_written_before_the_fix_are_checked(project: Path) -> None:
    """A store damaged by the bug also has a hash cache vouching for the lost copies; the
    first snapshot after the upgrade copies them again instead of trusting it."""
    cli = CLI(project)
    _dataset(project)
    record = cli.json("snapshot", "--data", "big")
    lost = _lose_copies(project, record, 8)
    state = project / ".mlver" / "state.sqlite"
    with sqlite3.connect(state) as conn:
        assert conn.execute("SELECT count(*) FROM trees").fetchone()[0] == 1
        conn.execute("PRAGMA user_version = 3")  # the layout that could lie
    again = cli.json("snapshot", "--data", "big")
    assert [e["hash"] for e in again["data"]] == [e["hash"] for e in record["data"]]
    with Store.open(project) as store:
        assert all(store.objects.exists(oid) for oid in lost)
    assert "ok" in cli("fsck").stdout  # the first record is whole again, too
