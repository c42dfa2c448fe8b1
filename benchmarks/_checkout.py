"""Checkout side by side: `jupyter mlver checkout` against `dvc checkout` and the floor of
`cp -r` + `sync` of the same data, each restoring a working copy that was deleted.

Each round deletes the three working copies, syncs (untimed), optionally waits, then times
the three restores in turn, in a rotating order, so a busy machine weighs on each alike.
`jupyter mlver checkout` reports success only once the files are durable (one syncfs);
`dvc checkout` syncs nothing; `cp -r` is followed by `sync`.

On ext4 without a journal (these machines), inodes freed in the last minute (six, once
their inode table block is written again) are passed over when new files are made, so
making 100,000 files right after deleting 100,000 costs the kernel several times more
than on a settled disk, for every tool alike; `--settle 400` measures the settled case.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from _common import BIN, run


def _timed(fn: Callable[[], None]) -> float:
    subprocess.run(["sync"], check=True)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def compare_checkout(
    label: str,
    target: str,
    ours: Path,
    theirs: Path,
    pristine: Path,
    dvc_bin: Path,
    runs: int,
    settle: float = 0.0,
) -> tuple[list[list[str]], list[list[str]]]:
    """Time ``runs`` restores of ``target`` by each tool. ``ours`` has a snapshot of it and
    ``theirs`` a `dvc add` of it; ``pristine`` is a copy for `cp -r`. Returns the summary
    row and one row per run."""
    floor_dst = pristine.parent / f"{pristine.name}-copy"

    def mlver() -> None:
        run([BIN / "jupyter-mlver", "checkout", "HEAD", target, "--no-notebook"], ours)

    def dvc() -> None:
        run([dvc_bin / "dvc", "checkout", "-q", f"{target}.dvc"], theirs)

    def floor() -> None:
        cp = ["cp", "-r"] if pristine.is_dir() else ["cp"]
        run([*cp, str(pristine), str(floor_dst)], pristine.parent)
        run(["sync"], pristine.parent)

    tools: list[tuple[str, Callable[[], None]]] = [("mlver", mlver), ("dvc", dvc), ("floor", floor)]
    times: dict[str, list[float]] = {name: [] for name, _ in tools}
    per_run = []
    for i in range(runs):
        for path in (ours / target, theirs / target, floor_dst):
            _remove(path)
        subprocess.run(["sync"], check=True)
        time.sleep(settle)
        order = tools[i % 3 :] + tools[: i % 3]
        for name, fn in order:
            times[name].append(_timed(fn))
        t = {name: times[name][-1] for name in times}
        per_run.append(
            [
                f"{label}, run {i + 1}",
                f"{t['mlver']:.2f}",
                f"{t['dvc']:.2f}",
                f"{t['floor']:.2f}",
                f"{t['dvc'] / t['mlver']:.2f}",
                f"{t['mlver'] / t['floor']:.2f}",
            ]
        )
    _remove(floor_dst)
    med = {name: statistics.median(v) for name, v in times.items()}
    span = {name: f"{min(v):.2f}–{max(v):.2f}" for name, v in times.items()}
    summary = [
        f"{label} (median of {runs})",
        f"{med['mlver']:.2f} ({span['mlver']})",
        f"{med['dvc']:.2f} ({span['dvc']})",
        f"{med['floor']:.2f} ({span['floor']})",
        f"{med['dvc'] / med['mlver']:.2f}",
        f"{med['mlver'] / med['floor']:.2f}",
    ]
    return [summary], per_run


HEADERS = [
    "dataset",
    "mlver checkout",
    "dvc checkout",
    "cp -r + sync",
    "dvc/mlver",
    "mlver/floor",
]
