"""The conditional create the registry's claims rest on: one writer wins, on SeaweedFS and
on a directory; an S3 server that ignores ``If-None-Match`` is refused for model pushes."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import remote
from jupyter_mlver.core.errors import RemoteError
from jupyter_mlver.core.remote import conditional
from jupyter_mlver.core.remote.backend import RemoteFS
from jupyter_mlver.core.remote.config import Remote
from tests.remote.conftest import Target
from tests.remote.team import User
from tests.s3server import free_ports


def _rfs(target: Target) -> RemoteFS:
    return RemoteFS(Remote("origin", target.url, dict(target.options)))


def test_one_writer_wins_a_create(target: Target) -> None:
    rfs = _rfs(target)
    key = f"{rfs.root}/claims/models/churn/1"
    assert conditional.create(rfs, key, b"first")
    assert not conditional.create(rfs, key, b"second")
    assert target.read("claims/models/churn/1") == b"first"
    contended = f"{rfs.root}/claims/models/churn/2"
    barrier = threading.Barrier(8)

    def attempt(i: int) -> bool:
        barrier.wait()
        return conditional.create(_rfs(target), contended, f"writer {i}".encode())

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(attempt, range(8)))
    assert won.count(True) == 1
    assert target.read("claims/models/churn/2") == f"writer {won.index(True)}".encode()


def test_a_server_enforcing_if_none_match_passes_the_check(target: Target) -> None:
    if target.kind != "s3":
        assert conditional.unsupported(_rfs(target)) is None  # link() needs no check
        return
    conditional.verify(_rfs(target))
    conditional.verify(_rfs(target))  # the probe key is there now: still refused twice
    assert target.read(conditional.PROBE_KEY)


@pytest.fixture
def lax_s3() -> Iterator[str]:
    """An S3 server that ignores If-None-Match, as some S3-compatible stores do: moto's, with
    the header taken out of every PutObject (the fault this test injects)."""
    from moto.s3.responses import S3Response
    from moto.server import ThreadedMotoServer
    from werkzeug.datastructures import Headers

    original = S3Response.put_object

    def put_object(self: Any) -> Any:
        self.headers = Headers([(k, v) for k, v in self.headers.items() if k != "If-None-Match"])
        return original(self)

    port = free_ports(1)[0]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(S3Response, "put_object", put_object)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


def test_an_s3_server_ignoring_conditional_writes_is_refused_for_models(
    project: Path, lax_s3: str
) -> None:
    import s3fs

    bucket = f"lax-{uuid.uuid4().hex[:8]}"
    fs = s3fs.S3FileSystem(endpoint_url=lax_s3, skip_instance_cache=True)
    fs.mkdir(bucket)
    lax = Target("s3", f"s3://{bucket}/team", {"endpoint_url": lax_s3}, fs, f"{bucket}/team")
    user = User.clone(project, "erin", lax)
    user.register("churn", 1.0)
    with user.store() as store, pytest.raises(RemoteError) as info:
        remote.push(store, "origin")
    said = str(info.value)
    assert "ignores conditional writes" in said
    assert "If-None-Match" in said
    assert len(said.splitlines()) == 1
    assert lax.keys("objects") == []  # refused before anything was sent
    assert lax.keys("records") == []
    with user.store() as store:  # snapshots alone still go
        head = store.index.latest()
        assert head is not None
        assert remote.push(store, "origin", [head]).ok
    assert lax.markers()
