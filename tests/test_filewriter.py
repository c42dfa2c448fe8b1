"""core/store/filewriter.py: store objects written out as files, verified, never torn."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlver.core.hashing import hash_bytes
from jupyter_mlver.core.store import durable, filewriter, placing, verified
from jupyter_mlver.core.store.filewriter import FileWriter, Placement, sweep_leftovers
from jupyter_mlver.core.store.objects import ObjectStore
from jupyter_mlver.core.store.workers import Workers
from tests.support import damage_object


@pytest.fixture
def objects(tmp_path: Path) -> Iterator[ObjectStore]:
    store = ObjectStore(tmp_path / "objects", tmp_path / "tmp")
    yield store
    store.close()


def put(objects: ObjectStore, contents: dict[str, bytes]) -> dict[str, str]:
    """Store each content (small ones packed, large ones loose); name -> object id."""
    ids = {}
    with objects.writer() as w:
        for name, data in contents.items():
            oid = hash_bytes(data)
            if len(data) <= 1024 * 1024:
                w.add_packed(oid, data)
            else:
                w.add_bytes(data)
            ids[name] = oid
    return ids


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def placements(root: Path, contents: dict[str, bytes], ids: dict[str, str]) -> list[Placement]:
    return [Placement(str(root / name), ids[name], len(data)) for name, data in contents.items()]


def sample(dirs: int = 3, files: int = 20) -> dict[str, bytes]:
    contents = {
        f"d{d}/sub/f{i}.bin": os.urandom(100 + i) for d in range(dirs) for i in range(files)
    }
    contents["big.bin"] = os.urandom(3 << 20)
    contents["empty"] = b""
    return contents


@pytest.fixture(params=["nameless", "named"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Files made without a name and linked (O_TMPFILE), or under a temporary name."""
    if request.param == "named":
        monkeypatch.setattr(placing, "_TMPFILE", 0)
    return str(request.param)


def test_files_come_out_byte_for_byte_with_the_usual_mode(
    objects: ObjectStore, tmp_path: Path, route: str
) -> None:
    contents = sample()
    ids = put(objects, contents)
    out = tmp_path / "work"
    with FileWriter(objects, jobs=1) as writer:
        placed = writer.write(placements(out, contents, ids))
    assert placed.ok
    assert tree(out) == contents
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(out / "d0/sub/f0.bin").st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(out / "big.bin").st_mode) == 0o666 & ~umask
    written = {target: (key, oid) for target, key, oid in placed.files()}
    st = os.stat(out / "big.bin")
    assert written[str(out / "big.bin")] == (
        (st.st_ino, st.st_size, st.st_mtime_ns),
        ids["big.bin"],
    )
    assert len(written) == len(contents)


def test_worker_processes_fill_directories_at_once(
    objects: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filewriter, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(filewriter, "BATCH_FILES", 7)  # several batches per directory
    started: list[int] = []
    original = Workers.__enter__

    def spy(self: Workers) -> Workers:
        out = original(self)
        started.extend(p.pid for p in self.procs)
        return out

    monkeypatch.setattr(Workers, "__enter__", spy)
    contents = sample(dirs=5, files=30)
    ids = put(objects, contents)
    out = tmp_path / "work"
    with FileWriter(objects, jobs=2) as writer:
        placed = writer.write(placements(out, contents, ids))
    assert len(started) == 2
    assert placed.ok
    assert tree(out) == contents


def test_a_replaced_file_keeps_its_mode(objects: ObjectStore, tmp_path: Path, route: str) -> None:
    ids = put(objects, {"a": b"new content", "big": os.urandom(2 << 20)})
    for name in ("a", "big"):
        (tmp_path / name).write_bytes(b"old")
        (tmp_path / name).chmod(0o640)
    with FileWriter(objects) as writer:
        placed = writer.write(
            [
                Placement(str(tmp_path / "a"), ids["a"], 11, 0o640),
                Placement(str(tmp_path / "big"), ids["big"], 2 << 20, 0o640),
            ]
        )
    assert placed.ok
    assert (tmp_path / "a").read_bytes() == b"new content"
    for name in ("a", "big"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_file_that_appeared_since_the_plan_is_replaced_whole(
    objects: ObjectStore, tmp_path: Path, route: str
) -> None:
    ids = put(objects, {"a": b"restored"})
    (tmp_path / "a").write_bytes(b"appeared meanwhile")
    with FileWriter(objects) as writer:
        assert writer.write([Placement(str(tmp_path / "a"), ids["a"], 8)]).ok
    assert (tmp_path / "a").read_bytes() == b"restored"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("damaged", ["d1/sub/f3.bin", "big.bin"])
def test_a_damaged_object_is_never_renamed_into_place(
    objects: ObjectStore, tmp_path: Path, damaged: str
) -> None:
    contents = sample()
    ids = put(objects, contents)
    damage_object(objects, ids[damaged])
    out = tmp_path / "work"
    (out / Path(damaged).parent).mkdir(parents=True)
    (out / damaged).write_bytes(b"what the user had")
    with FileWriter(objects, jobs=1) as writer:
        placed = writer.write(placements(out, contents, ids))
    assert list(placed.corrupt) == [str(out / damaged)]
    assert (out / damaged).read_bytes() == b"what the user had"
    assert [p.name for p in out.rglob("*.tmp")] == []


def test_what_a_killed_run_left_is_swept_by_the_next(objects: ObjectStore, tmp_path: Path) -> None:
    ids = put(objects, {"a": b"content"})
    work = tmp_path / "work"
    work.mkdir()
    (work / ".a.mlver-0badc0de.tmp").write_bytes(b"half")
    (work / ".keep.mlver-notours.tmp").write_bytes(b"someone else's")
    objects.tmp.mkdir(exist_ok=True)
    (objects.tmp / "checkout.journal").write_text(f"0badc0de\n{work}\n")
    with FileWriter(objects) as writer:
        assert not (work / ".a.mlver-0badc0de.tmp").exists()
        assert writer.write([Placement(str(work / "a"), ids["a"], 7)]).ok
    assert sorted(p.name for p in work.iterdir()) == [".keep.mlver-notours.tmp", "a"]
    assert (objects.tmp / "checkout.journal").read_text() == ""


def test_gc_sweeps_a_killed_run_too(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".x.mlver-feedf00d.tmp").write_bytes(b"half")
    (tmp_path / "checkout.journal").write_text(f"feedf00d\n{work}\n")
    sweep_leftovers(tmp_path)
    assert list(work.iterdir()) == []


def test_without_syncfs_each_file_and_directory_is_synced(
    objects: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    monkeypatch.setattr(durable, "_syncfs", lambda _path: False)
    monkeypatch.setattr(durable, "fsync_path", lambda path: synced.append(os.fspath(path)))
    contents = {"d/a": b"1", "d/b": b"2", "e/c": b"3"}
    ids = put(objects, contents)
    with FileWriter(objects) as writer:
        assert writer.write(placements(tmp_path / "w", contents, ids)).ok
    expected = [str(tmp_path / "w" / n) for n in contents]
    expected += [str(tmp_path / "w" / "d"), str(tmp_path / "w" / "e")]
    assert sorted(synced) == sorted(expected)


@pytest.mark.parametrize("route", ["kernel", "stream"])
def test_large_copies_are_checked_whichever_way_they_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    monkeypatch.setattr(verified, "_reflink", lambda _s, _d: False)
    if route == "stream":
        monkeypatch.setattr(verified, "_kernel_copy", lambda *_a: False)
    src = tmp_path / "src"
    data = os.urandom(5 << 20)
    src.write_bytes(data)
    seen: list[int] = []
    fd = os.open(tmp_path / "dst", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        verified.copy_large(str(src), fd, hash_bytes(data), len(data), seen.append)
    finally:
        os.close(fd)
    assert (tmp_path / "dst").read_bytes() == data
    assert sum(seen) == len(data)
    fd = os.open(tmp_path / "dst2", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with pytest.raises(verified.Corrupt):
            verified.copy_large(str(src), fd, hash_bytes(b"other"), len(data))
    finally:
        os.close(fd)


class _Bar:
    def __init__(self, **kwargs: object) -> None:
        self.kwargs = kwargs
        self.n = 0
        self.closed = False

    def update(self, n: int) -> None:
        self.n += n

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("after", "shown"), [(0.0, True), (3600.0, False)])
def test_progress_counts_files_and_bytes_once_a_checkout_lasts(
    objects: ObjectStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    after: float,
    shown: bool,
) -> None:
    monkeypatch.setattr(filewriter, "PROGRESS_AFTER", after)
    bars: list[_Bar] = []

    def factory(**kwargs: object) -> _Bar:
        bars.append(_Bar(**kwargs))
        return bars[-1]

    contents = sample()
    ids = put(objects, contents)
    with FileWriter(objects, jobs=2, progress=factory) as writer:
        assert writer.write(placements(tmp_path / "work", contents, ids)).ok
    if not shown:
        assert bars == []
        return
    files, size = bars
    assert (files.kwargs["total"], files.n, files.kwargs["unit"]) == (len(contents),) * 2 + (
        "file",
    )
    total = sum(map(len, contents.values()))
    assert (size.kwargs["total"], size.n, size.kwargs["unit"]) == (total, total, "B")
    assert files.closed
    assert size.closed
