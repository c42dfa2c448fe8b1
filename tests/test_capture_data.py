from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from jupyter_mlver.core.capture import data as data_mod
from jupyter_mlver.core.capture import files as files_mod
from jupyter_mlver.core.capture.files import DataFile
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.hashing import MMAP_THRESHOLD, hash_file
from jupyter_mlver.core.store.datarefs import data_files
from jupyter_mlver.core.store.objects import ObjectWriter
from jupyter_mlver.core.store.state import Entry, StateCache
from jupyter_mlver.core.store.store import Store


def age(path: Path, seconds: float = 10) -> None:
    """Make a file look written a while ago, so it leaves the hash cache's racy window."""
    t = time.time() - seconds
    os.utime(path, (t, t))


def capture(store: Store, *paths: tuple[str, str], keep: bool = True) -> list[dict[str, object]]:
    """The files a capture records, directories expanded through their trees."""
    with store.objects.writer() as writer:
        entries = data_mod.capture_data(
            list(paths), root=store.root, state=store.state, writer=writer, copies=keep
        )
    return data_files(store.objects.get_bytes, {"data": entries})


def test_directories_are_trees_of_hashed_stored_files(store: Store, project: Path) -> None:
    (project / "data" / "nested").mkdir()
    (project / "data" / "nested" / "deep.bin").write_bytes(os.urandom(5000))
    (project / "data" / ".ipynb_checkpoints").mkdir()
    (project / "data" / ".ipynb_checkpoints" / "x.csv").write_text("skip me")
    with store.objects.writer() as writer:
        recorded = data_mod.capture_data(
            [("data", "tracked")], root=store.root, state=store.state, writer=writer
        )
    assert [(e["path"], e["kind"], e["files"]) for e in recorded] == [("data", "tree", 3)]
    assert recorded[0]["size"] == sum(
        (project / "data" / p).stat().st_size for p in ("nested/deep.bin", "test.csv", "train.csv")
    )
    entries = capture(store, ("data", "tracked"))
    assert [e["path"] for e in entries] == [
        "data/nested/deep.bin",
        "data/test.csv",
        "data/train.csv",
    ]
    for e in entries:
        f = project / str(e["path"])
        assert e["hash"] == hash_file(f)
        assert e["size"] == f.stat().st_size
        assert e["stored"]
        assert store.objects.get_bytes(str(e["hash"])) == f.read_bytes()


def test_hash_only_keeps_no_copies(store: Store) -> None:
    entries = capture(store, ("data/train.csv", "tracked"), keep=False)
    assert entries[0]["stored"] is False
    assert not store.objects.exists(str(entries[0]["hash"]))


def test_unchanged_files_are_not_read_again(
    store: Store, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for f in (project / "data").iterdir():
        age(f)
    capture(store, ("data", "tracked"))
    calls: list[str] = []

    def counting(path: str, size: int | None = None) -> str:
        calls.append(path)
        return hash_file(path, size)

    def not_read(f: DataFile) -> bytes:
        calls.append(f.path)
        return b""

    with monkeypatch.context() as m:
        m.setattr(files_mod, "hash_file", counting)
        m.setattr(files_mod, "_read_small", not_read)
        capture(store, ("data", "tracked"))
    assert calls == []
    (project / "data" / "test.csv").write_text("x,y\n7,8\n")
    read: list[str] = []
    real_read = files_mod._read_small

    def reading(f: DataFile) -> bytes:
        read.append(f.path)
        return real_read(f)

    monkeypatch.setattr(files_mod, "_read_small", reading)
    entries = capture(store, ("data", "tracked"))
    assert read == [str(project / "data" / "test.csv")]
    changed = next(e for e in entries if e["path"] == "data/test.csv")
    assert changed["hash"] == hash_file(project / "data" / "test.csv")


def test_roles_keep_the_most_telling(store: Store) -> None:
    entries = capture(
        store,
        ("data", "tracked"),
        ("data/train.csv", "input"),
        ("data/test.csv", "output"),
        ("data/test.csv", "input"),
    )
    assert {e["path"]: e["role"] for e in entries} == {
        "data/test.csv": "output",
        "data/train.csv": "input",
    }


def test_credential_files_keep_their_hash_only(store: Store, project: Path) -> None:
    (project / "data" / ".env").write_text("API_TOKEN=abc\n")
    entries = capture(store, ("data", "tracked"))
    env = next(e for e in entries if e["path"] == "data/.env")
    assert env["stored"] is False
    assert not store.objects.exists(str(env["hash"]))


def test_missing_path_is_invalid_input(store: Store) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        capture(store, ("nope.csv", "tracked"))


def test_files_outside_the_project_keep_absolute_paths(store: Store, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("o")
    entries = capture(store, (str(outside), "input"))
    assert entries[0]["path"] == outside.as_posix()


def test_a_collected_copy_is_stored_again(store: Store, project: Path) -> None:
    from jupyter_mlver.core.store.maintenance import gc

    for f in (project / "data").iterdir():
        age(f)
    entries = capture(store, ("data", "tracked"))
    gc(store)  # nothing references the copies yet, so they go
    assert not any(store.objects.exists(str(e["hash"])) for e in entries)
    again = capture(store, ("data", "tracked"))
    assert all(store.objects.exists(str(e["hash"])) for e in again)


def test_large_new_files_are_copied_while_hashed_and_touched_ones_are_not(
    store: Store, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = project / "data" / "big.bin"
    big.write_bytes(os.urandom(MMAP_THRESHOLD + 1))
    age(big, 20)  # out of the hash cache's racy window, so the cache remembers it
    copied: list[str] = []
    real = ObjectWriter.copy_ahead

    def counting(self: ObjectWriter, src: str) -> Path:
        copied.append(src)
        return real(self, src)

    monkeypatch.setattr(ObjectWriter, "copy_ahead", counting)
    entries = capture(store, ("data/big.bin", "tracked"))
    assert copied == [str(big)]
    assert store.objects.get_bytes(str(entries[0]["hash"])) == big.read_bytes()
    age(big, 10)  # the same bytes, a new mtime: hashed again, its copy already stored
    again = capture(store, ("data/big.bin", "tracked"))
    assert copied == [str(big)]
    assert again == entries
    big.write_bytes(os.urandom(MMAP_THRESHOLD + 2))  # resized: new content
    capture(store, ("data/big.bin", "tracked"))
    assert copied == [str(big)] * 2
    assert not store.objects.tmp.exists() or not list(store.objects.tmp.iterdir())


def test_a_copy_made_ahead_is_removed_when_nobody_adopts_it(store: Store, project: Path) -> None:
    big = project / "data" / "big.bin"
    big.write_bytes(os.urandom(MMAP_THRESHOLD + 1))
    with store.objects.writer() as writer:
        kept = writer.copy_ahead(str(big))
        writer.adopt(kept, hash_file(big))
        dropped = writer.copy_ahead(str(big))
        assert dropped.read_bytes() == big.read_bytes()
    assert not dropped.exists()
    assert store.objects.exists(hash_file(big))
    staged: list[Path] = []

    def abort() -> None:
        with store.objects.writer() as writer:
            staged.append(writer.copy_ahead(str(big)))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        abort()
    assert not staged[0].exists()


def test_an_unchanged_directory_is_checked_by_one_digest_of_its_walk(
    store: Store, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for f in (project / "data").iterdir():
        age(f)
    first = capture(store, ("data", "tracked"))
    loaded: list[str] = []
    real = type(store.state).load_tree_files

    def loading(self: StateCache, root: str) -> dict[str, Entry]:
        loaded.append(root)
        return real(self, root)

    monkeypatch.setattr(type(store.state), "load_tree_files", loading)
    assert capture(store, ("data", "tracked")) == first
    assert loaded == []
    age(project / "data" / "test.csv", 5)  # only its mtime: the digest differs, the files tell
    assert capture(store, ("data", "tracked")) == first
    assert len(loaded) == 1
    (project / "data" / "test.csv").write_text("x,y\n9,9\n")
    changed = capture(store, ("data", "tracked"))
    assert changed != first
    assert len(loaded) == 2
