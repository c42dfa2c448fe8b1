"""core.remote called the way the magics and the server call it (in process)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from jupyter_mlver.core import remote
from jupyter_mlver.core.errors import AmbiguousRef, InvalidInput, RecordNotFound, RemoteError
from jupyter_mlver.core.records import SnapshotRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.maintenance import fsck
from jupyter_mlver.core.store.store import Store
from jupyter_mlver.views.remote import text
from tests.support import damage_object, data_hashes


class Bar:
    """A tqdm stand-in that remembers what it was told."""

    made: ClassVar[list[Bar]] = []

    def __init__(self, **kw: Any) -> None:
        self.kw = kw
        self.n = 0
        self.closed = False
        Bar.made.append(self)

    def update(self, n: int) -> None:
        self.n += n

    def close(self) -> None:
        self.closed = True


def add(store: Store, target: Any, name: str = "origin") -> None:
    remote.add_remote(store, name, target.url, dict(target.options))


def snap(store: Store, message: str, *data: str, tags: tuple[str, ...] = ()) -> SnapshotRecord:
    return take_snapshot(store, SnapshotOptions(message=message, data=data, tags=tags))


def test_progress_reports_every_byte_once(store: Store, project: Path, target: Any) -> None:
    (project / "data" / "big.bin").write_bytes(os.urandom(5 * 1024 * 1024))
    snap(store, "one", "data")
    add(store, target)
    Bar.made.clear()
    result = remote.push(store, progress=Bar)
    assert result.ok
    assert len(Bar.made) == 1
    bar = Bar.made[0]
    assert bar.kw["total"] == bar.n == result.moved_bytes > 5 * 1024 * 1024
    assert bar.closed
    assert bar.kw["unit"] == "B"
    # Nothing to move: no bar at all.
    Bar.made.clear()
    assert remote.push(store, progress=Bar).moved == 0
    assert Bar.made == []


def test_is_pushed_is_answered_locally(store: Store, project: Path, target: Any) -> None:
    first = snap(store, "one", "data")
    add(store, target)
    assert not remote.is_pushed(store, first["id"])
    remote.push(store, refs=["HEAD"])
    assert remote.is_pushed(store, first["id"], "origin")
    assert remote.is_pushed(store, first["environment"])
    second = snap(store, "two")
    assert not remote.is_pushed(store, second["id"])
    assert remote.pushed_records(store) == {first["id"]: True, first["environment"]: True}


def test_a_wiped_remote_is_noticed_and_refilled(
    store: Store, project: Path, target: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap(store, "one", "data")
    add(store, target)
    first = remote.push(store)
    assert first.checked_ago is None  # it asked the remote
    target.wipe()
    # Within the trust window a push with nothing new is answered from the ledger, and says so.
    trusted = remote.push(store)
    assert (trusted.moved, trusted.checked_ago is not None) == (0, True)
    assert "--verify" in text.transfer(trusted)
    # Once the window has passed, the next push lists the remote, notices and refills it.
    # (core.remote.push is also the name of the function, so reach the module by its name)
    monkeypatch.setattr(sys.modules["jupyter_mlver.core.remote.push"], "TRUST_SECONDS", 0.0)
    again = remote.push(store)
    assert any("no longer has" in w for w in again.warnings)
    assert (again.moved, again.published) == (first.moved, first.published)
    assert target.corrupt_objects() == []
    assert remote.push(store).moved == 0


def test_something_new_to_push_checks_the_remote_first(
    store: Store, project: Path, target: Any
) -> None:
    snap(store, "one", "data")
    add(store, target)
    first = remote.push(store)
    target.wipe()
    snap(store, "two")
    again = remote.push(store)  # inside the trust window, but it has to talk to the remote
    assert any("no longer has" in w for w in again.warnings)
    assert again.moved > first.moved
    target.wipe()
    verified = remote.push(store, verify=True)
    assert verified.moved == again.moved
    assert verified.ok


def test_no_data_then_data(store: Store, project: Path, target: Any, make_clone: Any) -> None:
    rec = snap(store, "one", "data")
    data_ids = set(data_hashes(store, rec).values())
    add(store, target)
    light = remote.push(store, data=False)
    assert light.ok
    assert light.data_skipped == len(data_ids)
    assert not data_ids & target.all_ids()
    assert rec["id"] in target.markers()  # the record is complete without its data copies
    assert remote.pushed_records(store)[rec["id"]] is False

    other = make_clone("clone")
    with Store.open(other, create=True) as theirs:
        add(theirs, target)
        pulled = remote.pull(theirs)
        assert pulled.ok
        assert theirs.index.has(rec["id"])
        assert any("not on remote origin" in w for w in pulled.warnings)
        # Absent by choice is not damage: fsck says so and passes.
        report = fsck(theirs)
        assert report.ok
        assert any("pull --no-data" in w for w in report.warnings)

    full = remote.push(store)  # now with data: exactly the data copies move
    assert full.moved == len(data_ids)
    assert full.published == 0
    assert remote.pushed_records(store)[rec["id"]] is True
    with Store.open(other) as theirs:
        assert remote.pull(theirs).moved == len(data_ids)
        assert all(theirs.objects.verify(oid) for oid in data_ids)
        report = fsck(theirs)
        assert report.ok
        assert report.warnings == []


def test_a_missing_data_copy_is_still_damage(store: Store, project: Path) -> None:
    rec = snap(store, "one", "data")
    victim = data_hashes(store, rec)["data/train.csv"]
    store.objects.remove(victim)  # never pulled: nothing says it was left out on purpose
    report = fsck(store)
    assert not report.ok
    assert any(victim in p for p in report.problems)


def test_a_corrupt_local_object_is_not_pushed(store: Store, project: Path, target: Any) -> None:
    rec = snap(store, "one", "data")
    victim = data_hashes(store, rec)["data/train.csv"]
    damage_object(store.objects, victim)
    add(store, target)
    result = remote.push(store)
    assert not result.ok
    assert any(victim in p and "corrupt" in p for p in result.problems)
    assert victim not in target.all_ids()
    # The record is complete without its data copies (as after --no-data); the ledger knows
    # the data is not all there, so the next push tries the data copy again.
    assert rec["id"] in target.markers()
    assert remote.pushed_records(store)[rec["id"]] is False
    assert any(victim in p for p in remote.push(store).problems)
    with pytest.raises(RemoteError, match=victim):
        result.raise_for_problems()


def test_a_remote_tag_never_moves_a_local_one(
    store: Store, project: Path, target: Any, make_clone: Any
) -> None:
    theirs_rec = snap(store, "theirs", tags=("best",))
    add(store, target)
    remote.push(store)
    other = make_clone("clone")
    with Store.open(other, create=True) as mine:
        own = snap(mine, "mine", tags=("best",))
        add(mine, target)
        result = remote.pull(mine)
        assert result.ok
        assert any("best" in w for w in result.warnings)
        assert mine.index.has(theirs_rec["id"])
        assert mine.resolve("best") == own["id"]


def test_refs_that_name_nothing(store: Store, target: Any) -> None:
    snap(store, "one", tags=("v1",))
    add(store, target)
    remote.push(store)
    with pytest.raises(InvalidInput, match="HEAD"):
        remote.pull(store, "origin", ["HEAD"])
    with pytest.raises(RecordNotFound, match="no record or tag 'v9'"):
        remote.pull(store, "origin", ["v9"])
    assert remote.pull(store, "origin", ["v1"]).ok


def test_an_unreachable_remote_is_one_clear_error(store: Store) -> None:
    snap(store, "one")
    # Nothing listens on port 9 of loopback.
    remote.add_remote(store, "dead", "s3://bucket/x", {"endpoint_url": "http://127.0.0.1:9"})
    with pytest.raises(RemoteError, match=r"remote dead \(s3://bucket/x\): cannot"):
        remote.push(store, "dead")


def test_a_missing_bucket_says_so(store: Store, s3_endpoint: str) -> None:
    snap(store, "one")
    remote.add_remote(store, "nb", "s3://no-such-bucket/x", {"endpoint_url": s3_endpoint})
    with pytest.raises(RemoteError) as info:
        remote.push(store, "nb")
    assert "create the bucket" in str(info.value)


def test_one_tag_pushed_for_two_snapshots_is_ambiguous_on_the_remote(
    store: Store, project: Path, target: Any, make_clone: Any
) -> None:
    first = snap(store, "mine", tags=("shared",))
    add(store, target)
    remote.push(store)
    with Store.open(make_clone("bob"), create=True) as bob:
        second = snap(bob, "bob's", tags=("shared",))
        add(bob, target)
        assert remote.push(bob).ok  # both land: nothing on the remote is ever rewritten
    with Store.open(make_clone("carol"), create=True) as carol:
        add(carol, target)
        with pytest.raises(AmbiguousRef, match="tag 'shared' names several snapshots"):
            remote.pull(carol, refs=["shared"])
        result = remote.pull(carol)  # everything: both snapshots, the tag goes to one
        assert result.ok
        assert carol.index.has(first["id"])
        assert carol.index.has(second["id"])
        assert carol.resolve("shared") in (first["id"], second["id"])
        assert any("shared" in w for w in result.warnings)
