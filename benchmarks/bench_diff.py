"""Comparing two snapshots: `jupyter mlver diff` on large records (target: < 200 ms).

    .venv/bin/python benchmarks/bench_diff.py [--files 1000] [--packages 300] [--repeat 20]

Builds two snapshots directly with ``store.put_record`` (no hashing of real files): each has
FILES data entries (10 % changed, 1 % added and removed between them) and its own environment
of PACKAGES packages (5 % upgraded, a few added and removed), two 60-cell notebooks with a few
cells edited, and different git commits in a real repository (so the commit range is listed).
Then times, median of REPEAT runs:

- ``diff_snapshots`` in process, on a freshly opened store (what a server request costs);
- the same on an already open store;
- ``jupyter mlver diff A B --json`` as a subprocess (interpreter start-up included);
- as a peer reference, ``difflib.unified_diff`` over the two records' pretty-printed JSON
  (what "diff the two `show --json` outputs" costs, with none of the structure).
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from _common import BIN, WORK, git_init, run, table, timed

from jupyter_mlver.core import records
from jupyter_mlver.core.capture.environment import fingerprint
from jupyter_mlver.core.diff import diff_snapshots
from jupyter_mlver.core.hashing import hash_bytes
from jupyter_mlver.core.store.store import Store


def environment(packages: list[dict[str, Any]]) -> dict[str, Any]:
    plat = {"system": "Linux", "release": "6.1", "machine": "x86_64", "libc": None}
    return {
        "schema": records.ENVIRONMENT,
        "python": {"version": "3.11.7", "implementation": "CPython", "executable": "python"},
        "platform": {**plat, "os_release": None},
        "hardware": {"cpu": "bench", "cores": 2, "memory_bytes": 0, "gpus": []},
        "packages": packages,
        "conda": None,
        "env_vars": {},
        "fingerprint": fingerprint("3.11.7", "x86_64", packages),
    }


def packages(n: int, variant: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        if variant and i % 97 == 5:
            continue  # removed in b
        minor = i % 20 + (1 if variant and i % 20 == 3 else 0)  # 5 % upgraded
        out.append(
            {
                "name": f"pkg-{i:04}",
                "version": f"1.{minor}.{i % 7}",
                "source": "index",
                "url": None,
                "commit": None,
            }
        )
    if variant:
        out += [
            {"name": f"zz-{k}", "version": "0.1", "source": "index", "url": None, "commit": None}
            for k in range(3)
        ]
    return sorted(out, key=lambda p: p["name"])


def data(n: int, variant: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        if variant and i % 100 == 7:
            continue
        changed = variant and i % 10 == 1
        out.append(
            {
                "path": f"data/part-{i // 100:02}/file-{i:05}.parquet",
                "role": "input",
                "hash": hash_bytes(f"{i}-{int(changed)}".encode()),
                "size": 1000 + i,
                "stored": True,
            }
        )
    if variant:
        out += [
            {
                "path": f"data/new/file-{k}.parquet",
                "role": "output",
                "hash": hash_bytes(f"new{k}".encode()),
                "size": 1,
                "stored": True,
            }
            for k in range(n // 100)
        ]
    return sorted(out, key=lambda d: d["path"])


def notebook(variant: int) -> bytes:
    cells = []
    for i in range(60):
        source = f"x{i} = train(step={i})\nprint(x{i})"
        if variant and i % 15 == 0:
            source += "  # tuned"
        cells.append(
            {
                "id": f"cell-{i}",
                "cell_type": "code",
                "source": source,
                "metadata": {},
                "execution_count": i + 1,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{i}\n"}],
            }
        )
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    return json.dumps(doc).encode()


def snapshot(
    store: Store, files: int, pkgs: int, variant: int, commit: str, root: Path
) -> dict[str, Any]:
    env = store.put_record(environment(packages(pkgs, variant)))
    params = {f"p{i}": i * (1.5 if variant and i == 3 else 1) for i in range(20)}
    metrics = {"acc": 0.9 + variant / 100, "loss": [1.0, 0.5, 0.3 - variant / 100]}
    return store.put_record(
        {
            "schema": records.SNAPSHOT,
            "parent": None,
            "created": f"2026-01-01T00:00:0{variant}.000Z",
            "author": {"name": "bench", "email": None},
            "message": f"variant {variant}",
            "tags": [],
            "notebook": {
                "path": "train.ipynb",
                "hash": store.objects.put_bytes(notebook(variant)),
                "source": "disk",
                "kernel": {"name": "python3", "language": "python"},
            },
            "execution": {"cells": [], "warnings": []},
            "namespace": None,
            "state": None,
            "state_skipped": None,
            "params": params,
            "metrics": metrics,
            "data": data(files, variant),
            "environment": env["id"],
            "git": {
                "root": ".",
                "commit": commit,
                "branch": "main",
                "remote": None,
                "dirty": False,
                "diff": None,
                "untracked": [],
            },
            "mlver_version": "bench",
        }
    )


def head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    root = WORK / "diff"
    shutil.rmtree(root, ignore_errors=True)
    git_init(root)
    Store.create(root / ".mlver")
    with Store.open(root) as store:
        commit_a = head(root)
        for k in range(5):
            run(["git", "commit", "-q", "--allow-empty", "-m", f"change {k}"], root)
        commit_b = head(root)
        a = snapshot(store, args.files, args.packages, 0, commit_a, root)
        b = snapshot(store, args.files, args.packages, 1, commit_b, root)
        result = diff_snapshots(store, a["id"], b["id"])
        warm = timed(lambda: diff_snapshots(store, a["id"], b["id"]), args.repeat)

    def cold() -> None:
        with Store.open(root) as s:
            diff_snapshots(s, a["id"], b["id"])

    cold_s = timed(cold, args.repeat)
    cli_s = timed(
        lambda: run([BIN / "jupyter-mlver", "diff", a["id"], b["id"], "--json"], root),
        max(3, args.repeat // 4),
    )
    text_a = json.dumps(a, indent=1, sort_keys=True).splitlines()
    text_b = json.dumps(b, indent=1, sort_keys=True).splitlines()
    peer_s = timed(lambda: list(difflib.unified_diff(text_a, text_b, n=0)), args.repeat)

    s = result["summary"]
    print(
        f"{args.files} data files, {args.packages} packages; differences found: "
        f"{s['data']} files, {s['packages']} packages, {s['params']} params, "
        f"{s['metrics']} metrics, {s['cells']} cells, {len(result['git']['commits'])} commits\n"
    )

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f}"

    print(
        table(
            ["what", "median ms", "target"],
            [
                ["diff_snapshots, store opened each time", ms(cold_s), "< 200"],
                ["diff_snapshots, open store", ms(warm), "< 200"],
                ["jupyter mlver diff --json (subprocess)", ms(cli_s), ""],
                ["peer: difflib over the two records' JSON", ms(peer_s), ""],
            ],
        )
    )


if __name__ == "__main__":
    main()
