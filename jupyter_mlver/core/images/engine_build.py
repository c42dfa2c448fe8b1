"""Running a build context through the engine (progress per step, the failing step named
with its log kept in the store) and pushing the tags: shared by environment and serving
images."""

from __future__ import annotations

from pathlib import Path

from ..engine.protocol import BuildError, Engine
from ..errors import BuildFailed
from ..store.objects import ObjectWriter
from ..store.store import Store
from . import context as ctx
from .dockerfile import count_steps
from .progress import ProgressCallback, ProgressEvent

_TAIL_LINES = 15


class BuildStepFailed(BuildFailed):
    """A build step failed. ``tail`` is that step's last output lines; the full log is the
    store object ``log_object``."""

    def __init__(self, message: str, hint: str, tail: list[str], log_object: str) -> None:
        super().__init__(message, hint)
        self.tail = tail
        self.log_object = log_object


def _noise(line: str) -> bool:
    """The legacy builder's own chatter around a step's output."""
    return line.strip().startswith(("---> ", "Removing intermediate container", "The command '"))


def _failure_reason(lines: list[str], engine_error: str) -> str:
    """The most telling line of a failed step: pip's last ERROR, else its last output."""
    useful = [ln.strip() for ln in lines if ln.strip() and not _noise(ln)]
    errors = [ln for ln in useful if ln.startswith("ERROR:")]
    if errors:
        return errors[-1]
    return useful[-1] if useful else engine_error


def run_build(
    store: Store,
    writer: ObjectWriter,
    engine: Engine,
    context: ctx.Context,
    dockerfile: str,
    nocache: bool,
    tmp: Path,
    progress: ProgressCallback,
) -> tuple[str, str]:
    """Build a context through the engine with progress; ``(image id, log)``. A failure is
    ``BuildStepFailed`` naming the step, with the log kept in the store."""
    total = count_steps(dockerfile)
    progress(ProgressEvent("build", f"building ({total} steps)", step=0, total=total))
    log_lines: list[str] = []

    def on_line(line: str) -> None:
        log_lines.append(line)
        progress(ProgressEvent("build", line, log=True))

    def on_step(i: int, n: int, instruction: str) -> None:
        progress(ProgressEvent("build", f"step {i}/{n}: {instruction}", step=i, total=n))

    with open(tmp / "context.tar", "w+b") as tar:
        context.write_tar(tar)
        tar.seek(0)
        try:
            image_id = engine.build(tar, nocache=nocache, on_line=on_line, on_step=on_step)
        except BuildError as e:
            log_id = writer.add_bytes(e.log.encode())
            writer.commit()
            instruction = " ".join(e.step[2].split()) if e.step else ""
            where = f"step {e.step[0]}/{e.step[1]} ({instruction[:100]})" if e.step else "the start"
            raise BuildStepFailed(
                f"the build failed at {where}: {_failure_reason(e.lines, e.message)}",
                f"full log: {store.objects.path(log_id)}",
                tail=[ln for ln in e.lines if ln.strip() and not _noise(ln)][-_TAIL_LINES:],
                log_object=log_id,
            ) from None
    return image_id, "\n".join(log_lines) + "\n"


def push_tags(
    engine: Engine, repo: str | None, refs: list[str], progress: ProgressCallback
) -> list[str]:
    if not repo:
        return []
    digests: set[str] = set()
    for ref in refs:
        progress(ProgressEvent("push", f"pushing {ref}"))
        digests.add(engine.push(ref, lambda line: progress(ProgressEvent("push", line, log=True))))
    return sorted(f"{repo}@{d}" for d in digests)
