"""REST handlers of the store: ``info``, ``snapshots`` (a page, one, its files, its tags),
``diff`` and ``notebooks/<hash>``."""

from __future__ import annotations

from collections.abc import Callable

import tornado.web
from jupyter_server.auth.decorator import authorized

from .._version import __version__
from .base import MlverHandler, has_module

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: A page of a snapshot's data files.
FILES_LIMIT = 200
MAX_FILES_LIMIT = 5000


class InfoHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        notebook = self.notebook_arg()
        store_dir = await self.call(self.ctx.store_dir, notebook)
        self.reply(
            {
                "version": __version__,
                "store": str(store_dir),
                "store_exists": (store_dir / "objects").is_dir(),
                "features": {"diff": has_module("diff"), "images": has_module("images.build")},
            }
        )


class SnapshotsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        notebook = self.notebook_arg()
        all_notebooks = self.all_notebooks_arg()
        query = self.snapshot_query(DEFAULT_LIMIT, MAX_LIMIT)
        page = await self.call(self.ctx.list_snapshots, notebook, all_notebooks, query)
        self.reply(page)


class SnapshotHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        self.reply(await self.call(self.ctx.show_snapshot, self.notebook_arg(), ref))


class FilesHandler(MlverHandler):
    """A page of a snapshot's data files, directories expanded from their trees."""

    @tornado.web.authenticated
    async def get(self, ref: str) -> None:
        page = await self.call(
            self.ctx.list_files,
            self.notebook_arg(),
            ref,
            self.get_query_argument("path", ""),
            self.int_arg("limit", FILES_LIMIT, 1, MAX_FILES_LIMIT),
            self.int_arg("offset", 0, 0, 2**62),
        )
        self.reply(page)


class TagsHandler(MlverHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, ref: str) -> None:
        name = self.str_field(self.body_json(), "name", required=True)
        result = await self.call(self.ctx.add_tag, self.notebook_arg(), ref, name)
        self.reply(result, status=201)


class DiffHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        a, b = self.two_refs_arg("a diff")
        self.reply(await self.call(self.ctx.diff, self.notebook_arg(), a, b))


class NotebookHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, oid: str) -> None:
        data = await self.call(self.ctx.get_notebook, self.notebook_arg(), oid)
        self.set_header("Content-Type", "application/json")
        self.finish(data)


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    ref = r"(?P<ref>[^/]+)"
    return [
        (url("info"), InfoHandler),
        (url("snapshots"), SnapshotsHandler),
        (url("snapshots", ref), SnapshotHandler),
        (url("snapshots", ref, "tags"), TagsHandler),
        (url("snapshots", ref, "files"), FilesHandler),
        (url("diff"), DiffHandler),
        (url("notebooks", r"(?P<oid>[^/]+)"), NotebookHandler),
    ]
