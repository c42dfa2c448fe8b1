"""The ``Engine`` over the docker SDK: the only module that talks to Docker.

Traps of the SDK this module absorbs, so callers cannot fall into them:

* ``api.build(decode=True)``, ``api.pull(stream=True)`` and ``api.push(stream=True)``
  do not raise when the operation fails: the error arrives as a stream chunk with an
  ``error``/``errorDetail`` key. Every stream here is checked.
* ``RepoDigests`` lists every repository that points at the same manifest: the digest of
  a push is taken from the push's own ``aux`` chunk, else the entry of that repository.
* The client's read timeout also bounds a silent build step (pip unpacking a large
  wheel prints nothing for minutes), so builds use a long one and the probe a short one.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from ..errors import BuildFailed, EngineUnavailable, InvalidInput, MlverError
from .docker_containers import DockerServices
from .protocol import (
    LONG_TIMEOUT,
    BuildError,
    ImageInfo,
    LineCallback,
    RunOptions,
    RunResult,
    split_ref,
)
from .target import PROBE_COMMAND, Target

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CONNECT_TIMEOUT = 10
START_HINT = (
    "start one (`sudo systemctl start docker`, Docker Desktop or colima; in this "
    "project's dev setup `scripts/ensure-docker.sh`) and export DOCKER_HOST, "
    "or use --dry-run to only write the build context"
)


def _short_reason(e: Exception) -> str:
    """Why a connection failed, without the SDK's nested exception reprs."""
    text = str(e)
    for marker, reason in (
        ("FileNotFoundError", "no such socket"),
        ("Connection refused", "connection refused"),
        ("ConnectionRefusedError", "connection refused"),
        ("Permission denied", "permission denied: is your user in the docker group?"),
        ("PermissionError", "permission denied: is your user in the docker group?"),
        ("timed out", "timed out"),
    ):
        if marker in text:
            return reason
    return (text.splitlines()[0] if text else type(e).__name__)[:160]


def _stream_error(chunk: dict[str, Any]) -> str | None:
    if "error" in chunk or "errorDetail" in chunk:
        detail = chunk.get("errorDetail") or {}
        return str(chunk.get("error") or detail.get("message") or "unknown error").strip()
    return None


class DockerEngine(DockerServices):
    """A Docker engine reached through ``DOCKER_HOST`` or the default socket (long-lived
    containers: ``DockerServices``)."""

    def __init__(self, client: Any, host: str) -> None:
        self.client = client
        self.api = client.api
        self.host = host
        self._targets: dict[str, Target] = {}

    @classmethod
    def connect(cls, host: str | None = None) -> DockerEngine:
        """Fail fast, in one line, when no engine answers."""
        import docker

        shown = (
            host
            or os.environ.get("DOCKER_HOST")
            or "the default socket (unix:///var/run/docker.sock)"
        )
        try:
            client = (
                docker.DockerClient(base_url=host, timeout=CONNECT_TIMEOUT)
                if host
                else docker.from_env(timeout=CONNECT_TIMEOUT)
            )
            client.ping()
        except Exception as e:  # the SDK raises DockerException, requests' or OS errors
            raise EngineUnavailable(
                f"no Docker engine answers at {shown} ({_short_reason(e)})", START_HINT
            ) from None
        client.api.timeout = LONG_TIMEOUT
        return cls(client, host or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock")

    def _wrap(self, e: Exception) -> EngineUnavailable:
        return EngineUnavailable(
            f"the Docker engine at {self.host} stopped answering: {e}", START_HINT
        )

    # -- images ------------------------------------------------------------------

    def image(self, ref: str) -> ImageInfo | None:
        import docker.errors

        try:
            raw = self.api.inspect_image(ref)
        except docker.errors.NotFound:
            return None
        except docker.errors.APIError as e:
            if e.status_code == 404 or "No such image" in str(e):
                return None
            raise self._wrap(e) from None
        except Exception as e:
            raise self._wrap(e) from None
        config = raw.get("Config") or {}
        return ImageInfo(
            id=raw["Id"],
            tags=list(raw.get("RepoTags") or []),
            labels=dict(config.get("Labels") or {}),
            repo_digests=list(raw.get("RepoDigests") or []),
            size=int(raw.get("Size") or 0),
            layers=list((raw.get("RootFS") or {}).get("Layers") or []),
            os=raw.get("Os") or "linux",
            architecture=raw.get("Architecture") or "amd64",
        )

    def ensure_image(self, ref: str) -> ImageInfo:
        """The image, pulled if it is not here; a clear error if it exists nowhere."""
        found = self.image(ref)
        if found is not None:
            return found
        import docker.errors

        repo, tag = split_ref(ref)
        reason = "not found"
        try:
            for chunk in self.api.pull(repo, tag=tag, stream=True, decode=True):
                error = _stream_error(chunk)
                if error:
                    reason = error
                    break
        except docker.errors.APIError as e:
            reason = str(e.explanation or e)
        except Exception as e:
            raise self._wrap(e) from None
        found = self.image(ref)
        if found is None:
            raise InvalidInput(
                f"base image {ref!r} does not exist here and cannot be pulled: {reason[:200]}",
                "pull or build it first, or choose another with --base (c.Mlver.base_image)",
            )
        return found

    def probe(self, image: ImageInfo) -> Target:
        """The Python, machine and glibc inside an image (cached per image id)."""
        if image.id not in self._targets:
            result = self.run(image.id, PROBE_COMMAND)
            if result.exit_code != 0:
                raise InvalidInput(
                    f"cannot run Python in base image {(image.tags or [image.id])[0]!r}: "
                    + result.tail(),
                    "use a base image with python3 (e.g. python:3.11-slim)",
                )
            self._targets[image.id] = Target.from_probe(
                result.stdout, (image.tags or [image.id])[0]
            )
        return self._targets[image.id]

    # -- build, tag, push ----------------------------------------------------------

    def build(
        self,
        context: IO[bytes],
        *,
        nocache: bool,
        on_line: LineCallback,
        on_step: Callable[[int, int, str], None],
    ) -> str:
        """Build an untagged image from a tar context; its id, or ``BuildError``."""
        reader = _BuildStream(on_line, on_step)
        try:
            stream: Iterable[dict[str, Any]] = self.api.build(
                fileobj=context,
                custom_context=True,
                dockerfile="Dockerfile",
                rm=True,
                forcerm=True,  # no stopped containers left behind by a failed step
                nocache=nocache,
                pull=False,
                decode=True,
            )
            for chunk in stream:
                reader.feed(chunk)
        except BuildError:
            raise
        except Exception as e:
            raise BuildFailed(
                f"the build stopped: the engine at {self.host} failed ({e})",
                "check that the engine is running (docker info)",
            ) from None
        image_id = reader.image_id or self._built_by_log(reader.log)
        if image_id is None:
            raise BuildError("the engine reported no image id", "\n".join(reader.log))
        return image_id

    def _built_by_log(self, log: list[str]) -> str | None:
        """The legacy builder's "Successfully built <id>", where no aux ID came."""
        for line in reversed(log):
            if line.startswith("Successfully built "):
                found = self.image(line.split()[-1])
                return found.id if found else None
        return None

    def tag(self, image_id: str, ref: str) -> None:
        repo, tag = split_ref(ref)
        try:
            ok = self.api.tag(image_id, repo, tag, force=True)
        except Exception as e:
            raise BuildFailed(f"cannot tag the image as {ref}: {e}") from None
        if not ok:
            raise BuildFailed(f"the engine refused the tag {ref}")

    def untag(self, ref: str) -> None:
        import docker.errors

        # noprune: keep the untagged layers, they are the next build's cache.
        with contextlib.suppress(docker.errors.NotFound):
            self.api.remove_image(ref, noprune=True)

    def push(self, ref: str, on_line: LineCallback) -> str:
        """Push one tag; return the registry's manifest digest (``sha256:…``)."""
        repo, tag = split_ref(ref)
        digest: str | None = None
        try:
            for chunk in self.api.push(repo, tag=tag, stream=True, decode=True):
                error = _stream_error(chunk)
                if error:
                    raise BuildFailed(
                        f"push of {ref} failed: {error}",
                        "check the registry address and that you are logged in (docker login)",
                    )
                aux = chunk.get("aux") or {}
                digest = aux.get("Digest") or digest
                status = chunk.get("status")
                if status:
                    on_line(f"{chunk.get('id', '')} {status} {chunk.get('progress', '')}".strip())
        except BuildFailed:
            raise
        except Exception as e:
            raise BuildFailed(f"push of {ref} failed: {e}") from None
        if digest is None:
            info = self.image(ref)
            for entry in info.repo_digests if info else []:
                name, _, value = entry.partition("@")
                if name == repo:
                    digest = value
        if digest is None:
            raise BuildFailed(f"push of {ref} reported no digest")
        return digest

    # -- containers ----------------------------------------------------------------

    def run(
        self, image: str, command: Sequence[str], options: RunOptions | None = None
    ) -> RunResult:
        """Run ``command`` in a fresh container of ``image`` without network; the container
        is removed whatever happens."""
        opts = options or RunOptions()
        try:
            container = self.api.create_container(
                image,
                entrypoint=list(command[:1]),
                command=list(command[1:]),
                working_dir=opts.workdir,
                environment=dict(opts.env) or None,
                network_disabled=True,
                host_config=self.api.create_host_config(network_mode="none"),
            )
        except Exception as e:
            raise InvalidInput(
                f"cannot create a container of {image}: {str(e)[:300]}",
                "check the image name (docker images)",
            ) from None
        cid = container["Id"]
        try:
            return self._run(cid, opts)
        except MlverError:
            raise
        except Exception as e:
            raise self._wrap(e) from None
        finally:
            # The run's result matters more than a leftover stopped container.
            with contextlib.suppress(Exception):
                self.api.remove_container(cid, force=True)

    def _run(self, cid: str, opts: RunOptions) -> RunResult:
        if opts.files is not None:
            self.api.put_archive(cid, opts.files_at, opts.files)
        self.api.start(cid)
        reader = None
        if opts.on_line is not None:
            reader = threading.Thread(target=self._follow, args=(cid, opts.on_line), daemon=True)
            reader.start()
        timed_out = False
        try:
            status = self.api.wait(cid, timeout=opts.timeout)
        except Exception:  # the SDK's read timeout: the command did not finish in time
            with contextlib.suppress(Exception):
                self.api.kill(cid)
            timed_out, status = True, {}
        if reader is not None:
            reader.join(timeout=10)
        collected = None
        if opts.collect is not None and not timed_out:
            with contextlib.suppress(Exception):  # nothing there: the command wrote nothing
                stream, _ = self.api.get_archive(cid, opts.collect)
                collected = b"".join(stream)
        return RunResult(
            exit_code=int(status.get("StatusCode", 1)),
            stdout=self.api.logs(cid, stdout=True, stderr=False).decode("utf-8", "replace"),
            stderr=self.api.logs(cid, stdout=False, stderr=True).decode("utf-8", "replace"),
            collected=collected,
            timed_out=timed_out,
        )

    def _follow(self, cid: str, on_line: LineCallback) -> None:
        pending = ""
        with contextlib.suppress(Exception):  # the container went away: the run says why
            for chunk in self.api.logs(cid, stream=True, follow=True, stdout=True, stderr=True):
                # Chunks are not lines: keep a partial last line for the next chunk.
                pending += chunk.decode("utf-8", "replace")
                *complete, pending = pending.split("\n")
                for line in complete:
                    on_line(line.rstrip("\r"))
        if pending:
            on_line(pending)


class _BuildStream:
    """The build API's chunks as lines (a chunk is not a line: a partial last line waits for
    the next chunk), the step each line belongs to, the image id, and an error as
    ``BuildError`` with the failing step's own lines."""

    def __init__(self, on_line: LineCallback, on_step: Callable[[int, int, str], None]) -> None:
        self.on_line = on_line
        self.on_step = on_step
        self.log: list[str] = []
        self.step: tuple[int, int, str] | None = None
        self.step_lines: list[str] = []
        self.image_id: str | None = None
        self.pending = ""

    def feed(self, chunk: dict[str, Any]) -> None:
        error = _stream_error(chunk)
        if error:
            self._fail(error)
        aux = chunk.get("aux") or {}
        if aux.get("ID"):
            self.image_id = aux["ID"]
        text = chunk.get("stream")
        if text:
            self.pending += text
            *complete, self.pending = self.pending.split("\n")
            for raw in complete:
                self._line(_ANSI.sub("", raw.rstrip("\r")))  # pip colours its errors

    def _line(self, line: str) -> None:
        self.log.append(line)
        self.on_line(line)
        match = _STEP.match(line)
        if match:
            self.step = (int(match.group(1)), int(match.group(2)), match.group(3))
            self.step_lines = []
            self.on_step(*self.step)
        elif line.strip():
            self.step_lines.append(line)

    def _fail(self, error: str) -> None:
        if self.pending.strip():
            self.log.append(self.pending)
            self.step_lines.append(self.pending)
        self.log.append(error)
        self.on_line(error)
        raise BuildError(error, "\n".join(self.log) + "\n", self.step, [*self.step_lines, error])
