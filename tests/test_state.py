from __future__ import annotations

import os
import time
from pathlib import Path

from jupyter_mlver.core.state import StateCache, matches, stat_key


def test_files_round_trip(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    cache.save_files({"/x.csv": (1, 10, old, "d" * 64, True)})
    got = cache.load_files(["/x.csv", "/missing.csv"])
    assert got == {"/x.csv": (1, 10, old, "d" * 64, True)}
    assert matches(got["/x.csv"], (1, 10, old)) and not matches(got["/x.csv"], (1, 10, old + 1))


def test_a_tree_is_one_listing_replaced_whole(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    info = ("t" * 64, 3, 2, True, [])
    cache.save_tree(
        "/d",
        {"/d/a.csv": (1, 1, old, "a" * 64, True), "/d/sub/b.csv": (2, 2, old, "b" * 64, False)},
        info,
    )
    entries, tree = cache.load_tree("/d")
    assert set(entries) == {"/d/a.csv", "/d/sub/b.csv"} and tree == info
    assert cache.load_tree("/d-other") == ({}, None)
    cache.save_tree("/d", {"/d/a.csv": (1, 1, old, "a" * 64, True)}, None)  # b.csv was deleted
    assert cache.load_tree("/d") == ({"/d/a.csv": (1, 1, old, "a" * 64, True)}, None)


def test_forget_stored_clears_rows_and_trees(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    cache.save_files({"/x.csv": (1, 10, old, "d" * 64, True)})
    files = {"/d/a.csv": (1, 1, old, "d" * 64, True), "/d/b.csv": (2, 1, old, "e" * 64, True)}
    cache.save_tree("/d", files, ("t" * 64, 2, 2, True, []))
    cache.save_tree("/e", {"/e/c.csv": (3, 1, old, "f" * 64, True)}, ("u" * 64, 1, 1, True, []))
    cache.forget_stored(["d" * 64, "u" * 64])
    assert cache.load_files(["/x.csv"])["/x.csv"][4] is False
    tree, info = cache.load_tree("/d")
    assert tree["/d/a.csv"][4] is False and tree["/d/b.csv"][4] is True
    assert info is None  # it no longer vouches for its copies
    assert cache.load_tree("/e")[1] is None  # its tree object itself is gone


def test_racily_clean_files_are_not_cached(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    f = tmp_path / "fresh.csv"
    f.write_text("just written")
    entry = (*stat_key(os.stat(f)), "e" * 64, False)
    cache.save_files({str(f): entry})
    cache.save_tree(str(tmp_path), {str(f): entry}, None)
    assert cache.load_files([str(f)]) == {} and cache.load_tree(str(tmp_path)) == ({}, None)
