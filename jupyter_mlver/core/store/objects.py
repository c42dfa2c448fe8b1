"""Content-addressed, immutable object store: ``objects/ab/cdef…`` named by blake3.

Every object is staged in ``tmp/`` (same filesystem), made durable, made read-only and
renamed into place, so a reader never sees a partial object and a crash leaves only
``tmp/`` garbage for ``gc``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import StoreError
from ..hashing import hash_bytes, hash_file, is_hex_digest
from .durable import fsync_path, sync_all
from .packs import PACK_MAX_OBJECT, PackIndex, PackWriter
from .verified import copy_into, open_new, write_all

#: Asked about more objects than this, listing the loose ones beats a stat per object.
_LIST_LOOSE_ABOVE = 2048
#: Above this many staged files one filesystem-wide sync is cheaper than an fsync each.
_SYNC_BATCH = 64


class ObjectStore:
    """Loose objects (``objects/ab/cdef…``) and packed ones (``objects/pack/``, small data
    copies): every reader goes through here and does not care which."""

    def __init__(self, objects_dir: Path, tmp_dir: Path) -> None:
        self.dir = objects_dir
        self.tmp = tmp_dir
        self.packs = PackIndex(objects_dir.parent / "packs.sqlite", objects_dir / "pack")

    def close(self) -> None:
        self.packs.close()

    def path(self, oid: str) -> Path:
        """Where the loose object would be (a packed object has no file of its own: use
        ``local_path``, ``get_bytes`` or ``copy_to``)."""
        return self.dir / oid[:2] / oid[2:]

    def local_path(self, oid: str) -> Path | None:
        """The loose object's file, if the object is loose."""
        path = self.path(oid)
        return path if path.exists() else None

    def exists(self, oid: str) -> bool:
        return (
            os.path.exists(f"{self.dir}/{oid[:2]}/{oid[2:]}") or self.packs.locate(oid) is not None
        )

    def present(self, oids: Iterable[str]) -> set[str]:
        """Which of ``oids`` the store has (packed ones found in one query per 500; for many
        others, one listing of the loose objects instead of a stat each)."""
        wanted = set(oids)
        packed = self.packs.present(wanted)
        rest = wanted - packed
        if len(rest) > _LIST_LOOSE_ABOVE:
            return packed | (rest & set(self.iter_loose()))
        return packed | {o for o in rest if os.path.exists(f"{self.dir}/{o[:2]}/{o[2:]}")}

    def get_bytes(self, oid: str) -> bytes:
        try:
            return self.path(oid).read_bytes()
        except FileNotFoundError:
            location = self.packs.locate(oid)
            if location is None:
                raise StoreError(
                    f"object {oid[:12]} is missing from the store",
                    "run `jupyter mlver fsck` to see what else is damaged",
                ) from None
            return self.packs.read(location)

    def copy_to(self, oid: str, dst: Path) -> None:
        """Write the object's bytes to a new file ``dst`` (reflink where it can)."""
        path = self.path(oid)
        if path.exists():
            copy_into(path, dst)
        else:
            dst.write_bytes(self.get_bytes(oid))

    def size(self, oid: str) -> int:
        try:
            return self.path(oid).stat().st_size
        except FileNotFoundError:
            location = self.packs.locate(oid)
            if location is None:
                raise
            return location[2]

    def sizes(self, oids: Iterable[str]) -> dict[str, int]:
        """The size of each of ``oids`` the store has (packed ones in a few queries)."""
        wanted = set(oids)
        out = self.packs.sizes(wanted)
        for oid in wanted - out.keys():
            with contextlib.suppress(FileNotFoundError):
                out[oid] = os.stat(f"{self.dir}/{oid[:2]}/{oid[2:]}").st_size
        return out

    def put_bytes(self, data: bytes) -> str:
        with self.writer() as w:
            return w.add_bytes(data)

    def writer(self) -> ObjectWriter:
        return ObjectWriter(self)

    def iter_loose(self) -> Iterator[str]:
        try:
            fanouts = os.scandir(self.dir)
        except FileNotFoundError:
            return
        with fanouts:
            for fan in fanouts:
                if len(fan.name) != 2 or not fan.is_dir():
                    continue
                with os.scandir(fan.path) as entries:
                    for entry in entries:
                        oid = fan.name + entry.name
                        if is_hex_digest(oid):
                            yield oid

    def iter_ids(self) -> Iterator[str]:
        """Every object once, loose or packed."""
        loose = set()
        for oid in self.iter_loose():
            loose.add(oid)
            yield oid
        for oid in self.packs.iter_ids():
            if oid not in loose:
                yield oid

    def verify(self, oid: str) -> bool:
        try:
            if self.path(oid).exists():
                return hash_file(self.path(oid)) == oid
            return hash_bytes(self.get_bytes(oid)) == oid
        except (OSError, StoreError):
            return False

    def remove(self, oid: str) -> int:
        """Remove an object: a loose file is deleted; a packed object is dropped from the
        pack index (its bytes go when ``gc`` rewrites the pack). Returns its size."""
        path = self.path(oid)
        try:
            size = path.stat().st_size
            path.unlink()
            return size
        except FileNotFoundError:
            pass
        location = self.packs.locate(oid)
        if location is None:
            return 0
        self.packs.forget(oids=[oid])
        return location[2]


class ObjectWriter:
    """Stages objects in ``tmp/`` and publishes them together on ``commit``.

    Many small files cost one filesystem sync instead of an fsync each; the ordering
    guarantee is the same: data is durable before its name appears in ``objects/``.
    Whatever claims that an object is stored (a cache flag, a ledger row) is registered
    with ``after_commit`` and runs only once the object is durably in place.
    """

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._staged: list[tuple[Path, str]] = []
        self._names: set[str] = set()
        self._fanouts: set[str] = set()
        self._after: list[Callable[[], None]] = []
        self._pack: PackWriter | None = None
        self._replacing: list[str] = []
        self._ahead: set[Path] = set()  # copies made ahead, not yet adopted

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def _tmp_path(self) -> Path:
        try:
            self.store.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"cannot write to the store at {self.store.tmp.parent}: {e.strerror}",
                "check its permissions or set MLVER_STORE to a writable directory",
            ) from None
        return self.store.tmp / f"{os.getpid()}-{uuid.uuid4().hex}"

    def _stage(self, tmp: Path, oid: str) -> None:
        os.chmod(tmp, 0o444)
        self._staged.append((tmp, oid))
        self._names.add(oid)

    def wants(self, oid: str) -> bool:
        return oid not in self._names and not self.store.exists(oid)

    def wanted(self, oids: Iterable[str]) -> set[str]:
        """Which of ``oids`` neither the store nor this writer has (in a few queries)."""
        fresh = set(oids) - self._names
        return fresh - self.store.present(fresh)

    def add_packed(self, oid: str, data: bytes) -> None:
        """Stage a small object (whose hash the caller checked, and which ``wanted`` said
        the store lacks) into a pack."""
        if oid in self._names:
            return
        if len(data) > PACK_MAX_OBJECT:
            raise ValueError(f"{len(data)} bytes is too large for a pack")
        if self._pack is None:
            self._pack = PackWriter(self.store.tmp)
        self._pack.add(oid, data)
        self._names.add(oid)

    def add_bytes(self, data: bytes) -> str:
        oid = hash_bytes(data)
        if self.wants(oid):
            self.add_checked(oid, data)
        return oid

    def add_checked(self, oid: str, data: bytes) -> None:
        """Stage ``data``, which the caller checked hashes to ``oid`` (and which ``wanted``
        said the store lacks), written from those same bytes."""
        if oid in self._names:
            return
        tmp = self._tmp_path()
        try:
            fd = open_new(tmp, None)
            try:
                write_all(fd, data)
            finally:
                os.close(fd)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot write to the store: {e.strerror}") from None
        self._stage(tmp, oid)

    def add_file(self, src: str | os.PathLike[str], oid: str) -> bool:
        """Copy in a file whose hash the caller computed; False if the store already has it."""
        if not self.wants(oid):
            return False
        self._stage(self._copy_in(src), oid)
        return True

    def _copy_in(self, src: str | os.PathLike[str]) -> Path:
        tmp = self._tmp_path()
        try:
            copy_into(src, tmp)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot copy {src} into the store: {e.strerror}") from None
        return tmp

    def copy_ahead(self, src: str | os.PathLike[str]) -> Path:
        """Copy a large file in, durably, while the caller is still hashing it (a thread
        safe call): the caller then ``adopt``s it under its hash, or ``discard``s it. An
        aborted or committed writer removes a copy nobody adopted."""
        tmp = self._copy_in(src)
        self._ahead.add(tmp)
        try:
            fsync_path(tmp)  # overlaps the hashing; the commit's own sync finds it clean
        except OSError as e:
            self.discard(tmp)
            raise StoreError(f"cannot copy {src} into the store: {e.strerror}") from None
        return tmp

    def discard(self, tmp: Path) -> None:
        """Remove a copy made ahead that the store does not need."""
        self._ahead.discard(tmp)
        tmp.unlink(missing_ok=True)

    def tmp_path(self) -> Path:
        """A fresh name under ``tmp/`` for a file the caller writes itself (a download)."""
        return self._tmp_path()

    def adopt(self, tmp: Path, oid: str) -> bool:
        """Stage a file the caller wrote at ``tmp_path()`` and verified to hash to ``oid``,
        without copying it again; False (and the file removed) if the store has it."""
        self._ahead.discard(tmp)
        if not self.wants(oid):
            tmp.unlink(missing_ok=True)
            return False
        self._stage(tmp, oid)
        return True

    def replaces_pack(self, pack: str) -> None:
        """The packs this writer commits take over every object of ``pack`` (``gc``)."""
        self._replacing.append(pack)

    def after_commit(self, claim: Callable[[], None]) -> None:
        """Run ``claim`` at the next ``commit``, after every staged object is durable in
        ``objects/``; an aborted writer never runs it."""
        self._after.append(claim)

    def commit(self) -> None:
        self._publish()
        self._drop_ahead()
        claims, self._after = self._after, []
        for claim in claims:
            claim()

    def _publish(self) -> None:
        packs = self._pack.staged() if self._pack is not None else []
        if not self._staged and not packs:
            return
        if len(self._staged) > _SYNC_BATCH:
            sync_all([self.store.tmp], [t for t, _ in self._staged] + [t for t, _, _ in packs])
        else:
            for tmp, _ in self._staged:
                fsync_path(tmp)
            for tmp, _, _ in packs:
                fsync_path(tmp)
        touched: set[Path] = set()
        for tmp, name, _ in packs:
            final = self.store.packs.pack_path(name)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            touched.add(final.parent)
        for tmp, oid in self._staged:
            final = self.store.path(oid)
            if oid[:2] not in self._fanouts:
                final.parent.mkdir(parents=True, exist_ok=True)
                self._fanouts.add(oid[:2])
            os.replace(tmp, final)
            touched.add(final.parent)
        # Make the renames themselves durable.
        if len(touched) > _SYNC_BATCH:
            sync_all(touched)
        else:
            for directory in touched:
                with contextlib.suppress(OSError):
                    fsync_path(directory)
        # Only now, with every pack whole in place, may the index say what is in them.
        self.store.packs.add([(name, entries) for _, name, entries in packs], self._replacing)
        self._replacing.clear()
        if self._pack is not None:
            self._pack.closed.clear()
        self._staged.clear()

    def abort(self) -> None:
        if self._pack is not None:
            self._pack.discard()
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._drop_ahead()
        self._staged.clear()
        self._names.clear()
        self._after.clear()

    def _drop_ahead(self) -> None:
        for tmp in self._ahead:
            tmp.unlink(missing_ok=True)
        self._ahead.clear()
