"""Background jobs (image builds, notebook runs) off the tornado loop, with progress and a log tail.

A job runs in a worker thread; the handlers only read its state. Jobs live in the server's
memory: a restarted server forgets them (what a build produced is in the store anyway).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..core import records
from ..core.errors import MlverError, RecordNotFound

if TYPE_CHECKING:
    from ..core.images.progress import ProgressEvent

LOG_TAIL = 200
KEEP_FINISHED = 50
QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def error_code(exc: BaseException) -> str:
    """``RecordNotFound`` -> ``record_not_found`` (a class may keep its parent's ``code``)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        return code
    name = type(exc).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class Job:
    """One background task; every method is safe to call from any thread."""

    def __init__(self, kind: str, params: dict[str, Any]) -> None:
        self.id = uuid.uuid4().hex
        self.kind = kind
        self.params = params
        self.state = QUEUED
        self.created = records.now()
        self.started: str | None = None
        self.finished: str | None = None
        self.phase: str | None = None
        self.message = ""
        self.step: int | None = None
        self.total: int | None = None
        self.log: deque[str] = deque(maxlen=LOG_TAIL)
        self.log_lines = 0
        self.result: dict[str, Any] | None = None
        self.error: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self.state in (SUCCEEDED, FAILED)

    def progress(self, event: ProgressEvent) -> None:
        """The build's progress callback."""
        with self._lock:
            if event.log:
                for line in event.message.splitlines() or [""]:
                    self.log.append(line)
                    self.log_lines += 1
                return
            self.phase = event.phase
            self.message = event.message
            if event.step is not None:
                self.step, self.total = event.step, event.total
            self.log.append(f"[{event.phase}] {event.message}")
            self.log_lines += 1

    def note(self, message: str, step: int | None = None, total: int | None = None) -> None:
        """Progress of a job that is not a build: a log line and, when known, the count."""
        with self._lock:
            self.message = message
            if step is not None:
                self.step, self.total = step, total
            self.log.append(message)
            self.log_lines += 1

    def _start(self) -> None:
        with self._lock:
            self.state = RUNNING
            self.started = records.now()

    def _finish(self, result: dict[str, Any] | None, error: dict[str, Any] | None) -> None:
        with self._lock:
            self.result, self.error = result, error
            self.state = FAILED if error else SUCCEEDED
            self.finished = records.now()
            if error:
                self.message = error["message"]

    def to_json(self, log_lines: int = LOG_TAIL) -> dict[str, Any]:
        with self._lock:
            tail = list(self.log)[-log_lines:] if log_lines > 0 else []
            return {
                "id": self.id,
                "kind": self.kind,
                "params": self.params,
                "state": self.state,
                "created": self.created,
                "started": self.started,
                "finished": self.finished,
                "phase": self.phase,
                "message": self.message,
                "step": self.step,
                "total": self.total,
                "log": tail,
                "log_lines": self.log_lines,
                "result": self.result,
                "error": self.error,
            }


JobFunction = Callable[[Job], dict[str, Any]]


class JobManager:
    """Runs jobs in a small thread pool (one at a time by default: builds are heavy)."""

    def __init__(
        self, max_workers: int = 1, log: logging.Logger | None = None, keep: int = KEEP_FINISHED
    ) -> None:
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="mlver-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self.log = log or logging.getLogger(__name__)

    def submit(self, kind: str, params: dict[str, Any], fn: JobFunction) -> Job:
        job = Job(kind, params)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._executor.submit(self._run, job, fn)
        return job

    def _run(self, job: Job, fn: JobFunction) -> None:
        job._start()
        try:
            result = fn(job)
        except MlverError as e:
            job._finish(None, {"code": error_code(e), "message": e.message, "hint": e.hint})
        except Exception as e:
            self.log.exception("jupyter_mlver job %s (%s) failed", job.id, job.kind)
            job._finish(None, {"code": "internal_error", "message": str(e) or repr(e)})
        else:
            job._finish(result, None)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.done]
        for job in finished[: max(0, len(finished) - self._keep)]:
            del self._jobs[job.id]

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise RecordNotFound(
                f"unknown job {job_id!r}", "jobs are kept in the server's memory until it stops"
            )
        return job

    def list(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def shutdown(self, wait: bool = False) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)
