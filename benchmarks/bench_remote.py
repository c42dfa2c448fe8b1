"""Pushing to S3: `jupyter mlver push` against `dvc push`, to the same local S3 server.

    .venv/bin/python benchmarks/bench_remote.py [--small-files 10000] [--big-mib 1024]
                                                [--repeat 1] [--jobs N]

Starts one moto S3 server on loopback (a subprocess from the project's venv), then for each
data set — 10,000 small files, 1 GiB in one file, and both together — makes two projects
with the same data: one snapshotted with `jupyter mlver snapshot --data`, one added with
`dvc add` (DVC 3 with dvc-s3, in its own venv under benchmarks/.work/). Each pushes to its
own fresh bucket on the same server: a first push, then a second push of unchanged data.
Both are timed as whole CLI processes (start-up included) with their default parallelism
unless --jobs is given (DVC's default is 4 x cores; ours is 4 x cores, 8 to 32).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from _common import BIN, WORK, git_init, peer_venv, run, table, timed

DVC = ["dvc==3.67.1", "dvc-s3==3.3.0"]
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        else:
            raise SystemExit("moto_server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


def make_bucket(endpoint: str, name: str) -> None:
    import s3fs

    s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True).mkdir(name)


def make_data(root: Path, small: int, big_mib: int) -> None:
    """The same bytes in every project of a data set (seeded), written once and copied."""
    if small:
        for i in range(small):
            sub = root / "small" / f"d{i // 1000:03}"
            if i % 1000 == 0:
                sub.mkdir(parents=True)
            size = 1024 + (i * 7919) % 3072  # 1 to 4 KiB
            (sub / f"f{i:05}.bin").write_bytes(i.to_bytes(8, "little") * (size // 8))
    if big_mib:
        block = os.urandom(1 << 20)
        with open(root / "big.bin", "wb") as f:
            for i in range(big_mib):
                f.write(i.to_bytes(8, "little") + block[8:])


def dataset(name: str, small: int, big_mib: int) -> Path:
    source = WORK / "remote" / f"{name}-source"
    stamp = source / f".made-{small}-{big_mib}"
    if not stamp.exists():
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        make_data(source, small, big_mib)
        stamp.touch()
    return source


def fresh_project(name: str, source: Path) -> Path:
    root = WORK / "remote" / name
    shutil.rmtree(root, ignore_errors=True)
    git_init(root)
    shutil.copytree(source, root / "data", ignore=shutil.ignore_patterns(".made-*"))
    return root


def mlver_project(tag: str, source: Path, endpoint: str) -> Path:
    root = fresh_project(f"mlver-{tag}", source)
    run([BIN / "jupyter-mlver", "snapshot", "-m", "bench", "--data", "data"], root)
    bucket = f"mlver-{uuid.uuid4().hex[:10]}"
    make_bucket(endpoint, bucket)
    add: list[str | Path] = [
        BIN / "jupyter-mlver",
        "remote",
        "add",
        "bench",
        f"s3://{bucket}/store",
    ]
    run([*add, "-o", f"endpoint_url={endpoint}"], root)
    return root


def dvc_project(tag: str, source: Path, endpoint: str, dvc: Path) -> Path:
    root = fresh_project(f"dvc-{tag}", source)
    run([dvc / "dvc", "init", "-q"], root)
    run([dvc / "dvc", "config", "core.analytics", "false"], root)
    run([dvc / "dvc", "add", "-q", "data"], root)
    bucket = f"dvc-{uuid.uuid4().hex[:10]}"
    make_bucket(endpoint, bucket)
    run([dvc / "dvc", "remote", "add", "-d", "bench", f"s3://{bucket}/store"], root)
    run([dvc / "dvc", "remote", "modify", "bench", "endpointurl", endpoint], root)
    return root


def expire_trust(root: Path) -> None:
    """Age the ledger's last check of the remote past the trust window: the next push lists
    the remote's records before it trusts the ledger (what a push does after 10 minutes)."""
    conn = sqlite3.connect(root / ".mlver" / "remotes.sqlite")
    with conn:
        conn.execute("UPDATE checked SET at = 0")
    conn.close()


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def ratio(theirs: float, ours: float) -> str:
    return f"{theirs / ours:.1f}x" if ours > 0 else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-files", type=int, default=10_000)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel transfers, both tools")
    parser.add_argument("--only", choices=["small", "big", "both"], action="append")
    args = parser.parse_args()
    os.environ.update(AWS_ENV)
    dvc = peer_venv("dvc-s3", DVC)
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    sets = {
        "small": (f"{args.small_files:,} files of 1-4 KiB", args.small_files, 0),
        "big": (f"{args.big_mib:,} MiB in one file", 0, args.big_mib),
        "both": ("both together", args.small_files, args.big_mib),
    }
    rows: list[list[str]] = []
    with moto_server() as endpoint:
        for key in args.only or list(sets):
            label, small, big = sets[key]
            source = dataset(key, small, big)
            kinds = [
                "first push",
                "second push (unchanged)",
                "  - after the trust window",
                "  - with --verify",
            ]
            times: dict[str, list[float]] = {k: [] for k in kinds}
            dvc_times: dict[str, list[float]] = {k: [] for k in kinds[:2]}
            for _ in range(args.repeat):
                ours = mlver_project(key, source, endpoint)
                theirs = dvc_project(key, source, endpoint, dvc)
                push: list[str | Path] = [BIN / "jupyter-mlver", "push", *jobs]
                dvc_push: list[str | Path] = [dvc / "dvc", "push", "-q", *jobs]
                times[kinds[0]].append(timed(lambda: run(push, ours)))  # noqa: B023
                dvc_times[kinds[0]].append(timed(lambda: run(dvc_push, theirs)))  # noqa: B023
                times[kinds[1]].append(timed(lambda: run(push, ours)))  # noqa: B023
                dvc_times[kinds[1]].append(timed(lambda: run(dvc_push, theirs)))  # noqa: B023
                expire_trust(ours)
                times[kinds[2]].append(timed(lambda: run(push, ours)))  # noqa: B023
                times[kinds[3]].append(timed(lambda: run([*push, "--verify"], ours)))  # noqa: B023
            for i, kind in enumerate(kinds):
                ours_s = statistics.median(times[kind])
                # DVC's own second push is the peer for each way ours can run a second push.
                theirs_s = statistics.median(dvc_times[kinds[min(i, 1)]])
                rows.append(
                    [
                        label if i == 0 else "",
                        kind,
                        seconds(ours_s),
                        seconds(theirs_s) if i < 2 else '"',
                        ratio(theirs_s, ours_s),
                    ]
                )
            print(f"done: {label}", file=sys.stderr)
    dvc_version = subprocess.run(
        [str(dvc / "dvc"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"\npush to a local moto S3 server ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DVC {dvc_version}); median of {args.repeat}; "
        f"jobs: {args.jobs or 'each default'}\n"
    )
    print(table(["data", "", "jupyter mlver", "dvc", "dvc / mlver"], rows))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
