"""The remote's layout and the few fsspec calls push and pull need.

Layout under the remote URL (nothing in it is ever rewritten, so concurrent pushers cannot
lose each other's work — there is no shared listing to update)::

    mlver-remote.json          {"format": "mlver.remote/2"}; identical from every writer
    objects/ab/cdef…           records and other objects, the same bytes and names as locally
    packs/<name>.pack|.idx     small data copies, many to a pack (see ``pack_transfer.py``); the
                               index is written after its pack
    records/<kind>/<id>        an empty marker: record <id> and everything it needs
                               (but, after a --no-data push, its data copies) are here
    refs/tags/<name>/<id>      an empty marker: tag <name> (URL-quoted) names snapshot <id>
    claims/models/<name>/<N>   version N of model <name> (URL-quoted) is taken: the body is
                               the ``mlver.number/1`` record of its publication, made by a
                               conditional create that only one writer wins (``claims.py``)
    claims/probe               written twice by the first registry push: the second create
                               must be refused (``conditional.py``)
    tmp/<uuid>                 uploads in flight on filesystem-like remotes (renamed away)

Markers are written only after the record's objects have all landed, tag markers before
the record marker, so an interrupted
push leaves objects without a marker (completed by the next push) and never a marker
without its objects. Object stores (S3, GCS, Azure) make a PUT visible whole or not at
all; on filesystem-like remotes (paths, SSH) a file is written under ``tmp/`` and renamed.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from ..errors import MlverError, RemoteError
from ..hashing import is_hex_digest
from ..records import KINDS
from .config import Remote, check_protocol

FORMAT = "mlver.remote/2"
#: Formats this version reads; a remote of an older one is upgraded by the next push (a
#: client that does not know packs then refuses it rather than miss objects).
READABLE = frozenset({"mlver.remote/1", FORMAT})
FORMAT_KEY = "mlver-remote.json"
#: Protocols whose PUT is atomic per object; everything else gets a temporary name + rename.
OBJECT_STORES = frozenset(
    {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "oci", "memory"}
)
#: Up to this many unknown objects are probed one by one; more, and their fan-out
#: directories are listed instead (one request per 1000 keys).
PROBE_LIMIT = 64
_KIND_NAMES = frozenset(KINDS.values())
#: Multipart part size for large objects on S3 (see ``RemoteFS._parts``).
PART_SIZE = 16 * 1024 * 1024
#: Objects this large travel in parts, several at a time.
MULTIPART_SIZE = 2 * PART_SIZE

ByteCallback = Callable[[int], None]


def _callback(on_bytes: ByteCallback | None) -> Any:
    """An fsspec callback that reports bytes as they move (s3fs, gcsfs call it per chunk)."""
    from fsspec.callbacks import Callback, NoOpCallback

    if on_bytes is None:
        return NoOpCallback()
    report: ByteCallback = on_bytes

    class _Bytes(Callback):  # type: ignore[misc]
        def call(self, *args: Any, **kwargs: Any) -> None:
            pass

        def relative_update(self, inc: int = 1) -> None:
            report(inc)

    return _Bytes()


def _hint(e: BaseException) -> str:
    name = type(e).__name__
    text = str(e)
    if (
        "Credential" in name
        or "credential" in text
        or "AccessDenied" in text
        or isinstance(e, PermissionError)
    ):
        return (
            "check the storage credentials in the environment or profile "
            "(e.g. AWS_PROFILE); they are never read from config.toml"
        )
    if "NoSuchBucket" in text or "bucket does not exist" in text.lower():
        return "create the bucket first; jupyter_mlver does not create buckets"
    if "Connect" in name or "Endpoint" in name or "Timeout" in name:
        return "check the URL, the endpoint_url option and the network"
    return "check the URL and your access to it"


def protocol_names(protocol: str | Sequence[str]) -> frozenset[str]:
    """A filesystem's ``protocol``: fsspec declares a str or a tuple, older s3fs a list."""
    return frozenset([protocol] if isinstance(protocol, str) else protocol)


class RemoteFS:
    """One remote opened through fsspec; every call raises ``RemoteError`` on failure,
    except that a missing object is ``FileNotFoundError`` where the caller asks for one."""

    def __init__(self, remote: Remote, jobs: int = 16) -> None:
        from fsspec.core import url_to_fs

        self.remote = remote
        self._local = remote.protocol == "file"  # refined below, once fsspec has answered
        check_protocol(remote.protocol)
        options = dict(remote.options)
        if remote.protocol in ("s3", "s3a"):
            # botocore keeps 10 connections by default: fewer than the transfer threads.
            config = dict(options.get("config_kwargs") or {})
            config.setdefault("max_pool_connections", max(10, jobs))
            options["config_kwargs"] = config
        with self.translate("open"):
            self.fs, root = url_to_fs(remote.url, **options)
        self.root = root.rstrip("/")
        protocols = protocol_names(self.fs.protocol)
        self.atomic_put = bool(OBJECT_STORES.intersection(protocols))
        self._local = "file" in protocols or "local" in protocols
        self.s3 = "s3" in protocols and hasattr(self.fs, "max_concurrency")
        self._made: set[str] = set()

    @property
    def local(self) -> bool:
        """A local or mounted directory (so ``os`` calls reach it)."""
        return self._local

    # -- keys ---------------------------------------------------------------------

    def object_key(self, oid: str) -> str:
        return f"{self.root}/objects/{oid[:2]}/{oid[2:]}"

    def marker_key(self, kind: str, rid: str) -> str:
        return f"{self.root}/records/{kind}/{rid}"

    # -- errors -------------------------------------------------------------------

    @contextlib.contextmanager
    def translate(self, action: str, missing_ok: bool = False) -> Iterator[None]:
        try:
            yield
        except FileNotFoundError:
            if missing_ok:
                raise
            raise RemoteError(
                f"remote {self.remote.name} ({self.remote.url}): cannot {action}: not found",
                "check the path"
                if self._local
                else _hint(FileNotFoundError("bucket does not exist")),
            ) from None
        except MlverError:
            raise
        except Exception as e:
            raise RemoteError(
                f"remote {self.remote.name} ({self.remote.url}): cannot {action}: "
                f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}".rstrip(": "),
                _hint(e),
            ) from None

    def invalidate(self) -> None:
        """Forget fsspec's listing cache: other pushers change the remote under us."""
        with contextlib.suppress(Exception):
            self.fs.invalidate_cache()

    # -- writing ------------------------------------------------------------------

    def _makedirs(self, directory: str) -> None:
        if self.atomic_put or directory in self._made:
            return
        with self.translate(f"create {directory}"):
            self.fs.makedirs(directory, exist_ok=True)
        self._made.add(directory)

    def _publish(self, write: Callable[[str], None], key: str) -> None:
        """Write ``key`` so that no reader ever sees it partly written."""
        if self.atomic_put:
            with self.translate(f"write {key}"):
                write(key)
            return
        self._makedirs(f"{self.root}/tmp")
        self._makedirs(key.rsplit("/", 1)[0])
        tmp = f"{self.root}/tmp/{os.getpid()}-{uuid.uuid4().hex}"
        with self.translate(f"write {key}"):
            try:
                write(tmp)
                if self._local:
                    # A renamed file must be whole after a power cut, not just a crash.
                    fd = os.open(tmp, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                self.fs.mv(tmp, key)
            except Exception:
                with contextlib.suppress(Exception):
                    self.fs.rm_file(tmp)
                # SFTP rename refuses to replace: a concurrent pusher wrote the same bytes.
                if not self.fs.exists(key):
                    raise
            except BaseException:  # interrupted: leave no temporary file behind, if we can
                with contextlib.suppress(Exception):
                    self.fs.rm_file(tmp)
                raise

    def _parts(self, parts: int) -> dict[str, int]:
        """Multipart options for s3fs: 16 MiB parts, ``parts`` at a time. Measured against
        the S3 API (moto): 1 GiB in 14 s with 16 MiB parts, 29 s with s3fs's 50 MiB."""
        if self.s3:
            return {"chunksize": PART_SIZE, "max_concurrency": max(1, parts)}
        return {}

    def put_file(
        self, local: Path, key: str, on_bytes: ByteCallback | None = None, parts: int = 1
    ) -> None:
        options = self._parts(parts)
        self._publish(
            lambda k: self.fs.put_file(str(local), k, callback=_callback(on_bytes), **options),
            key,
        )

    def put_bytes(self, data: bytes, key: str) -> None:
        self._publish(lambda k: self.fs.pipe_file(k, data), key)

    def write_format(self) -> None:
        """The format file, if absent or older. Every writer writes the same bytes, so a
        race is moot."""
        key = f"{self.root}/{FORMAT_KEY}"
        if self.check_format(upgrade=True):
            return
        self._makedirs(self.root)
        self.put_bytes(json.dumps({"format": FORMAT}).encode() + b"\n", key)

    def check_format(self, upgrade: bool = False) -> bool:
        """False if the remote has never been pushed to (or, with ``upgrade``, has an older
        format); refuses a newer format."""
        key = f"{self.root}/{FORMAT_KEY}"
        try:
            with self.translate("read the format file", missing_ok=True):
                raw = self.fs.cat_file(key)
        except FileNotFoundError:
            return False
        try:
            fmt = json.loads(raw).get("format")
        except (ValueError, AttributeError):
            fmt = None
        if fmt not in READABLE:
            raise RemoteError(
                f"remote {self.remote.name} has format {fmt!r}, not {FORMAT}",
                "it was written by another (newer?) jupyter_mlver; upgrade",
            )
        return not upgrade or fmt == FORMAT

    # -- reading ------------------------------------------------------------------

    def get_file(
        self, key: str, local: Path, on_bytes: ByteCallback | None = None, parts: int = 1
    ) -> None:
        """Download ``key``; ``FileNotFoundError`` if the remote lacks it."""
        with self.translate(f"read {key}", missing_ok=True):
            self.fs.get_file(key, str(local), callback=_callback(on_bytes), **self._parts(parts))

    def _keys_under(self, folder: str, what: str) -> list[str]:
        """Every key below ``folder`` as the remote lists it now (none when it has no such
        folder)."""
        self.invalidate()
        try:
            with self.translate(what, missing_ok=True):
                keys: list[str] = self.fs.find(f"{self.root}/{folder}", detail=False)
        except FileNotFoundError:
            return []
        return keys

    def markers(self) -> dict[str, str]:
        """Record id -> kind, for every marker on the remote."""
        out: dict[str, str] = {}
        for key in self._keys_under("records", "list records"):
            parts = key.rsplit("/", 2)
            if len(parts) == 3 and parts[1] in _KIND_NAMES and is_hex_digest(parts[2]):
                out[parts[2]] = parts[1]
        return out

    def tag_key(self, name: str, snapshot: str) -> str:
        return f"{self.root}/refs/tags/{quote(name, safe='')}/{snapshot}"

    def tags(self) -> dict[str, set[str]]:
        """Tag name -> the snapshot ids it names on the remote (two pushers may have used
        one name for different snapshots; the caller decides what that means)."""
        out: dict[str, set[str]] = {}
        for key in self._keys_under("refs/tags", "list tags"):
            parts = key.rsplit("/", 2)
            if len(parts) == 3 and is_hex_digest(parts[2]):
                out.setdefault(unquote(parts[1]), set()).add(parts[2])
        return out

    def sizes(self, oids: Collection[str], jobs: int) -> dict[str, int]:
        """The size of each of ``oids`` that the remote has; absent ones are left out."""
        if not oids:
            return {}
        self.invalidate()
        if len(oids) <= PROBE_LIMIT:

            def probe(oid: str) -> tuple[str, int | None]:
                try:
                    with self.translate("check an object", missing_ok=True):
                        info = self.fs.info(self.object_key(oid))
                except FileNotFoundError:
                    return oid, None
                return oid, int(info["size"]) if info.get("type") != "directory" else None

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                return {oid: size for oid, size in pool.map(probe, oids) if size is not None}
        wanted = set(oids)
        present = self._fanouts()  # one request; an empty remote ends here
        if self.s3:
            # 16 listings by the first hex digit, in parallel: one request per 1000 keys,
            # and far fewer requests than one per fan-out directory on a small remote.
            groups = sorted({oid[0] for oid in wanted} & {fan[0] for fan in present})
            jobs_list = [(f"{self.root}/objects", g) for g in groups]
        else:
            fans = sorted({oid[:2] for oid in wanted} & present)
            jobs_list = [(f"{self.root}/objects/{fan}", "") for fan in fans]

        def listing(where: tuple[str, str]) -> dict[str, int]:
            path, prefix = where
            try:
                with self.translate("list objects", missing_ok=True):
                    found = self.fs.find(
                        path, detail=True, **({"prefix": prefix} if prefix else {})
                    )
            except FileNotFoundError:
                return {}
            out = {}
            for key, info in found.items():
                parts = key.rsplit("/", 2)
                oid = parts[-2] + parts[-1] if len(parts) == 3 else ""
                if oid in wanted and info.get("type") != "directory":
                    out[oid] = int(info["size"])
            return out

        result: dict[str, int] = {}
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for part in pool.map(listing, jobs_list):
                result.update(part)
        return result

    def _fanouts(self) -> set[str]:
        try:
            with self.translate("list objects", missing_ok=True):
                entries = self.fs.ls(f"{self.root}/objects", detail=False)
        except FileNotFoundError:
            return set()
        return {e.rstrip("/").rsplit("/", 1)[-1] for e in entries}
