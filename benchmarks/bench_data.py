"""Data hashing and environment capture: jupyter_mlver against DVC and pip freeze.

    .venv/bin/python benchmarks/bench_data.py [--big-mib 1024] [--small-files 20000]
        [--flat-files 100000] [--million]

Creates a 1 GiB file, 20,000 files of 4 KiB in 20 folders and 100,000 files of 512 B in one
folder (with --million also 1,000,000 of 512 B), then times, in one run, `jupyter mlver
snapshot --data` against `dvc add` (DVC in its own venv under benchmarks/.work/): cold, warm
(nothing changed) and after changing one file. Both tools keep a copy of the data in their
cache (reflink or copy); a `--hash-only` column shows hashing alone. Then the in-process warm
re-snapshot against a bare os.stat walk, how much the store grows with a snapshot of an
unchanged directory, and environment capture against `pip freeze`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _common import BIN, WORK, git_init, peer_venv, run, table, timed

from jupyter_mlver.core.capture.environment import capture_environment
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store

DVC = ["dvc==3.67.1"]


def make_big(path: Path, mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for i in range(mib):
            f.write(i.to_bytes(8, "little") + block[8:])


def make_small(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    for i in range(count):
        sub = root / f"d{i // 1000:03}"
        if i % 1000 == 0:
            sub.mkdir()
        (sub / f"f{i:05}.bin").write_bytes(i.to_bytes(8, "little") + os.urandom(4088))


def make_flat(root: Path, count: int) -> None:
    """``count`` files of 512 B in one directory (a folder of images, say)."""
    root.mkdir(parents=True)
    block = os.urandom(512)
    for i in range(count):
        with open(root / f"f{i:07}.bin", "wb") as f:
            f.write(i.to_bytes(8, "little") + block[8:])


def project(name: str, maker: str, size: int) -> Path:
    root = WORK / "data" / name
    shutil.rmtree(root, ignore_errors=True)
    git_init(root)
    if maker == "big":
        make_big(root / "big.bin", size)
    elif maker == "flat":
        make_flat(root / "flat", size)
    else:
        make_small(root / "small", size)
    return root


def store_bytes(store_dir: Path) -> int:
    return sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())


def touch_one(root: Path, target: str) -> None:
    path = root / target
    if path.is_dir():
        path = sorted(path.rglob("*.bin"))[0]
        path.write_bytes(os.urandom(4096))
    else:
        with open(path, "r+b") as f:
            f.write(os.urandom(16))


def compare(
    label: str, target: str, maker: str, size: int, dvc_bin: Path, growth: list[list[str]]
) -> list[list[str]]:
    ours = project(f"mlver-{maker}", maker, size)
    ours_hash_only = project(f"mlver-ho-{maker}", maker, size)
    theirs = project(f"dvc-{maker}", maker, size)
    run([dvc_bin / "dvc", "init", "-q"], theirs)
    run([dvc_bin / "dvc", "config", "core.analytics", "false"], theirs)
    time.sleep(1.1)  # leave the hash cache's racy window: data is never this fresh in practice

    def mlver(root: Path, *extra: str) -> Callable[[], None]:
        return lambda: run([BIN / "jupyter-mlver", "snapshot", "--data", target, *extra], root)

    def dvc() -> None:
        run([dvc_bin / "dvc", "add", "-q", target], theirs)

    rows = []
    for phase in ("cold", "warm", "one changed"):
        if phase == "one changed":
            for root in (ours, ours_hash_only, theirs):
                touch_one(root, target)
            time.sleep(1.1)
        before = store_bytes(ours / ".mlver") if phase == "warm" else 0
        t_ours = timed(mlver(ours))
        if phase == "warm":
            grew = store_bytes(ours / ".mlver") - before
            growth.append([label, f"{grew:,} B", "store growth of an unchanged snapshot"])
        t_ho = timed(mlver(ours_hash_only, "--hash-only"))
        t_dvc = timed(dvc)
        rows.append(
            [
                f"{label}, {phase}",
                f"{t_ours:.3f}",
                f"{t_ho:.3f}",
                f"{t_dvc:.3f}",
                f"{t_dvc / t_ours:.1f}x",
                f"{t_dvc / t_ho:.1f}x",
            ]
        )
    return rows


def warm_vs_stat(root: Path, target: str) -> list[str]:
    """In-process: a warm snapshot of unchanged files against a bare os.stat walk of them
    (the walk is run right after each snapshot, so both see the same machine)."""

    def stat_walk() -> None:
        for dirpath, _, files in os.walk(root / target):
            for name in files:
                os.stat(os.path.join(dirpath, name))

    with Store.open(root) as store:
        options = SnapshotOptions(data=[str(root / target)])
        take_snapshot(store, options)
        t_snap = timed(lambda: take_snapshot(store, options), repeat=5)
    t_stat = timed(stat_walk, repeat=5)
    return [
        f"warm snapshot vs os.stat walk ({target})",
        f"{t_snap * 1000:.1f} ms",
        f"{t_stat * 1000:.1f} ms",
        f"{t_snap / t_stat:.2f}x of the walk",
    ]


def environment_rows() -> list[list[str]]:
    from jupyter_mlver.core.capture import environment as env_mod

    n = len(capture_environment()["packages"])

    def cold() -> None:
        env_mod._packages_cached.cache_clear()
        env_mod._hardware.cache_clear()
        env_mod._platform.cache_clear()
        capture_environment()

    t_cold = timed(cold, repeat=7)
    t_warm = timed(capture_environment, repeat=7)
    t_freeze = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "pip", "freeze"], capture_output=True, check=True
        ),
        repeat=3,
    )
    return [
        [
            f"environment capture, {n} packages (in-process, cold)",
            f"{t_cold * 1000:.1f} ms",
            f"{t_freeze * 1000:.0f} ms",
            f"{t_freeze / t_cold:.0f}x faster",
        ],
        [
            f"environment capture, {n} packages (in-process, cached)",
            f"{t_warm * 1000:.2f} ms",
            f"{t_freeze * 1000:.0f} ms",
            f"{t_freeze / t_warm:.0f}x faster",
        ],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--small-files", type=int, default=20_000)
    parser.add_argument("--flat-files", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also 1,000,000 files of 512 B")
    args = parser.parse_args()
    dvc_bin = peer_venv("dvc", DVC)
    growth: list[list[str]] = []
    rows = compare(f"1 file of {args.big_mib} MiB", "big.bin", "big", args.big_mib, dvc_bin, growth)
    rows += compare(
        f"{args.small_files:,} files of 4 KiB", "small", "small", args.small_files, dvc_bin, growth
    )
    flats = [args.flat_files] + ([1_000_000] if args.million else [])
    for count in flats:
        rows += compare(
            f"{count:,} files of 512 B, one folder", "flat", "flat", count, dvc_bin, growth
        )
        flat_walk = warm_vs_stat(WORK / "data" / "mlver-flat", "flat")
        flat_walk[0] += f", {count:,} files"
        growth.append([*flat_walk[:2], f"{flat_walk[2]} walk: {flat_walk[3]}"])
    print("\nCLI wall time, seconds (jupyter mlver snapshot --data vs dvc add)\n")
    print(
        table(
            [
                "dataset, phase",
                "mlver",
                "mlver --hash-only",
                "dvc add",
                "dvc/mlver",
                "dvc/hash-only",
            ],
            rows,
        )
    )
    print()
    print(table(["dataset", "jupyter_mlver", "measure"], growth))
    print()
    other = [warm_vs_stat(WORK / "data" / "mlver-small", "small"), *environment_rows()]
    print(table(["measure", "jupyter_mlver", "peer", "ratio"], other))
    shutil.rmtree(WORK / "data", ignore_errors=True)


if __name__ == "__main__":
    main()
