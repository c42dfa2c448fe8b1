"""Crash and continue for remotes: a push or a pull SIGKILLed mid-step, then run again,
leaves a remote (and a clone pulling from it) whose every record is whole and whose data
files come back byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.crashpoints import counts, run_armed
from tests.remote.test_remote_transfer import add_remote, run, run_json, snapshot

SMALL_FILES = 60  # travel in a pack
LARGE_FILES = 3  # travel one by one
FRACTIONS = [0.3, 0.6, 0.9]


def spread(n: int) -> list[int]:
    return sorted({1, max(1, n // 2), n}) if n else []


def push_points(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The first, middle and last upload (objects, packs, their indexes, markers), each
    ledger commit, the ledger learning a pack and a record."""
    plan = [("upload", n) for n in spread(counts["upload"])]
    plan += [("uploaded", counts["upload"])]  # everything there, the ledger not told
    plan += [("ledger:COMMIT", n) for n in spread(counts["ledger:COMMIT"])]
    plan += [("ledger:INSERT OR IGNORE INTO packed", 1), ("ledger:INSERT INTO records", 1)]
    return plan


def pull_points(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Downloads, every rename into objects/ (downloads, the pack, the records), the pack
    index, the ledger and the index."""
    plan = [("download", n) for n in spread(counts["download"])]
    plan += [("downloaded", counts["download"])]
    plan += [("rename", n) for n in range(1, counts["rename"] + 1)]
    plan += [("packs:INSERT", 1), ("ledger:DELETE FROM left_out", 1)]
    plan += [("index:INSERT OR IGNORE INTO records", 1), ("index:COMMIT", counts["index:COMMIT"])]
    return plan


def _killed(cwd: Path, point: str, n: int, *args: str) -> None:
    proc = run_armed(cwd, point, n, *args)
    if point != "seconds":
        assert proc.returncode == -9, f"{point}:{n} was never reached: {proc.stderr}"


def _counted(cwd: Path, *args: str) -> tuple[float, dict[str, int]]:
    """A whole run's wall time and how often it passed each crash point."""
    started = time.monotonic()
    proc = run_armed(cwd, "count", 0, *args)
    assert proc.returncode == 0, proc.stderr
    return time.monotonic() - started, counts(proc.stderr)


def _new_round(project: Path, round_: int) -> tuple[str, dict[str, bytes]]:
    """A snapshot of a fresh batch of files."""
    folder = project / "data" / f"round-{round_:02}"
    folder.mkdir(parents=True)
    for i in range(SMALL_FILES + LARGE_FILES):
        size = 1024 + i if i < SMALL_FILES else (1 << 20) + 4096 + i
        (folder / f"{i:04}.bin").write_bytes(os.urandom(size))
    rec = snapshot(project, "-m", f"round {round_}", "--data", str(folder))
    contents = {p.relative_to(project).as_posix(): p.read_bytes() for p in folder.iterdir()}
    return rec["id"], contents


def _fresh_clone(project: Path, name: str, target: Any) -> Path:
    dest = project.parent / name
    subprocess.run(["git", "clone", "-q", str(project), str(dest)], check=True)
    add_remote(dest, target)
    return dest


def _verify(clone: Path, rid: str, contents: dict[str, bytes]) -> None:
    """The clone's store is clean and restores every data file of ``rid`` byte for byte."""
    assert run(clone, "fsck").returncode == 0
    shutil.rmtree(clone / "data", ignore_errors=True)
    run(clone, "checkout", rid, "--no-notebook")
    for rel, data in contents.items():
        assert (clone / rel).read_bytes() == data, f"{rel} differs after checkout"


def test_push_killed_anywhere_then_run_again(project: Path, s3_target: Any) -> None:
    add_remote(project, s3_target)
    _new_round(project, 0)
    _counted(project, "push")  # the first push also writes the remote's format file
    _new_round(project, 100)
    whole, passed = _counted(project, "push")
    plan = push_points(passed) + [("seconds", int(whole * f * 1000)) for f in FRACTIONS]
    for round_, (point, n) in enumerate(plan, start=1):
        rid, contents = _new_round(project, round_)
        _killed(project, point, n, "push", "-j", "4")
        assert s3_target.corrupt_objects() == []
        assert run_json(project, "push")["ok"]
        assert run(project, "fsck").returncode == 0
        clone = _fresh_clone(project, f"clone-{round_}", s3_target)
        assert run_json(clone, "pull", rid)["ok"]
        _verify(clone, rid, contents)


def test_pull_killed_anywhere_then_run_again(project: Path, s3_target: Any) -> None:
    add_remote(project, s3_target)
    rid, contents = _new_round(project, 1)
    assert run_json(project, "push")["ok"]
    whole, passed = _counted(_fresh_clone(project, "timing", s3_target), "pull")
    plan = pull_points(passed) + [("seconds", int(whole * f * 1000)) for f in FRACTIONS]
    for round_, (point, n) in enumerate(plan, start=1):
        clone = _fresh_clone(project, f"clone-{round_}", s3_target)
        _killed(clone, point, n, "pull", "-j", "4")
        assert run(clone, "fsck").returncode == 0, f"after a kill at {point}:{n}"
        assert run_json(clone, "pull")["ok"]
        _verify(clone, rid, contents)
