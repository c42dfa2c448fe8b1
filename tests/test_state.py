from __future__ import annotations

import os
import time
from pathlib import Path

from jupyter_mlver.core.state import CacheEntry, StateCache, stat_key


def test_cache_round_trip_and_tree_lookup(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    old = time.time_ns() - 10 * 10**9
    key = (1, 10, old)
    cache.save(
        [
            ("/d/a.csv", key, "a" * 64, True),
            ("/d/sub/b.csv", key, "b" * 64, False),
            ("/d-other/c.csv", key, "c" * 64, True),
            ("/x.csv", key, "d" * 64, True),
        ]
    )
    under_d = cache.load([], ["/d"])
    assert set(under_d) == {"/d/a.csv", "/d/sub/b.csv"}
    assert under_d["/d/sub/b.csv"] == CacheEntry("/d/sub/b.csv", *key, "b" * 64, False)
    assert under_d["/d/sub/b.csv"].matches(key)
    assert not under_d["/d/sub/b.csv"].matches((1, 10, old + 1))
    assert cache.load(["/x.csv"], []) == {"/x.csv": CacheEntry("/x.csv", *key, "d" * 64, True)}
    cache.forget_stored(["d" * 64])
    assert not cache.load(["/x.csv"], [])["/x.csv"].stored


def test_racily_clean_files_are_not_cached(tmp_path: Path) -> None:
    cache = StateCache(tmp_path / "state.sqlite")
    f = tmp_path / "fresh.csv"
    f.write_text("just written")
    cache.save([(str(f), stat_key(os.stat(f)), "e" * 64, False)])
    assert cache.load([str(f)], []) == {}
