"""The store (``.mlver/``): discovery, records in and out, refs, tags and locking."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from .. import records
from ..capture.git import find_work_tree
from ..errors import AmbiguousRef, Conflict, InvalidInput, RecordNotFound, StoreError
from ..records import Record
from .index.db import ALL, Index
from .objects import ObjectStore
from .state import StateCache

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

R = TypeVar("R")
#: A record to store: a kind's TypedDict, or a mapping.
M = TypeVar("M", bound=Mapping[str, Any])

STORE_DIRNAME = ".mlver"
_HEAD = re.compile(r"^HEAD(?:~(\d+))?$")
_HEX = re.compile(r"^[0-9a-f]+$")
TAG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/-]{0,127}$")
MIN_PREFIX = 4
#: The store's layout: 1 (0.1: every object loose, directories listed file by file), 2 (data
#: directories as trees, small data copies in packs). Kept as ``format`` in config.toml.
FORMAT = 2
DEFAULT_CONFIG = f"""\
# jupyter_mlver store settings.
# The layout of this store (`jupyter mlver migrate` upgrades an older one).
format = {FORMAT}

[data]
# Keep copies of data files in the store (false: hashes only, like --hash-only).
store_copies = true
"""


def find_store_dir(
    start: Path | None = None,
    explicit: str | os.PathLike[str] | None = None,
) -> Path:
    """Where the store for ``start`` is (or would be created), like git finds ``.git``.

    ``explicit`` (``c.Mlver.store_dir``) wins, then ``MLVER_STORE``, then the nearest
    ``.mlver/`` above ``start``, then the git work tree root, then ``start`` itself.
    """
    explicit = explicit or os.environ.get("MLVER_STORE")
    if explicit:
        path = Path(explicit).expanduser().absolute()
        return (
            path
            if path.name == STORE_DIRNAME or not (path / STORE_DIRNAME).is_dir()
            else path / STORE_DIRNAME
        )
    start = (start or Path.cwd()).absolute()
    for directory in (start, *start.parents):
        candidate = directory / STORE_DIRNAME
        if candidate.is_dir():
            return candidate
    work_tree = find_work_tree(start)
    return (work_tree or start) / STORE_DIRNAME


def _ignore_in_git(store_dir: Path) -> None:
    work_tree = find_work_tree(store_dir.parent)
    if work_tree is None:
        return
    gitignore = work_tree / ".gitignore"
    rel = store_dir.relative_to(work_tree).as_posix()
    line = f"{rel}/" if rel == STORE_DIRNAME else f"/{rel}/"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if any(
        entry.strip() in (line, line.rstrip("/"), f"/{line}", STORE_DIRNAME)
        for entry in existing.splitlines()
    ):
        return
    sep = "" if not existing or existing.endswith("\n") else "\n"
    gitignore.write_text(f"{existing}{sep}{line}\n", encoding="utf-8")


class Store:
    def __init__(self, store_dir: Path) -> None:
        self.dir = store_dir
        self.root = store_dir.parent
        self.objects = ObjectStore(store_dir / "objects", store_dir / "tmp")
        self._index: Index | None = None
        self._state: StateCache | None = None

    @classmethod
    def open(
        cls,
        start: Path | None = None,
        explicit: str | os.PathLike[str] | None = None,
        create: bool = False,
    ) -> Store:
        store_dir = find_store_dir(start, explicit)
        if not (store_dir / "objects").is_dir():
            if not create:
                raise RecordNotFound(
                    f"no jupyter_mlver store at {store_dir}",
                    "take a snapshot first (`jupyter mlver snapshot`), or set MLVER_STORE",
                )
            cls.create(store_dir)
        return cls(store_dir)

    @staticmethod
    def create(store_dir: Path) -> None:
        try:
            (store_dir / "objects").mkdir(parents=True, exist_ok=True)
            (store_dir / "tmp").mkdir(exist_ok=True)
            config = store_dir / "config.toml"
            if not config.exists():
                config.write_text(DEFAULT_CONFIG, encoding="utf-8")
            _ignore_in_git(store_dir)
        except OSError as e:
            raise StoreError(
                f"cannot create a store at {store_dir}: {e.strerror}",
                "run from a writable directory or set MLVER_STORE to one",
            ) from None

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.dir / "index.sqlite")
        return self._index

    @property
    def state(self) -> StateCache:
        if self._state is None:
            self._state = StateCache(self.dir / "state.sqlite")
        return self._state

    def close(self) -> None:
        self.objects.close()
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._state is not None:
            self._state.close()
            self._state = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def config(self) -> dict[str, Any]:
        try:
            with open(self.dir / "config.toml", "rb") as f:
                config: dict[str, Any] = tomllib.load(f)
                return config
        except FileNotFoundError:
            return {}
        except tomllib.TOMLDecodeError as e:
            raise StoreError(f"{self.dir / 'config.toml'} is not valid TOML: {e}") from None

    # -- locking: writers share, gc excludes ---------------------------------------

    @contextlib.contextmanager
    def _lock(self, mode: int) -> Iterator[None]:
        try:
            fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(
                f"cannot lock the store at {self.dir}: {e.strerror}",
                "check that the store directory is writable",
            ) from None
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)

    def format(self) -> int:
        """The store's layout version (1 when config.toml does not say: written by 0.1)."""
        value = self.config().get("format", 1)
        if not isinstance(value, int) or value < 1:
            raise StoreError(f"{self.dir / 'config.toml'}: format must be a positive integer")
        if value > FORMAT:
            raise StoreError(
                f"the store at {self.dir} has format {value}, newer than this jupyter_mlver "
                f"knows ({FORMAT})",
                "upgrade jupyter_mlver",
            )
        return value

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Held while objects are added, so ``gc`` never removes one about to be referenced.
        Only a store of the current format is written to."""
        if self.format() < FORMAT:
            raise StoreError(
                f"the store at {self.dir} was written by jupyter_mlver 0.1 (format "
                f"{self.format()}); this version reads it but writes format {FORMAT}",
                "run `jupyter mlver migrate` once to upgrade it in place",
            )
        return self._lock(fcntl.LOCK_SH)

    def exclusive(self) -> contextlib.AbstractContextManager[None]:
        return self._lock(fcntl.LOCK_EX)

    # -- records -----------------------------------------------------------------

    def put_record(
        self,
        record: M,
        *,
        fingerprint: str | None = None,
        also_index: tuple[Record, ...] = (),
    ) -> M:
        """Store a record's object, then index it (with ``also_index``, records already
        stored, in the same transaction); a failed index leaves no trace of it. The stored
        record, with its ``id``."""
        rid, data = records.encode(record)
        existed = self.objects.exists(rid)
        self.objects.put_bytes(data)
        stored = {"id": rid, **{k: v for k, v in record.items() if k != "id"}}
        try:
            self.index.add(*also_index, stored, fingerprint=fingerprint)
        except BaseException:
            if not existed:
                self.objects.remove(rid)
            raise
        return cast(M, stored)

    @overload
    def get(self, rid: str) -> Record: ...
    @overload
    def get(self, rid: str, kind: type[R]) -> R: ...
    def get(self, rid: str, kind: object = None) -> Any:
        """A record with its ``id``; with ``kind`` (its TypedDict) one of that kind, else an
        error. A model version also has its number in this store (``version``: the number it
        was published or renumbered to, see ``models.numbers``) and ``published`` (whether
        that number is claimed on a remote)."""
        record = records.decode(rid, self.objects.get_bytes(rid))
        if record is None:
            raise StoreError(f"object {rid[:12]} is not a record")
        if kind is not None and record["schema"] != records.TYPES[kind]:
            expected = records.KINDS[records.TYPES[kind]]
            raise StoreError(f"record {rid[:12]} is a {records.kind(record)}, not a {expected}")
        if record["schema"] == records.MODEL:
            number = self.index.model_number(rid)
            if number is not None:
                record["version"], record["published"] = number
            else:
                record["published"] = False
        return record

    def index_data_entries(self) -> None:
        """Index the data entries of the snapshots that do not have them yet (they are
        indexed when first needed, so taking a snapshot does not write a row per file)."""
        missing = self.index.snapshots_without_data()
        if missing:
            self.index.add_data_entries((self.get(rid) for rid in missing), self.objects.get_bytes)

    def iter_records(self) -> Iterator[Record]:
        """Every record among the objects, indexed or not (what ``reindex`` reads)."""
        for oid in self.objects.iter_loose():  # records are never packed
            path = self.objects.path(oid)
            with open(path, "rb") as f:
                if f.read(1) != b"{":
                    continue
                data = b"{" + f.read()
            record = records.decode(oid, data)
            if record is not None:
                yield record

    # -- refs --------------------------------------------------------------------

    def resolve(self, ref: str, notebook: object = ALL, kind: str | None = "snapshot") -> str:
        """A record id from ``HEAD``, ``HEAD~N``, a tag, or a unique id prefix of ≥ 4 hex digits."""
        ref = ref.strip()
        head = _HEAD.match(ref)
        if head:
            rid = self.index.latest(notebook)
            if rid is None:
                raise RecordNotFound("there are no snapshots yet", "take one with `snapshot`")
            for step in range(int(head.group(1) or 0)):
                parent = self.index.parent_of(rid)
                if parent is None:
                    raise RecordNotFound(f"{ref}: the history has only {step + 1} snapshot(s)")
                rid = parent
            return rid
        target = self.index.tag_target(ref)
        if target is not None:
            return target
        prefix = ref.lower()
        if not _HEX.match(prefix):
            raise RecordNotFound(
                f"unknown ref {ref!r}", "use an id prefix, a tag, HEAD or HEAD~N (see `list`)"
            )
        if len(prefix) < MIN_PREFIX:
            raise InvalidInput(
                f"ref {ref!r} is too short", f"give at least {MIN_PREFIX} hex digits of an id"
            )
        matches = [
            (rid, k) for rid, k in self.index.ids_with_prefix(prefix) if kind is None or k == kind
        ]
        if not matches:
            hint = "see `jupyter mlver list`"
            if len(prefix) == 64 and self.objects.exists(prefix):
                hint = "the record exists but is not indexed: run `jupyter mlver reindex`"
            raise RecordNotFound(f"unknown ref {ref!r}", hint)
        if len(matches) > 1:
            shown = ", ".join(rid[:12] for rid, _ in matches[:5])
            raise AmbiguousRef(
                f"ref {ref!r} is ambiguous: it matches {shown}", "give more hex digits"
            )
        return matches[0][0]

    def add_tag(self, ref: str, name: str, notebook: object = ALL) -> Record:
        check_tag_name(name)
        snapshot = self.resolve(ref, notebook)
        taken = self.index.tag_target(name)
        if taken == snapshot:
            return {"id": None, "schema": records.TAG, "name": name, "snapshot": snapshot}
        if taken is not None:
            raise Conflict(
                f"tag {name!r} already names snapshot {taken[:12]}", "choose another name"
            )
        with self.writing():
            return self.put_record(
                {
                    "schema": records.TAG,
                    "name": name,
                    "snapshot": snapshot,
                    "created": records.now(),
                }
            )

    def relpath(self, path: str | os.PathLike[str]) -> str:
        """A path as records keep it: relative to the store root when inside it, POSIX style."""
        absolute = Path(path).absolute()
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()


def check_tag_name(name: str) -> None:
    if not TAG_NAME.match(name) or _HEAD.match(name) or ".." in name:
        raise InvalidInput(
            f"invalid tag name {name!r}",
            "use letters, digits and . _ - + /, start with a letter or digit; not HEAD",
        )
