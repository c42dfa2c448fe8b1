from __future__ import annotations

import marshal
import os
import sqlite3
import time
from pathlib import Path

from jupyter_mlver.core.store.state import (
    StateCache,
    TreeInfo,
    listing_digest,
    matches,
    stat_key,
)


def test_files_round_trip(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    cache.save_files({"/x.csv": (1, 10, old, "d" * 64, True)})
    got = cache.load_files(["/x.csv", "/missing.csv"])
    assert got == {"/x.csv": (1, 10, old, "d" * 64, True)}
    assert matches(got["/x.csv"], (1, 10, old))
    assert not matches(got["/x.csv"], (1, 10, old + 1))


def test_a_tree_is_one_listing_replaced_whole(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    info: TreeInfo = ("t" * 64, 3, 2, True, [])
    files = {"/d/a.csv": (1, 1, old, "a" * 64, True), "/d/sub/b.csv": (2, 2, old, "b" * 64, False)}
    walked = [("/d/a.csv", (1, 1, old)), ("/d/sub/b.csv", (2, 2, old))]
    cache.save_tree("/d", files, info, listing_digest(walked))
    assert cache.load_tree_files("/d") == files
    assert cache.load_tree("/d") == (info, listing_digest(walked))
    assert listing_digest(walked[::-1]) != listing_digest(walked)
    # Equal values give equal digests, whatever shares or interns them.
    fresh = [("".join(["/d/", p[3:]]), (k[0], k[1], k[2] + 0)) for p, k in walked]
    assert listing_digest(fresh) == listing_digest(walked)
    assert cache.load_tree("/d-other") == (None, None)
    assert cache.load_tree_files("/d-other") == {}
    a_only = {"/d/a.csv": files["/d/a.csv"]}  # b.csv was deleted
    cache.save_tree("/d", a_only, None, listing_digest(walked[:1]))
    assert cache.load_tree("/d") == (None, None)
    assert cache.load_tree_files("/d") == a_only


def test_a_cache_of_version_5_keeps_its_hashes_and_rebuilds_its_trees(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    old = time.time_ns() - 10 * 10**9
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE hashes (path TEXT PRIMARY KEY, inode INTEGER, size INTEGER,"
            " mtime_ns INTEGER, hash TEXT NOT NULL, stored INTEGER NOT NULL)"
        )
        conn.execute("CREATE TABLE trees (root TEXT PRIMARY KEY, entries BLOB, tree BLOB)")
        files = {"/d/a.csv": (1, 1, old, "a" * 64, True)}
        conn.execute(
            "INSERT INTO trees VALUES (?, ?, ?)",
            ("/d", marshal.dumps(files), marshal.dumps(("t" * 64, 1, 1, True, []))),
        )
        conn.execute("PRAGMA user_version = 5")
    cache = StateCache(path)
    assert cache.load_tree_files("/d") == files
    assert cache.load_tree("/d") == (None, None)


def test_forget_stored_clears_rows_and_trees(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    cache.save_files({"/x.csv": (1, 10, old, "d" * 64, True)})
    files = {"/d/a.csv": (1, 1, old, "d" * 64, True), "/d/b.csv": (2, 1, old, "e" * 64, True)}
    cache.save_tree("/d", files, ("t" * 64, 2, 2, True, []), b"walk d")
    e_files = {"/e/c.csv": (3, 1, old, "f" * 64, True)}
    cache.save_tree("/e", e_files, ("u" * 64, 1, 1, True, []), b"walk e")
    cache.forget_stored(["d" * 64, "u" * 64])
    assert cache.load_files(["/x.csv"])["/x.csv"][4] is False
    tree = cache.load_tree_files("/d")
    assert tree["/d/a.csv"][4] is False
    assert tree["/d/b.csv"][4] is True
    assert cache.load_tree("/d") == (None, None)  # it no longer vouches for its copies
    assert cache.load_tree("/e") == (None, None)  # its tree object itself is gone


def test_racily_clean_files_are_not_cached(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    f = tmp_path / "fresh.csv"
    f.write_text("just written")
    entry = (*stat_key(os.stat(f)), "e" * 64, False)
    cache.save_files({str(f): entry})
    cache.save_tree(str(tmp_path), {str(f): entry}, ("t" * 64, 1, 1, True, []), b"walk")
    assert cache.load_files([str(f)]) == {}
    assert cache.load_tree_files(str(tmp_path)) == {}
    assert cache.load_tree(str(tmp_path)) == (None, None)  # a tree vouches only when whole
