"""Crash and continue for checkout: SIGKILLed anywhere (in its writer processes too), every
file is its old or its new content, never torn; run again, every file comes back byte for
byte and nothing temporary is left in the work tree.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.crashpoints import run_armed
from tests.support import CLI

DIRS = 4
SMALL = 40  # files per directory (packed)
LARGE = 2  # loose, copied on their own
#: Kills at fractions of a whole checkout's wall time, wherever it happens to be.
FRACTIONS = [0.25, 0.5, 0.75, 0.95]


def contents(version: int) -> dict[str, bytes]:
    """The data at one version: every file differs between versions."""
    block = os.urandom(2048)
    out = {
        f"data/d{d}/f{i:03}.bin": version.to_bytes(4, "little") + i.to_bytes(4, "little") + block
        for d in range(DIRS)
        for i in range(SMALL)
    }
    large = os.urandom(3 << 20)
    for i in range(LARGE):
        out[f"data/d0/large{i}.bin" if i else "data/large.bin"] = bytes([version, i]) + large
    return out


def write(project: Path, files: dict[str, bytes], without: str | None = "data/d3/") -> None:
    """The work tree at a version, dated a while back as data usually is (so the hash cache
    keeps what it learns); the files under ``without`` are absent, to be restored from
    nothing."""
    when = time.time() - 3600
    for rel, data in files.items():
        path = project / rel
        if without is not None and rel.startswith(without):
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (when, when))


def crash(project: Path, point: str, n: int, *args: str) -> subprocess.CompletedProcess[str]:
    return run_armed(project, point, n, *args, env={"MLVER_CRASH_PROCESS_MIN_FILES": "50"})


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "data").rglob("*.mlver-*.tmp"))


def check_untorn(project: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    for rel in new:
        path = project / rel
        if rel.startswith("data/d3/") and not path.exists():
            continue  # not restored yet: still as it was, absent
        assert path.read_bytes() in (old[rel], new[rel]), f"{rel} is torn"


@pytest.fixture
def versions(project: Path, cli: CLI) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Two snapshots of the data: v1 (restored by each checkout) and v2 (the work tree
    each killed checkout starts from)."""
    v1, v2 = contents(1), contents(2)
    for files, tag in ((v1, "v1"), (v2, "v2")):
        write(project, files, without=None)
        cli("snapshot", "-m", tag, "--data", "data", "--tag", tag)
    return v1, v2


def kill_points(files: int) -> list[tuple[str, int, str]]:
    """(point, N, jobs): each step of the first, a middle and the last file of a directory
    written by a writer process (each counts its own), of a file a third of the way in
    in-process (``--jobs 1``), after the last file, the sync, the hash cache's update."""
    steps = ("place", "written", "linked", "placed")
    plan = [(p, n, "2") for p in steps for n in (1, SMALL // 2, SMALL)]
    plan += [(p, files // 3, "1") for p in steps] + [("placed", files, "1")]
    plan += [("checkout-sync", 1, "2"), ("claim", 1, "2")]
    return plan


def test_checkout_killed_anywhere_then_run_again(
    project: Path, cli: CLI, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    v1, v2 = versions
    write(project, v2)
    started = time.monotonic()
    whole = crash(project, "count", 0, "checkout", "v1", "data", "--jobs", "1")
    seconds = time.monotonic() - started
    assert whole.returncode == 0, whole.stderr
    assert {rel: (project / rel).read_bytes() for rel in v1} == v1
    plan = kill_points(len(v1))
    plan += [("seconds", int(seconds * f * 1000), "2") for f in FRACTIONS]
    for point, n, jobs in plan:
        write(project, v2)
        killed = crash(project, point, n, "checkout", "v1", "data", "--jobs", jobs)
        if point != "seconds":
            assert killed.returncode == -9, f"{point}:{n} was never reached: {killed.stderr}"
        check_untorn(project, v2, v1)
        if point == "linked":
            assert leftovers(project), "a file linked but not renamed is left to sweep"
        again = cli("checkout", "v1", "data", check=False)
        assert again.returncode == 0, f"after {point}:{n}: {again.stderr}"
        for rel, data in v1.items():
            assert (project / rel).read_bytes() == data, f"after {point}:{n}: {rel} differs"
        assert leftovers(project) == [], f"after {point}:{n}"


def test_a_damaged_copy_fails_the_checkout_naming_the_file(
    project: Path, cli: CLI, versions: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    from jupyter_mlver.core.hashing import hash_bytes
    from jupyter_mlver.core.store.store import Store
    from tests.support import damage_object

    v1, v2 = versions
    write(project, v2)
    with Store.open(project) as store:
        damage_object(store.objects, hash_bytes(v1["data/d1/f007.bin"]))
        damage_object(store.objects, hash_bytes(v1["data/large.bin"]))
    proc = cli("checkout", "v1", "data", check=False)
    assert proc.returncode == 1
    assert "damaged" in proc.stderr
    assert "data/d1/f007.bin" in proc.stderr or "data/large.bin" in proc.stderr
    assert (project / "data/d1/f007.bin").read_bytes() == v2["data/d1/f007.bin"]
    assert (project / "data/large.bin").read_bytes() == v2["data/large.bin"]
    check_untorn(project, v2, v1)
    assert leftovers(project) == []
