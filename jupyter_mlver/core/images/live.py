"""The live installation behind an environment record, when it is on this machine.

A record only names packages; whether files under site-packages were edited after
install can only be seen where they are installed. ``live_paths`` finds that
installation (the record's interpreter, checked by fingerprint so a changed venv is not
mistaken for the recorded one) and ``edited_files`` compares it with each ``RECORD``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from .. import records
from ..capture import environment as envcap
from ..errors import InvalidInput
from ..plain import plain_env
from ..records import EnvironmentRecord

_SYS_INFO = (
    "import json, platform, sys; print(json.dumps({'path': sys.path, "
    "'version': platform.python_version(), 'implementation': platform.python_implementation(), "
    "'executable': sys.executable, 'prefix': sys.prefix}))"
)
#: Slack for filesystems with coarse timestamps: pip writes RECORD right after the files.
_MTIME_SLACK_NS = 2_000_000_000


def interpreter_info(python: str | os.PathLike[str]) -> dict[str, Any]:
    """``sys.path``, version and prefix of another interpreter on this machine."""
    # A venv's python is a symlink to the base interpreter: compare the paths themselves.
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        return {
            "path": list(sys.path),
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "prefix": sys.prefix,
        }
    try:
        out = subprocess.run(
            [os.fspath(python), "-c", _SYS_INFO],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env=plain_env(),
        ).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise InvalidInput(
            f"cannot run the interpreter {python}: {e}", "give the path of a python executable"
        ) from None
    info: dict[str, Any] = json.loads(out)
    return info


def environment_of(python: str | os.PathLike[str]) -> EnvironmentRecord:
    """The Environment record of another interpreter on this machine (e.g. a project venv)."""
    info = interpreter_info(python)
    conda, conda_names = envcap._conda(info["prefix"])
    pkgs = envcap.packages(info["path"], conda_names)
    plat = envcap._platform()
    return {
        "schema": records.ENVIRONMENT,
        "python": {
            "version": info["version"],
            "implementation": info["implementation"],
            "executable": info["executable"],
        },
        "platform": plat,
        "hardware": envcap._hardware(),
        "packages": pkgs,
        "conda": conda,
        "env_vars": envcap.env_vars(),
        "fingerprint": envcap.fingerprint(info["version"], plat["machine"], pkgs),
    }


def live_paths(environment: EnvironmentRecord) -> list[str] | None:
    """The ``sys.path`` of the recorded interpreter if it still has exactly the recorded
    packages, else None (another machine, or the venv changed since)."""
    executable = environment["python"].get("executable")
    if not executable or not os.path.exists(executable):
        return None
    try:
        info = interpreter_info(executable)
    except InvalidInput:
        return None
    pkgs = envcap.packages(info["path"])
    machine = environment["platform"].get("machine", platform.machine())
    if envcap.fingerprint(info["version"], machine, pkgs) != environment.get("fingerprint"):
        return None
    return list(info["path"])


def _dist_info_dirs(paths: list[str]) -> dict[str, Path]:
    """Normalized name -> its ``.dist-info`` directory, first on the path wins."""
    found: dict[str, Path] = {}
    for base in paths:
        try:
            entries = sorted(os.listdir(base or "."))
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info"):
                name = envcap.normalize_name(entry[: -len(".dist-info")].partition("-")[0])
                found.setdefault(name, Path(base or ".") / entry)
    return found


def _sha256_b64(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def edited_files(dist_info: Path, limit: int = 5) -> list[str]:
    """Files of one installed distribution that differ from its ``RECORD``.

    Only files whose size differs, or whose mtime is later than RECORD's (pip writes
    RECORD last), are hashed, so a clean install costs one stat per file.
    """
    record = dist_info / "RECORD"
    try:
        record_mtime = record.stat().st_mtime_ns
        rows = list(csv.reader(record.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    site = dist_info.parent
    edited: list[str] = []
    for row in rows:
        if len(row) < 3 or not row[1] or ".." in row[0].split("/"):
            continue  # RECORD itself, bytecode, or a script outside site-packages
        rel, digest, size = row[0], row[1], row[2]
        if rel.endswith(".pyc") or "__pycache__" in rel:
            continue
        path = site / rel
        try:
            st = path.stat()
        except FileNotFoundError:
            edited.append(f"{rel} (deleted)")
        except OSError:
            continue
        else:
            suspicious = (size.isdigit() and st.st_size != int(size)) or (
                st.st_mtime_ns > record_mtime + _MTIME_SLACK_NS
            )
            algo, _, value = digest.partition("=")
            if suspicious and algo == "sha256" and _sha256_b64(path) != value:
                edited.append(rel)
        if len(edited) >= limit:
            break
    return edited


def edited_packages(paths: list[str], names: set[str]) -> dict[str, list[str]]:
    """``{name: [edited files]}`` for the named distributions that were changed in place."""
    dirs = _dist_info_dirs(paths)
    out: dict[str, list[str]] = {}
    for name in sorted(names):
        if name in dirs:
            files = edited_files(dirs[name])
            if files:
                out[name] = files
    return out
