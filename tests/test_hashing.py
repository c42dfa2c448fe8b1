from __future__ import annotations

import hashlib
import os
from pathlib import Path

import blake3
from hypothesis import given
from hypothesis import strategies as st

from jupyter_mlver.core import records
from jupyter_mlver.core.hashing import (
    MMAP_THRESHOLD,
    hash_bytes,
    hash_file,
    hash_manifest,
)


def test_small_and_large_files_hash_like_their_bytes(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"hello")
    large = tmp_path / "large"
    payload = os.urandom(MMAP_THRESHOLD + 12345)
    large.write_bytes(payload)
    assert hash_file(small) == blake3.blake3(b"hello").hexdigest()
    assert hash_file(large) == blake3.blake3(payload).hexdigest()
    assert hash_file(large) != hashlib.sha256(payload).hexdigest()


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e").write_bytes(b"")
    assert hash_file(tmp_path / "e") == hash_bytes(b"")


def test_manifest_is_order_independent_and_content_sensitive() -> None:
    a = [("a.csv", "1" * 64), ("b/c.csv", "2" * 64)]
    assert hash_manifest(a) == hash_manifest(list(reversed(a)))
    assert hash_manifest(a) != hash_manifest([("a.csv", "1" * 64), ("b/c.csv", "3" * 64)])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values))
def test_canonical_json_is_deterministic_and_key_order_free(value: dict[str, object]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert records.canonical_json(value) == records.canonical_json(reordered)
    rid, data = records.encode({**value, "schema": records.TAG})
    assert rid == hash_bytes(data)
