"""The `jupyter mlver` command line, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.hashing import hash_file
from tests.support import BIN, CLI, read_only, store_listing


def snapshot(cli: CLI, *args: str) -> dict[str, Any]:
    out = cli.json("snapshot", *args)
    assert isinstance(out, dict)
    return out


def test_snapshot_list_show_round_trip(cli: CLI, project: Path) -> None:
    rec = snapshot(
        cli,
        "-m",
        "baseline run",
        "--data",
        "data",
        "--param",
        "lr=0.01",
        "--param",
        "model=rf",
        "--metric",
        "acc=0.91",
        "--metric",
        "loss=0.5",
        "--metric",
        "loss=0.3",
        "--tag",
        "baseline",
    )
    assert rec["message"] == "baseline run"
    assert rec["params"] == {"lr": 0.01, "model": "rf"}
    assert rec["metrics"] == {"acc": 0.91, "loss": [0.5, 0.3]}
    assert rec["tags"] == ["baseline"]
    # A directory is one tree entry; --files lists what is in it.
    assert [(d["path"], d["kind"], d["files"]) for d in rec["data"]] == [("data", "tree", 2)]
    files = {d["path"]: d for d in cli.json("show", "HEAD", "--files")["data"]}
    assert files["data/train.csv"]["hash"] == hash_file(project / "data" / "train.csv")
    assert files["data/train.csv"]["stored"]
    assert files["data/train.csv"]["role"] == "tracked"
    listed = cli.json("list")
    assert isinstance(listed, list)
    assert [r["id"] for r in listed] == [rec["id"]]
    assert cli.json("show", str(rec["id"])[:6]) == rec
    assert cli.json("show", "baseline") == rec
    text = cli("show", "HEAD").stdout
    assert "baseline run" in text
    assert "lr=0.01" in text
    assert "data/ (tree of 2 files)" in text
    assert "data/train.csv" in cli("show", "HEAD", "--files").stdout
    table = cli("list").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "CREATED", "(UTC)"]
    assert table[1].startswith(str(rec["id"])[:12])


def test_json_is_the_record_as_stored(cli: CLI, project: Path) -> None:
    rec = snapshot(cli, "-m", "x")
    stored = (project / ".mlver" / "objects" / str(rec["id"])[:2] / str(rec["id"])[2:]).read_bytes()
    assert {**json.loads(stored), "id": rec["id"]} == rec


def test_jupyter_launcher_finds_the_subcommand(project: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(BIN / "jupyter"), "mlver", "--help"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "snapshot" in proc.stdout
    assert "fsck" in proc.stdout


def test_tag_and_head_history(cli: CLI) -> None:
    first = snapshot(cli, "-m", "one")
    second = snapshot(cli, "-m", "two")
    assert second["parent"] == first["id"]
    assert "tagged" in cli("tag", "HEAD~1", "v0.1").stdout
    assert cli.json("show", "v0.1")["id"] == first["id"]
    assert "v0.1" in cli("list").stdout


def test_fsck_reindex_gc(cli: CLI, project: Path) -> None:
    snapshot(cli, "--data", "data")
    assert "0 problem" not in cli("fsck").stdout
    assert cli("fsck").returncode == 0
    tmp = project / ".mlver" / "tmp" / "leftover"
    tmp.write_bytes(b"partial")
    orphan = project / ".mlver" / "objects" / "ff" / ("f" * 62)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"not referenced")
    out = cli.json("gc")
    assert out["tmp_files"] == 1
    assert out["objects"] == 1
    assert not tmp.exists()
    assert not orphan.exists()
    assert cli.json("reindex") == {"records": 2}  # the snapshot and its environment
    assert len(cli.json("list")) == 1
    assert cli("fsck").returncode == 0


def test_fsck_finds_a_corrupted_object(cli: CLI, project: Path) -> None:
    rec = snapshot(cli, "--data", "data")
    victim = next(d["hash"] for d in rec["data"])
    path = project / ".mlver" / "objects" / victim[:2] / victim[2:]
    path.chmod(0o644)
    path.write_bytes(b"bit rot")
    proc = cli("fsck", check=False)
    assert proc.returncode == 1
    assert f"object {victim} is corrupt" in proc.stdout
    missing = (
        project / ".mlver" / "objects" / str(rec["environment"])[:2] / str(rec["environment"])[2:]
    )
    missing.unlink()
    proc = cli("fsck", check=False)
    assert proc.returncode == 1
    assert f"references missing object {rec['environment']}" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["snapshot", "--data", "missing.csv"], "data path 'missing.csv' does not exist"),
        (["snapshot", "--param", "lr"], "--param expects KEY=VALUE, got 'lr'"),
        (["snapshot", "--param", "=3"], "--param expects KEY=VALUE"),
        (["snapshot", "--metric", "acc=0.1", "--tag=-x"], "invalid tag name"),
        (["snapshot", "--metric", "acc=1e999"], "finite"),
        (["snapshot", "--tag", "taken"], "tag 'taken' already names snapshot"),
        (["show", "deadbeef"], "unknown ref 'deadbeef'"),
        (["show", "zz"], "unknown ref 'zz'"),
        (["show", "HEAD~5"], "HEAD~5: the history has only 1 snapshot(s)"),
        (["tag", "HEAD", "taken"], ""),
        (["tag", "HEAD~1", "x"], "history has only"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: CLI, project: Path, args: list[str], message: str
) -> None:
    snapshot(cli, "--tag", "taken")
    before = store_listing(project / ".mlver")
    proc = cli(*args, check=False)
    if args[:3] == ["tag", "HEAD", "taken"]:  # re-tagging the same snapshot is a no-op
        assert proc.returncode == 0
    else:
        assert proc.returncode == 1, proc.stdout
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert message in proc.stderr, proc.stderr
        assert proc.stderr.startswith("jupyter mlver: error: ")
        assert "Traceback" not in proc.stderr
    assert store_listing(project / ".mlver") == before


def test_usage_errors_exit_2(cli: CLI) -> None:
    proc = cli("snapshot", "--bogus", check=False)
    assert proc.returncode == 2
    assert "unrecognized arguments: --bogus" in proc.stderr


def test_a_read_only_store_is_refused_and_left_alone(cli: CLI, project: Path) -> None:
    snapshot(cli, "-m", "before")
    store_dir = project / ".mlver"
    before = store_listing(store_dir)
    with read_only(store_dir):
        proc = cli("snapshot", "-m", "after", "--data", "data", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("jupyter mlver: error: ")
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert store_listing(store_dir) == before


def test_commands_without_a_store_say_how_to_start(tmp_path: Path) -> None:
    proc = CLI(tmp_path)("list", check=False)
    assert proc.returncode == 1
    assert "no jupyter_mlver store" in proc.stderr


def test_data_outside_git_and_hash_only(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    (tmp_path / "big.bin").write_bytes(os.urandom(1 << 20))
    rec = cli.json("snapshot", "--data", "big.bin", "--hash-only")
    assert rec["git"] is None
    entry = rec["data"][0]
    assert entry["stored"] is False
    assert entry["hash"] == hash_file(tmp_path / "big.bin")
    assert not (tmp_path / ".mlver" / "objects" / entry["hash"][:2] / entry["hash"][2:]).exists()
