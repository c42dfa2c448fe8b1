"""REST handlers of background jobs (image builds, notebook runs): ``jobs`` and
``jobs/<id>``."""

from __future__ import annotations

from collections.abc import Callable

import tornado.web

from .base import MlverHandler


class JobsHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.reply({"jobs": [job.to_json(log_lines=0) for job in self.ctx.jobs.list()]})


class JobHandler(MlverHandler):
    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        lines = self.int_arg("log_lines", 50, 0, 200)
        self.reply(self.ctx.jobs.get(job_id).to_json(log_lines=lines))


def routes(url: Callable[..., str]) -> list[tuple[str, type[MlverHandler]]]:
    return [(url("jobs"), JobsHandler), (url("jobs", r"(?P<job_id>[^/]+)"), JobHandler)]
