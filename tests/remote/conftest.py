"""Remotes under test: a real S3 server (SeaweedFS, a subprocess on loopback) and a path.

Nothing here is faked below fsspec: pushes and pulls go through s3fs and HTTP to a real
server process, or through the local filesystem.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.hashing import hash_bytes
from tests.s3server import AWS_ENV, seaweedfs

#: One bucket for the session; each test's remote is a fresh prefix in it.
BUCKET = "mlver-tests"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SeaweedFS S3 server on free loopback ports for the whole session, with one bucket."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as endpoint:
        import s3fs

        s3fs.S3FileSystem(
            endpoint_url=endpoint,
            key=AWS_ENV["AWS_ACCESS_KEY_ID"],
            secret=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            skip_instance_cache=True,
        ).mkdir(BUCKET)
        yield endpoint


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)


@dataclass
class Target:
    """One remote under test: how to name it to the CLI and how to look inside it."""

    kind: str
    url: str
    options: dict[str, str] = field(default_factory=dict)
    fs: Any = None
    root: str = ""

    def add_args(self) -> list[str]:
        out = [self.url]
        for key, value in self.options.items():
            out += ["-o", f"{key}={value}"]
        return out

    def keys(self, sub: str) -> list[str]:
        self.fs.invalidate_cache()
        try:
            found = self.fs.find(f"{self.root}/{sub}", detail=False)
        except FileNotFoundError:
            return []
        keys = (k[len(self.root) + 1 :] for k in found)
        # s3fs may answer an empty listing with the prefix itself, if it appeared meanwhile.
        return sorted(k for k in keys if k.startswith(f"{sub}/") or not sub)

    def object_ids(self) -> set[str]:
        """Objects stored one per key (records, trees, large data copies)."""
        return {k.split("/", 1)[1].replace("/", "") for k in self.keys("objects")}

    def packed_ids(self) -> set[str]:
        """Objects in the remote's packs, as their indexes list them."""
        from jupyter_mlver.core.remote.pack_transfer import parse_idx

        return {
            oid
            for key in self.keys("packs")
            if key.endswith(".idx")
            for oid, _, _ in parse_idx(self.read(key))
        }

    def replace_object(self, oid: str, data: bytes) -> None:
        """Write ``data`` where the remote keeps ``oid``: its key, or its place in a pack
        (the rest of the pack kept, offsets and all)."""
        from jupyter_mlver.core.remote.pack_transfer import parse_idx

        for key in self.keys("packs"):
            if not key.endswith(".idx"):
                continue
            for found, offset, size in parse_idx(self.read(key)):
                if found == oid:
                    pack_key = key[: -len(".idx")] + ".pack"
                    pack = bytearray(self.read(pack_key))
                    body = data[:size].ljust(size, b"#")
                    pack[offset : offset + size] = body
                    self.write(pack_key, bytes(pack))
                    return
        self.write(f"objects/{oid[:2]}/{oid[2:]}", data)

    def all_ids(self) -> set[str]:
        return self.object_ids() | self.packed_ids()

    def markers(self) -> set[str]:
        return {k.rsplit("/", 1)[1] for k in self.keys("records")}

    def read(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(f"{self.root}/{key}"))

    def write(self, key: str, data: bytes) -> None:
        path = f"{self.root}/{key}"
        if self.kind == "local":
            os.chmod(path, 0o644)  # pushed objects are left as written; be sure
        self.fs.pipe_file(path, data)

    def remove(self, key: str) -> None:
        self.fs.rm_file(f"{self.root}/{key}")

    def wipe(self) -> None:
        for key in self.keys(""):
            self.fs.rm_file(f"{self.root}/{key}")

    def corrupt_objects(self) -> list[str]:
        """Objects on the remote whose bytes do not hash to their name, loose or packed
        (must stay empty)."""
        from jupyter_mlver.core.remote.pack_transfer import parse_idx

        bad = []
        for key in self.keys("objects"):
            oid = key.split("/", 1)[1].replace("/", "")
            if hash_bytes(self.read(key)) != oid:
                bad.append(oid)
        for key in self.keys("packs"):
            if key.endswith(".idx"):
                pack = self.read(key[: -len(".idx")] + ".pack")
                for oid, offset, size in parse_idx(self.read(key)):
                    if hash_bytes(pack[offset : offset + size]) != oid:
                        bad.append(oid)
        return bad


def make_target(kind: str, tmp_path: Path, endpoint: str) -> Target:
    if kind == "s3":
        import s3fs

        root = f"{BUCKET}/{uuid.uuid4().hex[:12]}/team"
        fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
        return Target("s3", f"s3://{root}", {"endpoint_url": endpoint}, fs, root)
    from fsspec.implementations.local import LocalFileSystem

    where = tmp_path / f"remote-{uuid.uuid4().hex[:8]}"
    return Target("local", str(where), {}, LocalFileSystem(), where.as_posix())


@pytest.fixture(params=["s3", "local"])
def target(request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: str) -> Target:
    return make_target(request.param, tmp_path, s3_endpoint)


@pytest.fixture
def s3_target(tmp_path: Path, s3_endpoint: str) -> Target:
    return make_target("s3", tmp_path, s3_endpoint)


def clone(project: Path, name: str) -> Path:
    """A fresh clone of the project next to it: no store, no remotes."""
    dest = project.parent / name
    subprocess.run(["git", "clone", "-q", str(project), str(dest)], check=True)
    return dest


@pytest.fixture
def make_clone(project: Path) -> Any:
    return lambda name: clone(project, name)
