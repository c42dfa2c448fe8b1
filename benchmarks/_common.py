"""Helpers shared by the benchmarks: timing, tables and a private venv for a peer tool."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
BIN = Path(sys.executable).parent


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Median wall-clock seconds of ``fn`` over ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run(
    cmd: Sequence[str | os.PathLike[str]], cwd: Path, env: dict[str, str] | None = None
) -> None:
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}")


def peer_venv(name: str, requirements: Sequence[str]) -> Path:
    """A venv of its own for a peer tool (DVC), so it never enters the project's environment."""
    venv = WORK / f"venv-{name}"
    stamp = venv / ".installed"
    wanted = " ".join(requirements)
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"installing {wanted} into {venv} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *requirements], check=True)
        stamp.write_text(wanted)
    return venv / "bin"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if i else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def git_init(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    run(["git", "init", "-q"], path)
    run(["git", "config", "user.name", "bench"], path)
    run(["git", "config", "user.email", "bench@example.org"], path)
    run(["git", "commit", "-q", "--allow-empty", "-m", "init"], path)
