"""What the REST handlers share: the settings, one Store per thread and per notebook's
store, and the store calls behind the endpoints (run in the handlers' thread pool)."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import tornado.web

from ..config import Mlver
from ..core.errors import InvalidInput, RecordNotFound
from ..core.snapshot.read import SnapshotPage, SnapshotQuery, list_snapshots
from ..core.store.index.db import ALL
from ..core.store.store import Store, find_store_dir
from .jobs import JobManager

_HASH = re.compile(r"^[0-9a-f]{64}$")


class MlverContext:
    """What the handlers share: the server root, settings, a thread pool, stores, jobs."""

    def __init__(self, root_dir: str | os.PathLike[str], settings: Mlver, log: logging.Logger):
        self.root_dir = Path(os.path.abspath(root_dir))
        self._real_root = self.root_dir.resolve()
        self.settings = settings
        self.log = log
        self.executor = ThreadPoolExecutor(4, thread_name_prefix="mlver-api")
        self.jobs = JobManager(log=log)
        # SQLite connections are per thread: each pool thread keeps its own Store objects.
        self._local = threading.local()

    def close(self) -> None:
        self.jobs.shutdown()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- paths -------------------------------------------------------------------

    def notebook_path(self, path: str | None) -> Path | None:
        """A request's path (relative to the server root) as an absolute path inside it.

        Absolute paths, ``..`` escapes and symlinks leading out of the root are refused (403).
        """
        if path is None or path == "":
            return None
        if "\x00" in path:
            raise InvalidInput("a path cannot contain NUL characters")
        candidate = Path(path)
        if candidate.is_absolute() or path.startswith("~"):
            raise tornado.web.HTTPError(
                403, "paths are relative to the server's root directory: %s", path
            )
        absolute = Path(os.path.normpath(self.root_dir / candidate))
        real = absolute.resolve()
        if not (real == self._real_root or real.is_relative_to(self._real_root)):
            raise tornado.web.HTTPError(403, "path outside the server's root directory: %s", path)
        return absolute

    def server_path(self, store: Store, store_path: str | None) -> str | None:
        """A notebook path as records keep it (store-relative) as the frontend knows it."""
        if store_path is None:
            return None
        absolute = Path(os.path.normpath(store.root / store_path))
        try:
            return absolute.relative_to(self.root_dir).as_posix()
        except ValueError:
            return store_path

    # -- stores ------------------------------------------------------------------

    def store_dir(self, notebook: Path | None) -> Path:
        start = notebook.parent if notebook is not None else self.root_dir
        return find_store_dir(start, explicit=self.settings.store_dir)

    def store(self, notebook: Path | None) -> Store | None:
        """This thread's Store for a notebook (or the root), or None if none exists yet."""
        store_dir = self.store_dir(notebook)
        if not (store_dir / "objects").is_dir():
            return None
        stores: dict[Path, Store] | None = getattr(self._local, "stores", None)
        if stores is None:
            stores = self._local.stores = {}
        store = stores.get(store_dir)
        if store is None:
            store = stores[store_dir] = Store(store_dir)
        return store

    def require_store(self, notebook: Path | None) -> Store:
        store = self.store(notebook)
        if store is None:
            raise RecordNotFound(
                f"no jupyter_mlver store at {self.store_dir(notebook)}",
                "take a snapshot first (`%mlver snapshot` or the panel's Snapshot button)",
            )
        return store

    # -- the calls behind the endpoints (run in the pool) -------------------------

    def snapshot_page(
        self,
        notebook: Path | None,
        all_notebooks: bool,
        query: SnapshotQuery,
        remotes: bool = False,
    ) -> tuple[Store | None, SnapshotPage]:
        """A page of the notebook's snapshots (or every notebook's), empty with no store."""
        store = self.store(notebook)
        if store is None:
            return None, SnapshotPage(query)
        if notebook is not None and not all_notebooks:
            query = replace(query, notebook=store.relpath(notebook))
        return store, list_snapshots(store, query, remotes=remotes)

    def list_snapshots(
        self, notebook: Path | None, all_notebooks: bool, query: SnapshotQuery
    ) -> dict[str, Any]:
        store, page = self.snapshot_page(notebook, all_notebooks, query, remotes=True)
        return {**page.to_json(self.paths(store)), "store": str(self.store_dir(notebook))}

    def list_experiments(
        self, notebook: Path | None, all_notebooks: bool, query: SnapshotQuery
    ) -> dict[str, Any]:
        store, page = self.snapshot_page(notebook, all_notebooks, query)
        return page.experiments_json(self.paths(store))

    def paths(self, store: Store | None) -> Callable[[str | None], str | None]:
        """Store paths as the server's (relative to its root)."""
        return lambda path: None if store is None else self.server_path(store, path)

    def show_snapshot(self, notebook: Path | None, ref: str) -> dict[str, Any]:
        from ..core.snapshot.read import snapshot_detail

        store = self.require_store(notebook)
        detail = snapshot_detail(store, store.resolve(ref, self._where(store, notebook)))
        nb = detail.record.get("notebook") or {}
        return {**detail.to_json(), "notebook_path": self.server_path(store, nb.get("path"))}

    def list_files(
        self, notebook: Path | None, ref: str, path: str, limit: int, offset: int
    ) -> dict[str, Any]:
        from ..core.store.datarefs import files_page

        store = self.require_store(notebook)
        rid = store.resolve(ref, self._where(store, notebook))
        files, total = files_page(store.objects.get_bytes, store.get(rid), path, offset, limit)
        return {
            "snapshot": rid,
            "path": path,
            "files": files,
            "total": total,
            "offset": offset,
            "limit": limit,
        }

    def diff(self, notebook: Path | None, a: str, b: str) -> dict[str, Any]:
        store = self.require_store(notebook)
        where = self._where(store, notebook)
        a_id, b_id = store.resolve(a, where), store.resolve(b, where)
        from ..core.diff import diff_snapshots

        return dict(diff_snapshots(store, a_id, b_id))

    def get_notebook(self, notebook: Path | None, oid: str) -> bytes:
        if not _HASH.match(oid):
            raise InvalidInput(
                f"{oid!r} is not a notebook hash", "give the 64 hex digits of record.notebook.hash"
            )
        store = self.require_store(notebook)
        if not store.objects.exists(oid):
            raise RecordNotFound(f"no stored notebook {oid[:12]}")
        data = store.objects.get_bytes(oid)
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
            raise RecordNotFound(f"object {oid[:12]} is not a notebook")
        return data

    def add_tag(self, notebook: Path | None, ref: str, name: str) -> dict[str, Any]:
        store = self.require_store(notebook)
        tag = store.add_tag(ref, name, self._where(store, notebook))
        snapshot = tag["snapshot"]
        return {"name": name, "snapshot": snapshot, "tags": store.index.tags_of(snapshot)}

    def resolve(self, notebook: Path | None, ref: str) -> tuple[Path, str]:
        store = self.require_store(notebook)
        return store.dir, store.resolve(ref, self._where(store, notebook))

    @staticmethod
    def _where(store: Store, notebook: Path | None) -> object:
        """HEAD means the latest snapshot of the notebook when one is given."""
        return store.relpath(notebook) if notebook is not None else ALL
