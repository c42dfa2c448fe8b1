"""Create a key only if it is absent: the one primitive the registry's version claims need.

Only one writer can win a conditional create, so two users can never both take a number:

- S3 (AWS, MinIO, SeaweedFS, Ceph RGW, R2): ``PutObject`` with ``If-None-Match: *`` (s3fs's
  ``pipe_file(mode="create")``). Servers that ignore the header exist (old MinIO and Ceph
  releases), so the first registry push to a remote checks that a second create of one
  key is refused before trusting it (``verify``), and this store remembers the answer.
- GCS: an upload with ``ifGenerationMatch=0`` (gcsfs's ``mode="create"``).
- Azure: an upload with ``overwrite=False`` (``If-None-Match: *``, adlfs).
- A local or mounted directory: a temporary file, synced, then ``link()``ed to the key,
  which fails if the key exists (atomic on POSIX filesystems and NFS, and the key is never
  seen half written).

Anything else (SFTP, HTTP, WebDAV, memory) cannot do it and is refused for registry pushes.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import os
import time
import uuid
from typing import Any

from ..errors import RemoteError
from .backend import RemoteFS, protocol_names

#: The key the S3 check writes twice (the second create must be refused).
PROBE_KEY = "claims/probe"
_PROBE_BODY = b"mlver: a conditional create (If-None-Match: *) must refuse to replace this\n"
#: AWS answers 409 ConditionalRequestConflict while another conditional write of the same
#: key is in flight: that one decides, so ask again shortly.
_CONFLICT_TRIES = 8


def unsupported(rfs: RemoteFS) -> str | None:
    """Why this remote cannot create a key only if it is absent, or None when it can (as far
    as its storage library says; S3 servers are also checked by ``verify``)."""
    protocols = protocol_names(rfs.fs.protocol)
    if rfs.local:
        return None
    if rfs.s3 or protocols & {"gs", "gcs"}:
        if "mode" not in inspect.signature(rfs.fs._pipe_file).parameters:
            library = type(rfs.fs).__module__.split(".")[0]
            return f"this version of {library} cannot write only-if-absent (upgrade it)"
        return None
    if protocols & {"az", "abfs", "abfss"}:
        return None
    return f"{sorted(protocols)[0]}:// cannot create a file only if it is absent"


def require(rfs: RemoteFS) -> None:
    """Refuse, in one line that says why, a remote that cannot create only if absent."""
    why = unsupported(rfs)
    if why is not None:
        raise RemoteError(
            f"remote {rfs.remote.name} ({rfs.remote.url}): {why}; registry pushes need it "
            "to give every version one number",
            "push models to an S3, GCS or Azure bucket or a shared directory",
        )


def _taken(error: BaseException) -> bool:
    """Whether the storage library's error says the key exists (a conditional create lost)."""
    if isinstance(error, FileExistsError) or type(error).__name__ == "ResourceExistsError":
        return True
    cause = error.__cause__ or error.__context__
    response: Any = getattr(cause, "response", None) or getattr(error, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        return code == "PreconditionFailed" or status == 412
    return False


def _in_flight(error: BaseException) -> bool:
    cause = error.__cause__ or error.__context__
    response: Any = getattr(cause, "response", None) or getattr(error, "response", None)
    if isinstance(response, dict):
        return (response.get("Error") or {}).get("Code") == "ConditionalRequestConflict"
    return False


def _create_local(rfs: RemoteFS, path: str, data: bytes) -> bool:
    directory = path.rsplit("/", 1)[0]
    tmp_dir = f"{rfs.root}/tmp"
    for d in (directory, tmp_dir):
        os.makedirs(d, exist_ok=True)
    tmp = f"{tmp_dir}/{os.getpid()}-{uuid.uuid4().hex}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as e:
            if e.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise RemoteError(
                    f"remote {rfs.remote.name} ({rfs.remote.url}) cannot link files "
                    f"({e.strerror}): registry pushes need an exclusive create",
                    "use a directory on a POSIX filesystem or NFS, or an object store",
                ) from None
            raise
        with contextlib.suppress(OSError):  # the new name survives a power cut
            dfd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def create(rfs: RemoteFS, key: str, data: bytes) -> bool:
    """Write ``data`` at ``key`` (a full path, as ``RemoteFS`` keys are) only if nothing is
    there: True if this call created it, False if the key exists. A request that lands but
    whose answer is lost and is tried again answers False: the caller reads the key to
    learn whether it was its own."""
    require(rfs)
    with rfs.translate(f"create {key}"):
        if rfs.local:
            return _create_local(rfs, key, data)
        for attempt in range(_CONFLICT_TRIES):
            try:
                if rfs.s3 or "mode" in inspect.signature(rfs.fs._pipe_file).parameters:
                    rfs.fs.pipe_file(key, data, mode="create")
                else:  # adlfs: overwrite=False is its If-None-Match: *
                    rfs.fs.pipe_file(key, data, overwrite=False)
                return True
            except Exception as e:
                if _taken(e):
                    return False
                if not _in_flight(e) or attempt == _CONFLICT_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def verify(rfs: RemoteFS) -> None:
    """Check that the remote refuses a second create of one key; ``RemoteError`` (one line
    that says why) when it does not. Leaves one small key, ``claims/probe``."""
    key = f"{rfs.root}/{PROBE_KEY}"
    if create(rfs, key, _PROBE_BODY) and create(rfs, key, _PROBE_BODY):
        raise RemoteError(
            f"remote {rfs.remote.name} ({rfs.remote.url}) ignores conditional writes "
            "(a second PutObject with If-None-Match: * replaced the first): registry pushes "
            "need them to give every version one number",
            "use a store that enforces If-None-Match (AWS S3, recent MinIO, SeaweedFS, "
            "Ceph RGW >= 19, R2)",
        )
