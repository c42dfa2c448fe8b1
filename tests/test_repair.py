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
from typing import Any

from jupyter_mlver.core.store.store import Store
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


def _files(project: Path, ref: str) -> list[dict[str, Any]]:
    out = CLI(project).json("show", ref, "--files")["data"]
    assert isinstance(out, list)
    return out


def _lose_copies(project: Path, files: list[dict[str, Any]]) -> list[str]:
    """Remove data copies from the store behind its back, as the bug left them."""
    with Store.open(project) as store:
        for entry in files:
            assert store.objects.remove(entry["hash"]) > 0
    return [e["hash"] for e in files]


def test_repair_copies_missing_data_again_from_the_working_tree(project: Path) -> None:
    cli = CLI(project)
    contents = _dataset(project)
    record = cli.json("snapshot", "-m", "damaged", "--data", "big")
    files = _files(project, record["id"])
    lost = _lose_copies(project, files[:12])
    changed, gone = files[0]["path"], files[1]["path"]
    (project / changed).write_bytes(b"edited since the snapshot")
    (project / gone).unlink()

    check = cli("fsck", check=False)
    assert check.returncode == 1
    assert "--repair" in check.stdout
    assert all(oid in check.stdout for oid in lost)

    repaired = cli("fsck", "--repair", "--json", check=False)
    assert repaired.returncode == 1  # two cannot come back from the working tree
    out = json.loads(repaired.stdout)
    assert len(out["repaired"]) == 10
    assert changed not in out["repaired"]
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
    """A loose copy (a large file) and a packed one (a small file), each damaged on disk."""
    cli = CLI(project)
    contents = _dataset(project, files=3)
    (project / "big" / "large.bin").write_bytes(os.urandom(2 << 20))
    contents["big/large.bin"] = (project / "big" / "large.bin").read_bytes()
    record = cli.json("snapshot", "--data", "big")
    files = {f["path"]: f for f in _files(project, record["id"])}
    small, large = files["big/part-000.bin"], files["big/large.bin"]
    with Store.open(project) as store:
        loose = store.objects.local_path(large["hash"])
        assert loose is not None
        assert store.objects.local_path(small["hash"]) is None
        loose.chmod(0o644)
        loose.write_bytes(b"bit rot")
        location = store.objects.packs.locate(small["hash"])
        assert location is not None
        pack, offset, _ = location
        with open(store.objects.packs.pack_path(pack), "r+b") as packed:
            packed.seek(offset)
            packed.write(b"rot")
    check = cli("fsck", check=False)
    assert check.returncode == 1
    assert small["hash"] in check.stdout
    assert large["hash"] in check.stdout
    text = cli("fsck", "--repair").stdout
    assert "repaired: big/part-000.bin" in text
    assert "repaired: big/large.bin" in text
    with Store.open(project) as store:
        for f in (small, large):
            assert store.objects.get_bytes(f["hash"]) == contents[f["path"]]
    assert "ok" in cli("fsck").stdout


def test_claims_of_a_cache_written_before_the_fix_are_checked(project: Path) -> None:
    """A store damaged by the bug also has a hash cache vouching for the lost copies; the
    first snapshot after the upgrade copies them again instead of trusting it."""
    cli = CLI(project)
    _dataset(project)
    record = cli.json("snapshot", "--data", "big")
    lost = _lose_copies(project, _files(project, record["id"])[:8])
    state = project / ".mlver" / "state.sqlite"
    with sqlite3.connect(state) as conn:
        assert conn.execute("SELECT count(*) FROM trees").fetchone()[0] == 1
        conn.execute("PRAGMA user_version = 3")  # the layout that could lie
    again = cli.json("snapshot", "--data", "big")
    assert again["data"] == record["data"]  # the same tree
    with Store.open(project) as store:
        assert all(store.objects.exists(oid) for oid in lost)
    assert "ok" in cli("fsck").stdout  # the first record is whole again, too
