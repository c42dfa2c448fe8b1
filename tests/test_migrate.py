"""A store written by jupyter_mlver 0.1 is read as it is, refused for writing with a hint,
and upgraded in place by ``jupyter mlver migrate`` — also when the migration is killed.

``tests/fixtures/store-0.1.tar.gz`` is a project whose store was written by 0.1.0 (commit
341faaf): two snapshots of ``data/`` (listed file by file, every copy loose) and a tag.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from tests.crashpoints import counts, run_armed
from tests.support import CLI, store_listing

FIXTURE = Path(__file__).parent / "fixtures" / "store-0.1.tar.gz"
SMALL_DATA_COPIES = 4  # train.csv, test.csv twice, nested/deep.bin; large.bin stays loose


@pytest.fixture
def old(tmp_path: Path) -> Path:
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "project"


def _kept(project: Path) -> dict[str, bytes]:
    """What a store holds, but for its index and hash cache (both rebuilt from it)."""
    return {k: v for k, v in store_listing(project / ".mlver").items() if k != "index.sqlite"}


def _loose(project: Path) -> int:
    return sum(1 for p in (project / ".mlver" / "objects").glob("??/*") if p.is_file())


def test_an_old_store_is_read_as_it_is(old: Path) -> None:
    cli = CLI(old)
    before = _kept(old)
    listed = cli.json("list")
    assert [r["message"] for r in listed] == ["second by 0.1", "made by 0.1"]
    first = cli.json("show", "v0.1")
    assert "kind" not in first["data"][0]  # 0.1 listed every file
    assert {d["path"] for d in first["data"]} >= {"data/train.csv", "data/nested/deep.bin"}
    assert cli.json("diff", "v0.1", "HEAD")["summary"]["data"] == 1
    assert "ok" in cli("fsck").stdout
    shutil.rmtree(old / "data")
    cli("checkout", "v0.1", "--no-notebook")
    assert (old / "data" / "test.csv").read_text() == "x,y\n5,6\n"
    assert _kept(old) == before  # reading wrote nothing


def test_writing_an_old_store_asks_for_migrate_and_changes_nothing(old: Path) -> None:
    cli = CLI(old)
    before = _kept(old)
    proc = cli("snapshot", "-m", "new", "--data", "data", check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "jupyter mlver migrate" in proc.stderr
    assert _kept(old) == before


def test_migrate_upgrades_in_place(old: Path) -> None:
    cli = CLI(old)
    loose_before = _loose(old)
    out = cli.json("migrate")
    assert out == {
        "format_before": 1,
        "format": 2,
        "packed": SMALL_DATA_COPIES,
        "packed_bytes": out["packed_bytes"],
        "renumbered": [],
    }
    assert "format = 2" in (old / ".mlver" / "config.toml").read_text()
    assert _loose(old) == loose_before - SMALL_DATA_COPIES
    assert "ok" in cli("fsck").stdout
    assert cli.json("migrate")["packed"] == 0  # nothing left to do
    # The old records read as before; a new snapshot records its directory as a tree.
    new = cli.json("snapshot", "-m", "after the upgrade", "--data", "data")
    assert new["data"][0]["kind"] == "tree"
    assert cli.json("diff", "v0.1", "HEAD")["summary"]["data"] == 1
    shutil.rmtree(old / "data")
    cli("checkout", "v0.1", "--no-notebook")
    assert (old / "data" / "test.csv").read_text() == "x,y\n5,6\n"
    assert (old / "data" / "large.bin").stat().st_size == 16 * 1024 * 80


def _migrate_killed(project: Path, point: str, n: int) -> None:
    proc = run_armed(project, point, n, "migrate")
    assert proc.returncode == -9, f"{point}:{n} was never reached: {proc.stderr}"


def test_a_killed_migration_leaves_a_readable_store(tmp_path: Path, old: Path) -> None:
    spare = tmp_path / "spare"
    shutil.copytree(old, spare)
    counted = run_armed(spare, "count", 0, "migrate")
    passed = counts(counted.stderr)
    points = [("rename", n) for n in range(1, passed["rename"] + 1)]
    points += [("packs:INSERT", 1), ("packs:COMMIT", passed["packs:COMMIT"])]
    points += [("unlink", n) for n in range(1, passed["unlink"] + 1)]
    assert len(points) >= 6
    for i, (point, n) in enumerate(points):
        project = tmp_path / f"round-{i}"
        shutil.copytree(old, project)
        _migrate_killed(project, point, n)
        cli = CLI(project)
        assert "ok" in cli("fsck").stdout, f"after a kill at {point}:{n}"
        shutil.rmtree(project / "data")
        cli("checkout", "v0.1", "--no-notebook")
        assert (project / "data" / "test.csv").read_text() == "x,y\n5,6\n"
        cli("migrate")  # finishes the job
        assert _loose(project) == _loose(spare)
        assert "ok" in cli("fsck").stdout
