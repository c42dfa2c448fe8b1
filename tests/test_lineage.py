"""The lineage audit hook: what a process opened, resolved at snapshot time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlver.core.capture.lineage import LineageRecorder, recorder


@pytest.fixture
def rec(project: Path) -> Iterator[LineageRecorder]:
    r = recorder()  # the process's one hook, recording only while active
    r.drain(project)
    r.active = True
    yield r
    r.active = False
    r.drain(project)


def test_reads_and_writes_relative_to_the_cwd_of_the_time(
    rec: LineageRecorder, project: Path
) -> None:
    (project / "out").mkdir()
    with open("data/train.csv") as f:  # relative to the project
        f.read()
    os.chdir("out")
    with open("preds.txt", "w") as f:  # relative to out/ now
        f.write("1\n")
    fd = os.open(project / "out" / "log.txt", os.O_WRONLY | os.O_CREAT)
    os.close(fd)
    os.chdir(project)
    with open(project / "data" / "test.csv", "rb") as raw, open(raw.fileno(), closefd=False):
        raw.read()  # opening by descriptor names no file: ignored
    expected = [
        (project / "data" / "test.csv", "input"),
        (project / "data" / "train.csv", "input"),
        (project / "out" / "log.txt", "output"),
        (project / "out" / "preds.txt", "output"),
    ]
    assert rec.peek(project) == expected  # peek forgets nothing
    assert rec.drain(project) == expected
    assert rec.drain(project) == []


def test_roles_skips_and_pause(rec: LineageRecorder, project: Path, tmp_path: Path) -> None:
    (project / ".mlver").mkdir()
    (project / ".mlver" / "x").write_text("store")  # written: an output, but skipped
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "m.pyc").write_bytes(b"")
    (tmp_path / "outside.txt").write_text("not in the project")
    (project / "data" / "train.csv").read_text()
    with open(project / "data" / "train.csv", "a") as f:  # read, then appended: an output
        f.write("5,6\n")
    with rec.paused():
        (project / "data" / "test.csv").read_text()
    assert rec.drain(project) == [(project / "data" / "train.csv", "output")]


def test_a_file_written_then_read_is_an_output_and_an_input(
    rec: LineageRecorder, project: Path
) -> None:
    prepared = project / "data" / "prepared.csv"
    prepared.write_text("x,y\n1,2\n")  # the notebook prepares its training data ...
    prepared.read_text()  # ... and trains on it
    assert rec.drain(project) == [(prepared, "input"), (prepared, "output")]


def test_restore_puts_back_what_a_failed_snapshot_took(rec: LineageRecorder, project: Path) -> None:
    (project / "data" / "test.csv").read_text()
    taken = rec.drain(project)
    assert taken == [(project / "data" / "test.csv", "input")]
    rec.restore(taken)
    assert rec.drain(project) == taken


def test_a_deleted_file_is_not_recorded(rec: LineageRecorder, project: Path) -> None:
    tmp = project / "scratch.txt"
    tmp.write_text("x")
    tmp.unlink()
    assert rec.drain(project) == []
