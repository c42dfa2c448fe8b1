from __future__ import annotations

import os
import time
from pathlib import Path

from jupyter_mlver.core.state import StateCache, StatKey


def test_cache_round_trip_and_tree_lookup(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    key = StatKey(1, 10, old)
    cache.save(
        [
            ("/d/a.csv", key, "a" * 64),
            ("/d/sub/b.csv", key, "b" * 64),
            ("/d-other/c.csv", key, "c" * 64),
            ("/x.csv", key, "d" * 64),
        ]
    )
    under_d = cache.load([], ["/d"])
    assert set(under_d) == {"/d/a.csv", "/d/sub/b.csv"}
    assert cache.load(["/x.csv"], []) == {"/x.csv": (key, "d" * 64)}


def test_racily_clean_files_are_not_cached(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    f = tmp_path / "fresh.csv"
    f.write_text("just written")
    cache.save([(str(f), StatKey.of(os.stat(f)), "e" * 64)])
    assert cache.load([str(f)], []) == {}
