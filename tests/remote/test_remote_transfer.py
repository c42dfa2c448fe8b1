"""push and pull through the real CLI, against a real S3 server and a path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_mlver.core import records
from jupyter_mlver.core.store.datarefs import Walker
from jupyter_mlver.core.store.store import Store
from tests.crashpoints import run_armed
from tests.support import data_hashes

JUPYTER_MLVER = str(Path(sys.executable).parent / "jupyter-mlver")


def run(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([JUPYTER_MLVER, *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"jupyter mlver {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc


def run_json(cwd: Path, *args: str) -> Any:
    return json.loads(run(cwd, *args, "--json").stdout)


def snapshot(cwd: Path, *args: str) -> dict[str, Any]:
    out = run_json(cwd, "snapshot", *args)
    assert isinstance(out, dict)
    return out


def add_remote(cwd: Path, target: Any, name: str = "origin") -> None:
    run(cwd, "remote", "add", name, *target.add_args())


def write_files(directory: Path, count: int, size: int, seed: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (directory / f"{seed}-{i:05d}.bin").write_bytes(os.urandom(size))


def store_object_ids(root: Path) -> set[str]:
    with Store.open(root) as store:
        return set(store.objects.iter_ids())


def test_push_then_pull_into_a_fresh_clone(project: Path, target: Any, make_clone: Any) -> None:
    (project / "data" / "big.bin").write_bytes(os.urandom(6 * 1024 * 1024))  # > mmap threshold
    first = snapshot(
        project, "-m", "baseline", "--data", "data", "--param", "lr=0.1", "--tag", "v1"
    )
    (project / "data" / "train.csv").write_text("x,y\n1,2\n3,4\n5,6\n")
    second = snapshot(project, "-m", "more data", "--data", "data")
    run(project, "tag", second["id"][:8], "best")
    add_remote(project, target)
    pushed = run_json(project, "push")
    assert pushed["ok"]
    assert pushed["moved"] > 0
    assert {first["id"], second["id"], first["environment"]} <= target.markers()
    assert target.corrupt_objects() == []

    other = make_clone("clone")
    add_remote(other, target)
    pulled = run_json(other, "pull")
    assert pulled["ok"], pulled
    assert pulled["moved"] == pushed["moved"]  # everything, each object once
    # The clone shows the same records, resolves the same tags, and passes fsck.
    assert run_json(other, "show", "v1") == first
    assert run_json(other, "show", "best") == second
    assert [r["id"] for r in run_json(other, "list")] == [second["id"], first["id"]]
    assert "ok" in run(other, "fsck").stdout
    # Every data copy arrived byte for byte: restoring the files gives the originals.
    with Store.open(other) as store:
        for path, digest in data_hashes(store, second).items():
            assert store.objects.get_bytes(digest) == (project / path).read_bytes(), path
        old = data_hashes(store, first)["data/train.csv"]
        assert store.objects.get_bytes(old) == b"x,y\n1,2\n3,4\n"
    assert store_object_ids(other) == store_object_ids(project)
    # And checkout restores the data files there (the clone has none: data/ is not in git).
    assert not (other / "data").exists()
    run(other, "checkout", "v1")
    assert (other / "data" / "train.csv").read_bytes() == b"x,y\n1,2\n3,4\n"
    assert (other / "data" / "big.bin").read_bytes() == (project / "data" / "big.bin").read_bytes()
    run(other, "checkout", "best")
    with Store.open(other) as store:
        for path in data_hashes(store, second):
            assert (other / path).read_bytes() == (project / path).read_bytes()


def test_pushing_again_moves_nothing(project: Path, target: Any, make_clone: Any) -> None:
    snapshot(project, "-m", "one", "--data", "data")
    add_remote(project, target)
    first = run_json(project, "push")
    assert first["moved"] > 0
    again = run_json(project, "push")
    assert (again["moved"], again["published"], again["ok"]) == (0, 0, True)
    assert again["checked_ago"] is not None  # answered by the ledger, checked just before
    # Without the local ledger the remote is asked about each object: still nothing moves.
    verified = run_json(project, "push", "--verify")
    assert (verified["moved"], verified["published"]) == (0, 0)
    assert verified["present"] == verified["objects"] == first["moved"]
    # Nor does a pull of what is already here, nor a push back from the clone.
    other = make_clone("clone")
    add_remote(other, target)
    assert run_json(other, "pull")["moved"] == first["moved"]
    assert run_json(other, "pull")["moved"] == 0
    assert run_json(other, "push")["moved"] == 0


def test_a_corrupt_remote_object_is_named_and_never_stored(
    project: Path, target: Any, make_clone: Any
) -> None:
    rec = snapshot(project, "-m", "one", "--data", "data")
    add_remote(project, target)
    run(project, "push")
    with Store.open(project) as store:
        victim = data_hashes(store, rec)["data/train.csv"]
    target.replace_object(victim, b"x,y\n1,2\n3,999\n")  # different bytes in its place

    other = make_clone("clone")
    add_remote(other, target)
    proc = run(other, "pull", check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("jupyter mlver: error: pull origin: object "), proc.stderr
    assert victim in proc.stderr
    assert "corrupt" in proc.stderr
    with Store.open(other) as store:
        assert not store.objects.exists(victim)
        assert list(store.objects.tmp.iterdir()) == []  # the bad download was removed
        # The snapshot needs the copy that did not arrive: neither stored nor indexed, so
        # the store stays consistent; its environment, which is whole, did arrive.
        assert not store.index.has(rec["id"])
        assert not store.objects.exists(rec["id"])
        assert store.index.has(rec["environment"])
    assert run(other, "fsck").returncode == 0

    # A corrupt record is refused too, and what needs it is not indexed.
    env = rec["environment"]
    target.write(f"objects/{env[:2]}/{env[2:]}", b'{"schema":"mlver.environment/1"}')
    third = make_clone("third")
    add_remote(third, target)
    proc = run(third, "pull", check=False)
    assert proc.returncode == 1
    assert env in proc.stderr
    with Store.open(third) as store:
        assert not store.objects.exists(env)
        assert not store.index.has(rec["id"])
        assert not store.objects.exists(rec["id"])
    assert run(third, "fsck").returncode == 0

    # Once the remote is repaired (pushed again from a good copy), the pull completes.
    with Store.open(project) as store:
        target.write(f"objects/{env[:2]}/{env[2:]}", store.objects.get_bytes(env))
        target.replace_object(victim, store.objects.get_bytes(victim))
    assert run_json(third, "pull")["ok"]
    assert "ok" in run(third, "fsck").stdout


def _wait_for(predicate: Any, proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 120
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _settled(read: Any) -> Any:
    """What ``read()`` returns once it stops changing: an S3 server may still be storing a
    PUT whose body arrived before the client was killed."""
    last = read()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = read()
        if now == last:
            return now
        last = now
    raise AssertionError("the remote kept changing after the push was killed")


def test_an_interrupted_push_is_completed_by_the_next(
    project: Path, target: Any, make_clone: Any
) -> None:
    # Files too large for a pack travel one by one: enough of them to kill the push half-way.
    write_files(project / "data" / "many", 24, (1 << 20) + 4096, "a")
    write_files(project / "data" / "small", 300, 2048, "s")
    rec = snapshot(project, "-m", "many files", "--data", "data")
    add_remote(project, target)
    # One transfer at a time makes the push long enough to kill it half-way.
    proc = subprocess.Popen(
        [JUPYTER_MLVER, "push", "-j", "1"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: len(target.object_ids()) >= 8, proc, "8 objects landed")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    landed = _settled(target.all_ids)
    assert 8 <= len(landed) < 300
    assert rec["id"] not in target.markers()  # not published: readers cannot see it yet
    assert target.corrupt_objects() == []  # whatever landed is whole

    resumed = run_json(project, "push")
    assert resumed["ok"]
    assert rec["id"] in target.markers()
    # What landed is found there and not sent again; the rest is.
    assert resumed["present"] == len(landed)
    assert resumed["moved"] == resumed["objects"] - len(landed) > 0
    other = make_clone("clone")
    add_remote(other, target)
    assert run_json(other, "pull")["ok"]
    assert "ok" in run(other, "fsck").stdout
    assert store_object_ids(other) == store_object_ids(project)


def test_an_interrupted_pull_is_completed_by_the_next(
    project: Path, s3_target: Any, make_clone: Any
) -> None:
    # Files too large for a pack arrive one by one, and are published in batches.
    write_files(project / "data" / "many", 30, (1 << 20) + 4096, "b")
    write_files(project / "data" / "small", 200, 2048, "s")
    rec = snapshot(project, "-m", "many files", "--data", "data")
    add_remote(project, s3_target)
    run(project, "push")
    other = make_clone("clone")
    add_remote(other, s3_target)
    # Killed as it publishes the 8th object into the store: 7 have arrived for good.
    proc = run_armed(other, "rename", 8, "pull", "-j", "1")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store.open(other) as store:
        arrived = set(store.objects.iter_ids())
        assert all(store.objects.verify(oid) for oid in arrived)
        assert not store.index.has(rec["id"])
        # A record enters the store only with everything it needs: none has yet.
        assert not {rec["id"], rec["environment"]} & arrived
    resumed = run_json(other, "pull")
    assert resumed["ok"]
    # What arrived is not fetched again; the rest is, and the two records.
    assert resumed["present"] == len(arrived)
    assert resumed["moved"] == resumed["objects"] - resumed["present"] + 2
    assert run_json(other, "show", rec["id"][:8]) == rec
    assert "ok" in run(other, "fsck").stdout


def test_a_truncated_object_on_the_remote_is_sent_again(
    project: Path, target: Any, make_clone: Any
) -> None:
    """An object another writer left short is not taken as present by a push that never
    sent it (its ledger has no claim): the push replaces it, and a pull gets it whole."""
    write_files(project / "data" / "more", 3, 4096, "t")
    rec = snapshot(project, "-m", "one", "--data", "data")
    with Store.open(project) as store:
        victim = next(h for p, h in data_hashes(store, rec).items() if p.startswith("data/more/"))
    key = f"objects/{victim[:2]}/{victim[2:]}"
    with Store.open(project) as store:
        target.fs.makedirs(f"{target.root}/objects/{victim[:2]}", exist_ok=True)
        target.fs.pipe_file(f"{target.root}/{key}", store.objects.get_bytes(victim)[:1000])
    add_remote(project, target)
    pushed = run_json(project, "push")
    assert pushed["ok"]
    assert target.corrupt_objects() == []
    other = make_clone("clone")
    add_remote(other, target)
    assert run_json(other, "pull")["ok"]
    assert "ok" in run(other, "fsck").stdout


def test_two_pushers_at_once_both_land(project: Path, target: Any, make_clone: Any) -> None:
    mine = make_clone("alice")
    theirs = make_clone("bob")
    for root, seed in ((mine, "alice"), (theirs, "bob")):
        write_files(root / "data" / "own", 300, 1024, seed)
        # Some identical content: both upload the same objects at the same time.
        (root / "data" / "shared.csv").write_text("same,bytes\n1,2\n")
        add_remote(root, target)
    a = snapshot(mine, "-m", "alice", "--data", "data", "--tag", "alice-1")
    b = snapshot(theirs, "-m", "bob", "--data", "data", "--tag", "bob-1")
    procs = [
        subprocess.Popen(
            [JUPYTER_MLVER, "push", "-j", "4", "--json"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for root in (mine, theirs)
    ]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert {a["id"], b["id"]} <= target.markers()
    assert target.corrupt_objects() == []

    third = make_clone("carol")
    add_remote(third, target)
    assert run_json(third, "pull")["ok"]
    assert run_json(third, "show", "alice-1") == a
    assert run_json(third, "show", "bob-1") == b
    assert "ok" in run(third, "fsck").stdout
    assert store_object_ids(third) == store_object_ids(mine) | store_object_ids(theirs)


def test_pull_of_one_snapshot_brings_exactly_what_it_references(
    project: Path, target: Any, make_clone: Any
) -> None:
    first = snapshot(project, "-m", "one", "--data", "data")
    (project / "data" / "extra.csv").write_text("only,in,second\n")
    second = snapshot(project, "-m", "two", "--data", "data")
    run(project, "tag", first["id"][:8], "keep")
    add_remote(project, target)
    run(project, "push")
    with Store.open(project) as store:
        tag_record = next(
            r for r in store.iter_records() if r["schema"] == records.TAG and r["name"] == "keep"
        )
        needs_first = Walker(store.objects.get_bytes).record(first)
        needs_second = Walker(store.objects.get_bytes).record(second)
    other = make_clone("clone")
    add_remote(other, target)
    run(other, "pull", "origin", "keep")
    expected = {first["id"], tag_record["id"], *needs_first.plain, *needs_first.data}
    assert store_object_ids(other) == expected
    assert [r["id"] for r in run_json(other, "list")] == [first["id"]]
    # By id prefix, and without data: the record and what it needs but no data copies.
    third = make_clone("third")
    add_remote(third, target)
    out = run_json(third, "pull", second["id"][:10], "--no-data")
    data_ids = set(needs_second.data)
    assert out["data_skipped"] == len(data_ids) == 3
    assert store_object_ids(third) == {second["id"], *needs_second.plain}
    # Asking again with data fetches exactly the data copies.
    again = run_json(third, "pull", second["id"][:10])
    assert again["moved"] == len(data_ids)
    assert store_object_ids(third) == {second["id"], *needs_second.plain, *data_ids}
    with Store.open(third) as store:
        assert all(store.objects.verify(oid) for oid in data_ids)
