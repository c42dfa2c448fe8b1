"""A killed snapshot leaves the store consistent; concurrent snapshots all land."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyter_mlver.core.store.maintenance import fsck
from jupyter_mlver.core.store.store import Store
from tests.support import BIN, CLI


def make_dataset(root: Path, files: int, size: int) -> None:
    root.mkdir()
    block = os.urandom(size)
    for i in range(files):
        # Distinct contents so every file is its own object to copy.
        (root / f"part-{i:04}.bin").write_bytes(i.to_bytes(4, "little") + block)


def test_sigkill_mid_snapshot_leaves_whole_record_or_nothing(project: Path) -> None:
    make_dataset(project / "big", files=96, size=4 << 20)
    CLI(project)("snapshot", "-m", "before")
    tmp = project / ".mlver" / "tmp"
    proc = subprocess.Popen(
        [str(BIN / "jupyter-mlver"), "snapshot", "-m", "killed", "--data", "big"], cwd=project
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if tmp.is_dir() and len(os.listdir(tmp)) >= 3:  # copies are being staged
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the snapshot finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(project) as store:
        report = fsck(store)
        assert report.ok, report.problems
        rows, _ = store.index.snapshots()
        messages = [r.summary["message"] for r in rows]
        assert messages in (["before"], ["killed", "before"])
        for row in rows:  # whatever is listed is whole
            record = store.get(row.id)
            assert all(store.objects.exists(d["hash"]) for d in record["data"] if d["stored"])
    # The next snapshot of the same data completes and gc clears the leftovers.
    CLI(project)("snapshot", "-m", "again", "--data", "big")
    gc = CLI(project).json("gc")
    assert isinstance(gc, dict)
    assert not any(tmp.iterdir())
    with Store.open(project) as store:
        assert fsck(store).ok


def test_eight_concurrent_snapshots_all_land(project: Path) -> None:
    for i in range(8):
        (project / "data" / f"shared-{i}.csv").write_text(f"row,{i}\n" * 100)

    def run(i: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(BIN / "jupyter-mlver"),
                "snapshot",
                "-m",
                f"worker {i}",
                "--data",
                "data",
                "--param",
                f"worker={i}",
                "--tag",
                f"w{i}",
            ],
            cwd=project,
            capture_output=True,
            text=True,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    for r in results:
        assert r.returncode == 0, r.stderr
    listed = CLI(project).json("list")
    assert isinstance(listed, list)
    assert sorted(r["message"] for r in listed) == sorted(f"worker {i}" for i in range(8))
    with Store.open(project) as store:
        assert fsck(store).ok
        assert sorted(store.index.tags_of(r["id"])[0] for r in listed) == [
            f"w{i}" for i in range(8)
        ]
