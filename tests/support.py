"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlver.core.store.filewriter import JOURNAL

if TYPE_CHECKING:
    from jupyter_mlver.core.store.objects import ObjectStore
    from jupyter_mlver.core.store.store import Store

BIN = Path(sys.executable).parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


class CLI:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "jupyter-mlver"), *args],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"jupyter mlver {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return json.loads(self(*args, "--json", env=env).stdout)


def store_listing(store_dir: Path) -> dict[str, bytes]:
    """Every file in a store with its bytes (SQLite files by their logical content)."""
    out: dict[str, bytes] = {}
    for path in sorted(store_dir.rglob("*")):
        rel = path.relative_to(store_dir).as_posix()
        if path.is_dir() or rel.startswith(("index.sqlite", "state.sqlite", "lock")):
            continue
        if rel == f"tmp/{JOURNAL}" and not path.stat().st_size:
            continue  # checkout's lock, empty unless a killed checkout left files to sweep
        out[rel] = path.read_bytes()
    index = store_dir / "index.sqlite"
    if index.exists():
        import sqlite3

        conn = sqlite3.connect(index)
        out["index.sqlite"] = "\n".join(conn.iterdump()).encode()
        conn.close()
    return out


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a directory unwritable even for root (a read-only bind mount), else by mode bits."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def damage_object(objects: ObjectStore, oid: str, data: bytes = b"bit rot") -> bytes:
    """Overwrite the start of a stored object in place (loose or packed), as bit rot
    would; returns the bytes it replaced so a test can put them back."""
    loose = objects.local_path(oid)
    if loose is not None:
        before = loose.read_bytes()
        loose.chmod(0o644)
        loose.write_bytes(data + before[len(data) :])
        return before[: len(data)]
    location = objects.packs.locate(oid)
    assert location is not None, f"no object {oid} in the store"
    pack, offset, _ = location
    with open(objects.packs.pack_path(pack), "r+b") as f:
        f.seek(offset)
        before = f.read(len(data))
        f.seek(offset)
        f.write(data)
    return before


def repair_object(objects: ObjectStore, oid: str, before: bytes) -> None:
    damage_object(objects, oid, before)


def data_hashes(store: Store, record: Mapping[str, Any]) -> dict[str, str]:
    """``path -> hash`` of every data file of a snapshot, directories expanded."""
    from jupyter_mlver.core.store.datarefs import data_files

    return {f["path"]: f["hash"] for f in data_files(store.objects.get_bytes, record)}
