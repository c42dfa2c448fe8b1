"""A model version's artifact: a file, a directory, or an object saved by its flavour.

Every file is an object in the store, hashed like data. A directory (and a saved object,
which is a directory written by ``flavors.save_model``) also stores its manifest, the sorted
``path<TAB>hash`` lines, as an object: its name is the directory's hash (``hash_manifest``),
and the record lists the files, so gc, fsck and push/pull see every one of them.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..capture.files import SKIP_DIRS
from ..errors import InvalidInput, StoreError
from ..hashing import hash_file, hash_manifest
from ..records import Artifact as Artifact  # the record's; imported from here too
from ..store.store import Store
from . import flavors
from .signature import Signature, signature_from_model


@dataclass
class Prepared:
    """An artifact on disk, checked and ready to store."""

    source: Path
    kind: str  # "file" | "dir" | "object"
    flavor: str
    label: str | None  # the record's ``artifact.path``: where it came from, or the variable
    signature: Signature | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def prepare_path(store: Store, path: str | os.PathLike[str], flavor: str | None) -> Prepared:
    """A model file or directory the user names; its flavour given, or read from it."""
    source = Path(path).expanduser().absolute()
    if not source.exists():
        raise InvalidInput(
            f"model path {str(path)!r} does not exist",
            "give a model file or directory (relative to the current directory)",
        )
    if source.is_dir() and not _files(source):
        raise InvalidInput(f"model directory {str(path)!r} has no files")
    if flavor is not None:
        flavors.check_flavor(flavor)
    return Prepared(
        source=source,
        kind="dir" if source.is_dir() else "file",
        flavor=flavor or flavors.detect_path_flavor(source),
        label=store.relpath(source),
    )


def prepare_object(
    obj: object,
    *,
    name: str | None = None,
    flavor: str | None = None,
    serializer: str | None = None,
) -> Prepared:
    """Save a model object with its flavour's own format into a temporary directory."""
    tmp = tempfile.TemporaryDirectory(prefix="mlver-model-")
    try:
        used = flavors.save_model(
            obj, Path(tmp.name) / "model", flavor, name=name, serializer=serializer
        )
    except BaseException:
        tmp.cleanup()
        raise
    return Prepared(
        source=Path(tmp.name) / "model",
        kind="object",
        flavor=used,
        label=name,
        signature=signature_from_model(obj),
        _tmp=tmp,
    )


def _files(top: Path) -> list[tuple[str, Path]]:
    """``(relative POSIX path, absolute path)`` of every file under ``top``, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in filenames:
            full = Path(dirpath) / name
            if full.is_file():
                found.append((full.relative_to(top).as_posix(), full))
    return sorted(found)


def artifact_hash(prepared: Prepared) -> str:
    """The hash ``store_artifact`` would give the artifact, without storing it."""
    if prepared.kind == "file":
        return hash_file(prepared.source, prepared.source.stat().st_size)
    files = _files(prepared.source)
    return hash_manifest([(rel, hash_file(full, full.stat().st_size)) for rel, full in files])


def store_artifact(store: Store, prepared: Prepared) -> tuple[Artifact, set[str]]:
    """Copy the artifact's files into the store; the record's ``artifact`` and the objects
    this call added (so a refused registration can take them back)."""
    added: set[str] = set()
    with store.objects.writer() as writer:

        def put(path: Path) -> tuple[str, int]:
            before = os.stat(path)
            digest = hash_file(path, before.st_size)
            if writer.add_file(path, digest):
                added.add(digest)
                after = os.stat(path)
                if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                    raise StoreError(
                        f"{path} changed while it was being stored", "register it again"
                    )
            return digest, before.st_size

        if prepared.kind == "file":
            digest, size = put(prepared.source)
            artifact: Artifact = {
                "hash": digest,
                "size": size,
                "kind": prepared.kind,
                "path": prepared.label,
            }
        else:
            entries = [(rel, *put(full)) for rel, full in _files(prepared.source)]
            digest = hash_manifest([(rel, oid) for rel, oid, _ in entries])
            if writer.wants(digest):
                added.add(digest)
            # The manifest's bytes are what hash_manifest hashes, so its name is the hash.
            writer.add_bytes("".join(f"{rel}\t{oid}\n" for rel, oid, _ in entries).encode())
            artifact = {
                "hash": digest,
                "size": sum(size for _, _, size in entries),
                "files": [{"path": r, "hash": o, "size": n} for r, o, n in entries],
                "kind": prepared.kind,
                "path": prepared.label,
            }
    return artifact, added


def materialize(store: Store, artifact: Artifact, dest: Path) -> Path:
    """Write the artifact's files under ``dest``; the path to load (a file or a directory)."""
    dest.mkdir(parents=True, exist_ok=True)
    if artifact["kind"] == "file":
        name = Path(artifact.get("path") or "model").name
        target = dest / name
        _copy_object(store, artifact["hash"], target)
        return target
    for entry in artifact.get("files") or []:
        _copy_object(store, entry["hash"], dest / entry["path"])
    return dest


def _copy_object(store: Store, oid: str, target: Path) -> None:
    if not store.objects.exists(oid):
        raise StoreError(
            f"object {oid[:12]} of the model artifact is missing from the store",
            "pull the model again, or run `jupyter mlver fsck`",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    store.objects.copy_to(oid, target)
