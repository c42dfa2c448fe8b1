"""Packs and trees in the store: gc rewrites packs that hold garbage, fsck checks every
packed object and names stray packs, and an unchanged directory is the same tree."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jupyter_mlver.core.capture.data import capture_data
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.datarefs import data_files
from jupyter_mlver.core.store.maintenance import fsck, gc
from jupyter_mlver.core.store.store import Store
from tests.support import CLI, damage_object


def _files(folder: Path, count: int, seed: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    when = time.time() - 3600
    for i in range(count):
        path = folder / f"{seed}-{i:04}.bin"
        path.write_bytes(seed.encode() + os.urandom(1000))
        os.utime(path, (when, when))


def test_gc_rewrites_a_pack_holding_garbage(store: Store, project: Path) -> None:
    _files(project / "kept", 50, "k")
    _files(project / "lost", 50, "l")
    # Copies of "lost" are stored (as by a snapshot killed before its record) with "kept".
    with store.objects.writer() as writer:
        capture_data([("lost", "tracked")], root=store.root, state=store.state, writer=writer)
    record = take_snapshot(store, SnapshotOptions(data=["kept"]))
    assert len(store.objects.packs.packs()) == 2
    kept = {f["hash"]: f["path"] for f in data_files(store.objects.get_bytes, record)}
    report = gc(store)
    assert report.objects >= 50  # the lost copies and their tree
    assert len(store.objects.packs.packs()) == 1
    assert len(list((store.dir / "objects" / "pack").iterdir())) == 1
    for oid, path in kept.items():
        assert store.objects.get_bytes(oid) == (project / path).read_bytes()
    assert fsck(store).ok
    assert gc(store).objects == 0  # nothing more to collect


def test_fsck_checks_every_packed_object_and_names_strays(store: Store, project: Path) -> None:
    _files(project / "d", 20, "d")
    record = take_snapshot(store, SnapshotOptions(data=["d"]))
    victim = data_files(store.objects.get_bytes, record)[7]["hash"]
    damage_object(store.objects, victim)
    report = fsck(store)
    assert not report.ok
    assert victim in report.corrupt
    assert any(victim in p for p in report.problems)
    stray = store.dir / "objects" / "pack" / ("0" * 64 + ".pack")
    stray.write_bytes(b"a pack nothing indexes")
    assert any("not indexed" in w for w in fsck(store).warnings)
    gc(store)
    assert not stray.exists()


def test_an_unchanged_directory_is_the_same_tree_and_adds_little(project: Path) -> None:
    _files(project / "many", 400, "m")
    cli = CLI(project)
    first = cli.json("snapshot", "--data", "many")
    sizes = []
    for _ in range(3):
        before = sum(p.stat().st_size for p in (project / ".mlver" / "objects").rglob("*"))
        again = cli.json("snapshot", "--data", "many")
        sizes.append(sum(p.stat().st_size for p in (project / ".mlver" / "objects").rglob("*")))
        sizes[-1] -= before
        assert again["data"] == first["data"]
    # Only the new record (and nothing per file) was added each time.
    assert max(sizes) < 8192, sizes
    (project / "many" / "m-0003.bin").write_bytes(b"changed")
    changed = cli.json("snapshot", "--data", "many")
    assert changed["data"][0]["hash"] != first["data"][0]["hash"]
    diff = cli.json("diff", first["id"], changed["id"])
    assert [d["path"] for d in diff["data"]] == ["many/m-0003.bin"]
