"""The cost of jupyter_mlver inside a real kernel.

    .venv/bin/python benchmarks/bench_kernel.py [--files 10000] [--repeat 7]

1. The lineage audit hook: open and read 10,000 small files in a kernel, without and with
   the extension loaded (target: under 5% overhead).
2. `%mlver snapshot` of the quickstart notebook (no large data), median over repeated runs in
   the kernel that ran it (target: under 300 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

import nbformat
from _common import WORK, table
from jupyter_client.manager import KernelManager

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """
import json, os, time
_paths = [os.path.join({dir!r}, n) for n in sorted(os.listdir({dir!r}))]
def _loop():
    t = time.perf_counter()
    for p in _paths:
        with open(p, "rb") as f:
            f.read()
    return time.perf_counter() - t
"""


class Kernel:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str) -> str:
        out: list[str] = []
        reply = self.kc.execute_interactive(
            code,
            timeout=600,
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
        )
        if reply["content"]["status"] != "ok":
            raise SystemExit(f"cell failed: {code}\n{reply['content']}")
        return "".join(out)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def hook_overhead(files: int, repeat: int) -> list[list[str]]:
    """Two kernels side by side, one with the extension, timed in alternation so that
    whatever else the machine does weighs on both alike."""
    data = WORK / "kernel-files"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    block = os.urandom(4096)
    for i in range(files):
        (data / f"f{i:05}.csv").write_bytes(block)
    env = {**os.environ, "IPYTHONDIR": str(WORK / "ipython")}
    plain, loaded = Kernel(WORK, env), Kernel(WORK, env)
    try:
        for k in (plain, loaded):
            k.run(SETUP.format(dir=str(data)))
            k.run("_loop()")  # warm the page cache and the code
        loaded.run("%load_ext jupyter_mlver")
        without, with_ext = [], []
        for _ in range(repeat):
            without.append(float(plain.run("print(_loop())")))
            with_ext.append(float(loaded.run("print(_loop())")))
    finally:
        plain.close()
        loaded.close()
        shutil.rmtree(data, ignore_errors=True)
    rows = []
    for label, pick in (("best", min), ("median", statistics.median)):
        a, b = pick(without), pick(with_ext)
        rows.append(
            [
                f"open+read {files} files of 4 KiB ({label} of {repeat})",
                f"{a * 1000:.1f} ms",
                f"{b * 1000:.1f} ms",
                f"{100 * (b / a - 1):+.1f}%",
            ]
        )
    return rows


def snapshot_time(repeat: int) -> list[list[str]]:
    work = WORK / "quickstart"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".mlver", "predictions.csv"))
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    path = work / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "IPYTHONDIR": str(WORK / "ipython"), "JPY_SESSION_NAME": str(path)}
    k = Kernel(work, env)
    try:
        for cell in nb.cells:
            if (
                cell.cell_type == "code"
                and "%mlver snapshot" not in cell.source
                and "%mlver list" not in cell.source
            ):
                k.run(cell.source)
        times = json.loads(
            k.run(
                "import json, time\n_t = []\n"
                f"for _i in range({repeat}):\n"
                "    _s = time.perf_counter()\n"
                "    get_ipython().run_line_magic('mlver', f'snapshot -m bench-{_i}')\n"
                "    _t.append(time.perf_counter() - _s)\n"
                "print(json.dumps(_t))"
            )
        )
    finally:
        k.close()
    return [
        [
            f"%mlver snapshot of the quickstart (median of {repeat})",
            f"{statistics.median(times) * 1000:.0f} ms",
            f"min {min(times) * 1000:.0f} ms",
            f"max {max(times) * 1000:.0f} ms",
        ]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(
        table(
            ["lineage hook", "without", "with jupyter_mlver", "overhead"],
            hook_overhead(args.files, args.repeat),
        )
    )
    print()
    print(table(["snapshot in the kernel", "median", "", ""], snapshot_time(max(args.repeat, 10))))


if __name__ == "__main__":
    main()
