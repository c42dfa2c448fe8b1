"""core/checkout.py and `jupyter mlver checkout`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.checkout import checkout
from jupyter_mlver.core.errors import InvalidInput, StoreError
from jupyter_mlver.core.hashing import hash_file
from jupyter_mlver.core.store.store import Store
from tests.support import CLI, damage_object, repair_object

from .conftest import Make


def snapshot(cli: CLI, *args: str) -> dict[str, Any]:
    out = cli.json("snapshot", *args)
    assert isinstance(out, dict)
    return out


def recorded(cli: CLI, rec: dict[str, Any]) -> dict[str, str]:
    """Every data file's hash, directories expanded."""
    return {d["path"]: d["hash"] for d in cli.json("show", rec["id"], "--files")["data"]}


def statuses(out: dict[str, Any]) -> dict[str, str]:
    return {i["path"]: i["status"] for i in out["items"]}


@pytest.fixture
def binary_data(project: Path) -> dict[str, bytes]:
    """Files whose bytes a text round trip would change (NULs, CRLF, no final newline)."""
    files = {
        "data/train.csv": (project / "data" / "train.csv").read_bytes(),
        "data/test.csv": (project / "data" / "test.csv").read_bytes(),
        "data/blob.bin": bytes(range(256)) * 64 + b"\r\n\x00end",
        "data/nested/deep/labels.txt": b"cat\r\ndog",
    }
    for rel, content in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_bytes(content)
    return files


def test_checkout_restores_deleted_and_edited_files_byte_for_byte(
    cli: CLI, project: Path, binary_data: dict[str, bytes]
) -> None:
    rec = snapshot(cli, "-m", "v1", "--data", "data")
    (project / "data" / "blob.bin").unlink()
    (project / "data" / "nested" / "deep" / "labels.txt").unlink()
    (project / "data" / "nested" / "deep").rmdir()
    (project / "data" / "train.csv").write_bytes(b"x,y\n9,9\n")
    snapshot(cli, "-m", "v2", "--data", "data")  # the edit is kept: checkout may replace it
    (project / "data" / "test.csv").write_bytes(b"x,y\n5,6\n")  # back to v1's bytes

    out = cli.json("checkout", str(rec["id"])[:8])
    assert isinstance(out, dict)
    assert out["ok"] is True
    assert statuses(out) == {
        "data/blob.bin": "restored",
        "data/nested/deep/labels.txt": "restored",
        "data/test.csv": "unchanged",
        "data/train.csv": "restored",
    }
    for rel, content in binary_data.items():
        assert (project / rel).read_bytes() == content
        assert hash_file(project / rel) == recorded(cli, rec)[rel]
    leftovers = [p.name for p in project.rglob("*.mlver-*.tmp")]
    assert leftovers == []


def test_checkout_refuses_to_clobber_unsnapshotted_changes(
    cli: CLI, project: Path, binary_data: dict[str, bytes]
) -> None:
    rec = snapshot(cli, "-m", "v1", "--data", "data")
    (project / "data" / "blob.bin").unlink()
    (project / "data" / "train.csv").write_bytes(b"precious, unsaved work\n")

    proc = cli("checkout", "HEAD", check=False)
    assert proc.returncode == 1
    assert "REFUSED" in proc.stdout
    assert "data/train.csv" in proc.stdout
    assert "--force" in proc.stdout
    # Nothing was written, not even the file that was safe to restore.
    assert (project / "data" / "train.csv").read_bytes() == b"precious, unsaved work\n"
    assert not (project / "data" / "blob.bin").exists()
    out = json.loads(cli("checkout", "HEAD", "--json", check=False).stdout)
    assert statuses(out)["data/train.csv"] == "refused"
    assert statuses(out)["data/blob.bin"] == "skipped"
    assert out["ok"] is False

    forced = json.loads(cli("checkout", "HEAD", "--force", "--json").stdout)
    assert forced["ok"] is True
    train = next(i for i in forced["items"] if i["path"] == "data/train.csv")
    assert train["status"] == "restored"
    assert train["forced"] is True
    assert (project / "data" / "train.csv").read_bytes() == binary_data["data/train.csv"]
    assert hash_file(project / "data" / "blob.bin") == recorded(cli, rec)["data/blob.bin"]


def test_checkout_only_named_paths(cli: CLI, project: Path, binary_data: dict[str, bytes]) -> None:
    snapshot(cli, "-m", "v1", "--data", "data")
    for rel in binary_data:
        (project / rel).unlink()
    out = json.loads(cli("checkout", "HEAD", "data/nested", "data/test.csv", "--json").stdout)
    assert sorted(statuses(out)) == ["data/nested/deep/labels.txt", "data/test.csv"]
    assert (project / "data" / "nested" / "deep" / "labels.txt").exists()
    assert (project / "data" / "test.csv").exists()
    assert not (project / "data" / "train.csv").exists()
    assert not (project / "data" / "blob.bin").exists()
    # Paths are relative to the current directory, as in git.
    sub = CLI(project / "data")
    sub("checkout", "HEAD", "blob.bin")
    assert (project / "data" / "blob.bin").read_bytes() == binary_data["data/blob.bin"]
    proc = cli("checkout", "HEAD", "data/nothing-here", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("jupyter mlver: error: data/nothing-here is not in snapshot")


def test_hash_only_files_are_named_as_not_restorable(cli: CLI, project: Path) -> None:
    snapshot(cli, "-m", "v1", "--data", "data", "--hash-only")
    out = json.loads(cli("checkout", "HEAD", "--json").stdout)
    assert out["ok"] is True  # everything is as recorded: nothing to restore
    (project / "data" / "train.csv").unlink()
    proc = cli("checkout", "HEAD", check=False)
    assert proc.returncode == 1
    assert "cannot restore" in proc.stdout
    assert "data/train.csv" in proc.stdout
    assert "--hash-only" in proc.stdout
    assert not (project / "data" / "train.csv").exists()


def test_dry_run_writes_nothing(cli: CLI, project: Path) -> None:
    snapshot(cli, "-m", "v1", "--data", "data")
    (project / "data" / "train.csv").unlink()
    out = json.loads(cli("checkout", "HEAD", "--dry-run", "--json").stdout)
    assert out["dry_run"]
    assert statuses(out)["data/train.csv"] == "restored"
    assert not (project / "data" / "train.csv").exists()
    assert "would restore" in cli("checkout", "HEAD", "--dry-run").stdout


def test_notebook_is_restored_and_mode_kept(
    store: Store, make_snapshot: Make, project: Path
) -> None:
    content = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    rec = make_snapshot(notebook=content)
    target = project / "nb.ipynb"
    result = checkout(store, rec["id"])
    assert [(i.path, i.kind, i.status) for i in result.items] == [
        ("nb.ipynb", "notebook", "restored")
    ]
    assert target.read_bytes() == content
    assert os.stat(target).st_mode & 0o200, "a restored file is writable, unlike store objects"
    target.write_bytes(b"{}")
    target.chmod(0o600)
    assert checkout(store, rec["id"]).with_status("refused")
    checkout(store, rec["id"], force=True)
    assert target.read_bytes() == content
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert checkout(store, rec["id"], notebook=False).items == []


def test_snapshots_indexed_before_the_data_table_are_known(
    cli: CLI, project: Path, store: Store
) -> None:
    snapshot(cli, "-m", "v1", "--data", "data")
    (project / "data" / "train.csv").write_text("v2\n")
    snapshot(cli, "-m", "v2", "--data", "data")
    # As if both were indexed by a version without the data_entries table.
    with store.index.transaction() as conn:
        conn.execute("DELETE FROM data_entries")
        conn.execute("DELETE FROM data_indexed")
        conn.execute("DELETE FROM data_trees")
    result = checkout(store, store.resolve("HEAD~1"))
    assert [i.status for i in result.items if i.path == "data/train.csv"] == ["restored"]
    assert store.index.snapshots_without_data() == []


def test_damaged_store_copy_is_caught_before_the_rename(
    cli: CLI, project: Path, store: Store
) -> None:
    rec = snapshot(cli, "-m", "v1", "--data", "data")
    target = project / "data" / "train.csv"
    target.unlink()
    oid = recorded(cli, rec)["data/train.csv"]
    before = damage_object(store.objects, oid)
    with pytest.raises(StoreError, match="damaged"):
        checkout(store, rec["id"])
    assert not target.exists()
    assert list((project / "data").glob(".*.tmp")) == []
    repair_object(store.objects, oid, before)
    assert checkout(store, rec["id"]).ok


def test_checkout_needs_a_snapshot(store: Store, make_snapshot: Make) -> None:
    rec = make_snapshot()
    with pytest.raises(InvalidInput, match="not a snapshot"):
        checkout(store, rec["environment"])
