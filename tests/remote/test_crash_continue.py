"""Crash and continue for remotes: a push or a pull SIGKILLed mid-step, then run again,
leaves a remote (and a clone pulling from it) whose every record is whole and whose data
files come back byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.remote.test_remote_transfer import add_remote, run, run_json, snapshot

CRASH = Path(__file__).parent.parent / "crashpoints.py"
FILES_PER_ROUND = 60

PUSH_POINTS = [
    ("upload", 1),  # before the first object lands
    ("upload", 40),
    ("uploaded", 45),
    ("uploaded", FILES_PER_ROUND),  # objects there, markers not yet
    ("ledger:INSERT OR IGNORE INTO objects", 1),
    ("ledger:INSERT INTO records", 1),
    ("ledger:COMMIT", 2),
]
PULL_POINTS = [
    ("download", 1),
    ("download", 30),
    ("downloaded", FILES_PER_ROUND),  # every data copy fetched, none published
    ("rename", 1),  # publishing downloads into objects/
    ("ledger:DELETE FROM left_out", 1),
    ("index:INSERT OR IGNORE INTO records", 1),
    ("index:COMMIT", 1),
]
FRACTIONS = [0.3, 0.6, 0.9]


def _killed(cwd: Path, point: str, n: int, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(CRASH), point, str(n), "--", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if point != "seconds":
        assert proc.returncode == -9, f"{point}:{n} was never reached: {proc.stderr}"


def _timed(cwd: Path, *args: str) -> float:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(CRASH), "none", "0", "--", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return time.monotonic() - started


def _new_round(project: Path, round_: int) -> tuple[str, dict[str, bytes]]:
    """A snapshot of a fresh batch of files."""
    folder = project / "data" / f"round-{round_:02}"
    folder.mkdir(parents=True)
    for i in range(FILES_PER_ROUND):
        (folder / f"{i:04}.bin").write_bytes(os.urandom(1024 + i))
    rec = snapshot(project, "-m", f"round {round_}", "--data", str(folder))
    contents = {e["path"]: (project / e["path"]).read_bytes() for e in rec["data"]}
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
    rid, contents = _new_round(project, 0)
    whole = _timed(project, "push")
    plan = PUSH_POINTS + [("seconds", int(whole * f * 1000)) for f in FRACTIONS]
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
    timing = _fresh_clone(project, "timing", s3_target)
    whole = _timed(timing, "pull")
    # Downloads are renamed into objects/ first, the two records after them.
    downloads = sum(1 for p in (timing / ".mlver" / "objects").rglob("*") if p.is_file()) - 2
    plan = [*PULL_POINTS, ("rename", downloads + 1), ("rename", downloads + 2)]
    plan += [("seconds", int(whole * f * 1000)) for f in FRACTIONS]
    for round_, (point, n) in enumerate(plan, start=1):
        clone = _fresh_clone(project, f"clone-{round_}", s3_target)
        _killed(clone, point, n, "pull", "-j", "4")
        assert run(clone, "fsck").returncode == 0, f"after a kill at {point}:{n}"
        assert run_json(clone, "pull")["ok"]
        _verify(clone, rid, contents)
