"""A reproduction's run: the archive of what goes into the container (the runner, the
notebook, the data files from the store) and the run itself, through the ``Engine``."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..engine.protocol import Engine, RunOptions
from ..errors import MlverError
from ..records import SnapshotRecord
from ..store.datarefs import data_files
from ..store.store import Store

Log = Callable[[str], None]

RUN_DIR = "/tmp/mlver-run"
RUNNER = Path(__file__).with_name("runner.py")
#: Where ``env build`` images keep the project (``images.dockerfile.PROJECT``).
PROJECT = "/home/mlver/project"
SCRATCH_STORE = f"{RUN_DIR}/store"
#: Seconds a container may take beyond the notebook's own timeout (kernel start, copies).
GRACE = 120


class ReproductionFailed(MlverError):
    """The notebook could not be run in the container (not: it ran and metrics differ)."""

    status = 500


# -- the run's inputs --------------------------------------------------------------------


def _container_path(path: str) -> str | None:
    """Where a store-relative path lives in the image's project (None: outside it)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        return None
    return str(PurePosixPath(PROJECT) / pure)


def _add(tar: tarfile.TarFile, name: str, data: bytes | None, mode: int, src: Path | None) -> None:
    info = tarfile.TarInfo(name)
    info.mode = mode
    info.mtime = int(time.time())
    if src is not None:
        info.size = src.stat().st_size
        with open(src, "rb") as f:
            tar.addfile(info, f)
    else:
        assert data is not None
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def build_run_archive(
    store: Store, record: SnapshotRecord, timeout: int, notes: list[str]
) -> tuple[bytes, str]:
    """A tar of ``mlver-run/``: the runner, its manifest, the notebook and the data files;
    and the notebook's path in the container."""
    nb = record["notebook"]
    assert nb is not None  # reproduce() refuses a snapshot without one
    nb_rel = nb.get("path") or "notebook.ipynb"
    nb_dest = _container_path(nb_rel) or str(PurePosixPath(PROJECT) / PurePosixPath(nb_rel).name)
    files = []
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        # Everything is readable and the directories writable by the container's user:
        # the engine unpacks archives as root.
        dir_info = tarfile.TarInfo("mlver-run")
        dir_info.type = tarfile.DIRTYPE
        dir_info.mode = 0o777
        tar.addfile(dir_info)
        _add(tar, "mlver-run/runner.py", RUNNER.read_bytes(), 0o644, None)
        _add(tar, "mlver-run/notebook.ipynb", store.objects.get_bytes(nb["hash"]), 0o666, None)
        unplaced: list[str] = []
        for i, entry in enumerate(data_files(store.objects.get_bytes, record)):
            dest = _container_path(entry["path"])
            if dest is None:
                unplaced.append(f"{entry['path']} (outside the project)")
                continue
            if not entry.get("stored") or not store.objects.exists(entry["hash"]):
                why = "--hash-only" if not entry.get("stored") else "not in the store"
                unplaced.append(f"{entry['path']} ({why})")
                continue
            src = f"files/{i}"
            loose = store.objects.local_path(entry["hash"])
            data = None if loose else store.objects.get_bytes(entry["hash"])
            _add(tar, f"mlver-run/{src}", data, 0o666, loose)
            files.append({"src": src, "dest": dest})
        if unplaced:
            notes.append(
                f"{len(unplaced)} data file(s) could not be put in the container: "
                + ", ".join(unplaced[:5])
                + (" …" if len(unplaced) > 5 else "")
            )
        manifest = {
            "notebook": nb_dest,
            "cwd": str(PurePosixPath(nb_dest).parent),
            "cell_timeout": timeout,
            "files": [{"src": "notebook.ipynb", "dest": nb_dest}, *files],
        }
        _add(tar, "mlver-run/manifest.json", json.dumps(manifest).encode(), 0o644, None)
    return buf.getvalue(), nb_dest


# -- the container -----------------------------------------------------------------------


@dataclass
class RunOutput:
    result: dict[str, Any]
    executed: bytes | None
    exit_code: int
    tail: list[str]


def _read_out(archive: bytes | None) -> tuple[dict[str, Any] | None, bytes | None]:
    result = executed = None
    if archive is None:
        return result, executed
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        for member in tar.getmembers():
            f = tar.extractfile(member) if member.isfile() else None
            if f is None:
                continue
            if member.name.endswith("/result.json"):
                result = json.loads(f.read())
            elif member.name.endswith("/executed.ipynb"):
                executed = f.read()
    return result, executed


def run_in_container(
    engine: Engine, image: str, archive: bytes, nb_path: str, timeout: int, log: Log
) -> RunOutput:
    """Run the notebook in a container of ``image`` (no network) with the run's files copied
    in, and bring back what the runner wrote; progress lines go to ``log``."""
    tail: list[str] = []

    def on_line(line: str) -> None:
        tail.append(line)
        del tail[:-40]
        if line.startswith("[mlver] "):
            log(line[len("[mlver] ") :])

    run = engine.run(
        image,
        ["python", f"{RUN_DIR}/runner.py"],
        RunOptions(
            files=archive,
            files_at=str(PurePosixPath(RUN_DIR).parent),
            workdir=str(PurePosixPath(nb_path).parent),
            env={
                "MLVER_STORE": SCRATCH_STORE,
                "JPY_SESSION_NAME": nb_path,
                "PYTHONUNBUFFERED": "1",
            },
            timeout=timeout + GRACE,
            on_line=on_line,
            collect=f"{RUN_DIR}/out",
        ),
    )
    if run.timed_out:
        raise ReproductionFailed(
            f"the notebook did not finish within {timeout + GRACE} s",
            "raise --timeout, or look for a cell that waits for input or network",
        )
    result, executed = _read_out(run.collected)
    if result is None:
        raise ReproductionFailed(
            f"the run in {image} produced no result (exit {run.exit_code}): "
            + " | ".join(tail[-5:])[-600:],
            "the image needs python with nbclient and ipykernel (an `env build` image of a "
            "Jupyter kernel environment has them)",
        )
    return RunOutput(result, executed, run.exit_code, tail)
