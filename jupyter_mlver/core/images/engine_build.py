"""Running a build context through the engine (progress per step, the failing step named
with its log kept in the store), tagging the image (no tag outlives a failure, none moves
silently to another image) and pushing the tags: shared by environment and serving images."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..engine.protocol import BuildError, Engine, ImageInfo
from ..errors import BuildFailed
from ..plain import strip_ansi
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


@contextlib.contextmanager
def tagging(engine: Engine, image: ImageInfo, refs: list[str]) -> Iterator[None]:
    """Tag ``image`` with ``refs`` for the block; if the block fails, the tags this call
    added are removed again: no tag may point at an unrecorded image."""
    applied: list[str] = []
    try:
        for ref in refs:
            engine.tag(image.id, ref)
            applied.append(ref)
        yield
    except BaseException:
        for ref in applied:
            if ref not in image.tags:
                with contextlib.suppress(Exception):
                    engine.untag(ref)
        raise


def _noise(line: str) -> bool:
    """The legacy builder's own chatter around a step's output."""
    return line.strip().startswith(("---> ", "Removing intermediate container", "The command '"))


def _failure_reason(lines: list[str], engine_error: str) -> str:
    """The most telling line of a failed step: pip's last ERROR, else its last output."""
    useful = [strip_ansi(ln).strip() for ln in lines if ln.strip() and not _noise(ln)]
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

    def on_line(raw: str) -> None:
        line = strip_ansi(raw)
        log_lines.append(line)
        progress(ProgressEvent("build", line, log=True))

    def on_step(i: int, n: int, instruction: str) -> None:
        # The instruction alone: a display numbers the steps (OneCount may renumber them).
        progress(ProgressEvent("build", " ".join(instruction.split()), step=i, total=n))

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
                tail=[strip_ansi(ln) for ln in e.lines if ln.strip() and not _noise(ln)][
                    -_TAIL_LINES:
                ],
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


def settle_tags(
    engine: Engine, refs: list[str], inputs: str, explicit: set[str]
) -> tuple[list[str], list[str]]:
    """The refs to tag an image of ``inputs`` with, and notes: a tag never moves silently to
    another image. A ref that names an image built from other inputs (another environment,
    base or code) is refused when the user chose it (``--tag``), else made distinct with the
    inputs' first digits (``<git sha>-<inputs8>``); a rebuild of the same inputs keeps it."""
    from ..errors import Conflict

    settled: list[str] = []
    notes: list[str] = []
    for ref in refs:
        held = engine.image(ref)
        if held is None or held.labels.get("io.mlver.inputs") == inputs:
            settled.append(ref)
            continue
        what = held.labels.get("io.mlver.snapshot") or held.labels.get("io.mlver.environment")
        other = f"image {held.id[7:19]}" + (f" (of {what[:12]})" if what else "")
        if ref in explicit:
            raise Conflict(
                f"tag {ref} already names {other}, built from another environment or code",
                "choose another --tag, or untag that image first (docker rmi " + ref + ")",
            )
        distinct = f"{ref}-{inputs[:8]}"
        settled.append(distinct)
        notes.append(f"{ref} names {other}: tagged {distinct} instead")
    return list(dict.fromkeys(settled)), notes
