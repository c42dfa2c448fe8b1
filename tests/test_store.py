"""Store discovery, refs, tags and the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jupyter_mlver.core.errors import AmbiguousRef, Conflict, InvalidInput, RecordNotFound
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.index import db as index_mod
from jupyter_mlver.core.store.maintenance import reindex
from jupyter_mlver.core.store.store import Store, find_store_dir


def test_store_is_created_at_the_git_root_and_ignored(project: Path) -> None:
    sub = project / "notebooks" / "deep"
    sub.mkdir(parents=True)
    assert find_store_dir(sub) == project / ".mlver"
    Store.open(sub, create=True).close()
    assert (project / ".mlver" / "objects").is_dir()
    assert ".mlver/" in (project / ".gitignore").read_text().splitlines()
    Store.open(sub, create=True).close()  # not added twice
    assert (project / ".gitignore").read_text().count(".mlver") == 1


def test_nearest_store_wins_and_env_var_overrides(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = project / "sub"
    (inner / ".mlver").mkdir(parents=True)
    assert find_store_dir(inner / "x") == inner / ".mlver"
    monkeypatch.setenv("MLVER_STORE", str(tmp_path / "elsewhere"))
    assert find_store_dir(inner) == tmp_path / "elsewhere"


def test_outside_git_the_store_goes_in_the_current_directory(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert find_store_dir(plain) == plain / ".mlver"
    Store.open(plain, create=True).close()
    assert not (plain / ".gitignore").exists()


def test_index_is_wal_and_versioned(store: Store) -> None:
    assert store.index.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    version = store.index.conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == index_mod.SCHEMA_VERSION >= 1


def test_an_index_from_a_newer_version_is_refused(store: Store) -> None:
    path = store.index.path
    store.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {index_mod.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer jupyter_mlver"):
        Store(path.parent).index  # noqa: B018


def test_refs_head_tags_and_prefixes(store: Store) -> None:
    ids = [take_snapshot(store, SnapshotOptions(message=str(i)))["id"] for i in range(3)]
    assert store.resolve("HEAD") == ids[2]
    assert store.resolve("HEAD~1") == ids[1]
    assert store.resolve("HEAD~2") == ids[0]
    with pytest.raises(RecordNotFound, match="only 3"):
        store.resolve("HEAD~3")
    assert store.resolve(ids[0][:8]) == ids[0]
    assert store.resolve(ids[0].upper()[:10]) == ids[0]
    store.add_tag("HEAD~1", "baseline")
    assert store.resolve("baseline") == ids[1]
    with pytest.raises(RecordNotFound, match="unknown ref"):
        store.resolve("nope")
    with pytest.raises(InvalidInput, match="too short"):
        store.resolve("abc")


def test_ambiguous_prefix(store: Store) -> None:
    for rid in ("abcd" + "1" * 60, "abcd" + "2" * 60):
        store.index.conn.execute("INSERT INTO records VALUES (?, 'snapshot', '')", (rid,))
    with pytest.raises(AmbiguousRef, match="ambiguous"):
        store.resolve("abcd")
    assert store.resolve("abcd1") == "abcd" + "1" * 60


def test_tags_are_unique(store: Store) -> None:
    a = take_snapshot(store, SnapshotOptions(tags=["v1"]))
    b = take_snapshot(store, SnapshotOptions())
    with pytest.raises(Conflict, match="already names"):
        store.add_tag(b["id"], "v1")
    with pytest.raises(Conflict):
        take_snapshot(store, SnapshotOptions(tags=["v1"]))
    store.add_tag(a["id"], "v1")  # same target: no-op
    with pytest.raises(InvalidInput, match="invalid tag"):
        store.add_tag(b["id"], "HEAD")


def test_reindex_rebuilds_everything_from_objects(store: Store) -> None:
    a = take_snapshot(store, SnapshotOptions(message="a", tags=["first"]))
    b = take_snapshot(store, SnapshotOptions(message="b", params={"lr": 0.1}))
    store.add_tag(b["id"], "later")
    before, _ = store.index.snapshots()
    store.close()
    (store.dir / "index.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        (store.dir / f"index.sqlite{suffix}").unlink(missing_ok=True)
    assert reindex(store) == 4  # two snapshots, their environment, one tag record
    after, total = store.index.snapshots()
    assert total == 2
    assert [r.id for r in after] == [r.id for r in before] == [b["id"], a["id"]]
    assert store.resolve("later") == b["id"]
    assert store.resolve("first") == a["id"]
    assert store.index.parent_of(b["id"]) == a["id"]


def test_list_filters_and_pages(store: Store) -> None:
    for i in range(5):
        take_snapshot(
            store, SnapshotOptions(message=f"run {i}", params={"depth": i}, tags=[f"t{i}"])
        )
    rows, total = store.index.snapshots(limit=2, offset=1)
    assert total == 5
    assert [r.summary["message"] for r in rows] == ["run 3", "run 2"]
    rows, total = store.index.snapshots(q="RUN 4")
    assert total == 1
    assert rows[0].tags == ["t4"]
    rows, total = store.index.snapshots(tag="t2")
    assert [r.summary["params"] for r in rows] == [{"depth": 2}]
    rows, total = store.index.snapshots(q="100%_")
    assert total == 0
