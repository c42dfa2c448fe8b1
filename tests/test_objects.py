from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from jupyter_mlver.core.errors import StoreError
from jupyter_mlver.core.hashing import hash_bytes, hash_file
from jupyter_mlver.core.store.objects import ObjectStore


@pytest.fixture
def objects(tmp_path: Path) -> ObjectStore:
    return ObjectStore(tmp_path / "objects", tmp_path / "tmp")


def test_put_bytes_is_content_addressed_read_only_and_deduplicated(objects: ObjectStore) -> None:
    oid = objects.put_bytes(b"payload")
    assert oid == hash_bytes(b"payload")
    path = objects.path(oid)
    assert path.parent.name == oid[:2]
    assert path.name == oid[2:]
    assert objects.get_bytes(oid) == b"payload"
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    mtime = path.stat().st_mtime_ns
    assert objects.put_bytes(b"payload") == oid
    assert path.stat().st_mtime_ns == mtime  # not rewritten
    assert list(objects.iter_ids()) == [oid]
    assert not any(objects.tmp.iterdir())


def test_put_file_copies_never_links(objects: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "data.bin"
    src.write_bytes(os.urandom(100_000))
    oid = hash_file(src)
    with objects.writer() as w:
        w.add_file(src, oid)
    stored = objects.path(oid)
    assert stored.read_bytes() == src.read_bytes()
    assert stored.stat().st_ino != src.stat().st_ino
    assert src.stat().st_nlink == 1
    src.write_bytes(b"edited in place")
    assert objects.verify(oid)


def test_many_objects_in_one_batch(objects: ObjectStore) -> None:
    with objects.writer() as w:
        ids = [w.add_bytes(str(i).encode()) for i in range(300)]
    assert sorted(objects.iter_ids()) == sorted(ids)
    assert all(objects.verify(i) for i in ids)


def test_aborted_writer_leaves_nothing(objects: ObjectStore) -> None:
    def abort() -> None:
        with objects.writer() as w:
            w.add_bytes(b"never published")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        abort()
    assert list(objects.iter_ids()) == []
    assert not any(objects.tmp.iterdir())


def test_missing_object_is_a_store_error(objects: ObjectStore) -> None:
    with pytest.raises(StoreError, match="missing"):
        objects.get_bytes("ab" * 32)


def test_verify_detects_corruption(objects: ObjectStore) -> None:
    oid = objects.put_bytes(b"original")
    path = objects.path(oid)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    assert not objects.verify(oid)
