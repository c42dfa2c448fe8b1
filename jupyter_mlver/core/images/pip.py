"""The host's pip, used to resolve and build wheels for the image's platform.

Running the host's pip (not one inside the build) means its configuration applies:
``/etc/pip.conf``, ``PIP_*`` variables, find-links, private indexes, proxy certificates
and constraints. Containers often have none of that.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..capture.environment import normalize_name
from ..engine.target import Target
from ..errors import InvalidInput
from ..plain import plain_env, strip_ansi
from .progress import ProgressCallback, ProgressEvent

_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
# What pip says when Requires-Python rules a package out: from an index page, and once it
# has read a wheel's metadata (find-links, local files).
_IGNORED = re.compile(
    r"Ignored the following versions that require a different python version: (.*)"
)
_IGNORED_ITEM = re.compile(r"(\S+) Requires-Python (\S+)")
_OTHER_PYTHON = re.compile(r"Package '([^']+)' requires a different Python: \S+ not in '([^']+)'")
#: Wheels built on the host get fixed timestamps, so an unchanged source gives the same
#: bytes, the same hash, and a cached layer (1980-01-01, the earliest a zip can hold).
SOURCE_DATE_EPOCH = "315532800"


class PipFailed(Exception):
    """pip exited non-zero; ``requirement`` is the one it could not find, when it says so."""

    def __init__(self, output: str, requirement: str | None) -> None:
        super().__init__(output)
        self.output = output
        self.requirement = requirement

    def requires_python(self, requirement: str) -> str | None:
        """The Requires-Python that made pip pass over ``name==version``, if that is why."""
        name, _, version = requirement.partition("==")
        for other, spec in _OTHER_PYTHON.findall(self.output):
            if normalize_name(other) == normalize_name(name):
                return str(spec)
        if requirement != self.requirement:  # the versions pip lists are of that one
            return None
        for line in _IGNORED.findall(self.output):
            for item_version, spec in _IGNORED_ITEM.findall(line):
                if item_version == version:
                    return str(spec).rstrip(";,")
        return None

    def last_error(self) -> str:
        lines = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("ERROR:")]
        return (errors or lines or ["pip failed"])[-1].removeprefix("ERROR:").strip()


@dataclass(frozen=True)
class WheelName:
    name: str  # normalized
    version: str
    tags: str  # "py3-none-any"


def parse_wheel_name(filename: str) -> WheelName | None:
    """``{name}-{version}(-{build})?-{py}-{abi}-{platform}.whl``."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return None
    return WheelName(normalize_name(parts[0]), parts[1], "-".join(parts[-3:]))


def pip_command() -> list[str]:
    """This interpreter's pip if it has one, else the first pip on PATH."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise InvalidInput(
        "no pip on this machine to resolve wheels with",
        "install pip in the kernel's environment, or build with --online",
    )


def _run(args: Sequence[str], progress: ProgressCallback, cwd: Path | None = None) -> None:
    env = plain_env(SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PIP_NO_INPUT="1")
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    proc = subprocess.Popen(
        [*pip_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert proc.stdout is not None
    lines = []
    for raw in proc.stdout:
        line = strip_ansi(raw)
        lines.append(line)
        progress(ProgressEvent("resolve", line.rstrip("\n"), log=True))
    if proc.wait() != 0:
        output = "".join(lines)
        missing = _NO_MATCH.findall(output)
        raise PipFailed(output, missing[-1] if missing else None)


def download(
    requirements: Sequence[str], target: Target, dest: Path, progress: ProgressCallback
) -> None:
    """Binary wheels only, no dependencies (the lock is already complete), for ``target``."""
    _run(
        [
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--progress-bar",
            "off",
            "--dest",
            str(dest),
            *target.pip_args(),
            *requirements,
        ],
        progress,
    )


def download_sdist(
    requirement: str, target: Target, dest: Path, progress: ProgressCallback
) -> Path:
    """The source distribution of a pinned requirement, if one fits the target's Python."""
    _run(
        [
            "download",
            "--no-deps",
            "--no-binary=:all:",
            "--progress-bar",
            "off",
            "--dest",
            str(dest),
            *target.pip_args(),
            requirement,
        ],
        progress,
    )
    found = [p for p in dest.iterdir() if p.is_file()]
    if len(found) != 1:
        raise PipFailed(f"expected one source distribution in {dest}, found {len(found)}", None)
    return found[0]


def build_wheel(spec: str, dest: Path, progress: ProgressCallback) -> None:
    """A wheel from a source: a requirement, a VCS URL or a local directory."""
    _run(["wheel", "--no-deps", "--progress-bar", "off", "--wheel-dir", str(dest), spec], progress)


def resolve(
    requirements: Sequence[str],
    constraints: Sequence[str],
    target: Target,
    workdir: Path,
    progress: ProgressCallback,
) -> list[tuple[str, str]]:
    """``(normalized name, version)`` of every distribution pip would install for
    ``requirements`` on ``target`` (binary wheels only) under ``constraints``; nothing is
    installed (``--dry-run --report``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    constraints_file = workdir / "constraints.txt"
    constraints_file.write_text("".join(f"{c}\n" for c in constraints))
    report = workdir / "report.json"
    _run(
        [
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--only-binary=:all:",
            "--progress-bar",
            "off",
            # pip accepts the target's platform only for installs into a directory.
            "--target",
            str(workdir / "target"),
            "--report",
            str(report),
            "--constraint",
            str(constraints_file),
            *target.pip_args(),
            *requirements,
        ],
        progress,
    )
    installs = json.loads(report.read_text()).get("install") or []
    return [
        (normalize_name(item["metadata"]["name"]), str(item["metadata"]["version"]))
        for item in installs
    ]
