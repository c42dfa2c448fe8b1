"""Directory trees as content-addressed objects: a Merkle tree, like git's trees and DVC's
``.dir`` manifests.

A tree object lists one directory: for each entry its kind, hash, size (a subdirectory's
total) and, for a subdirectory, how many files it holds, then its name::

    mlver.tree/1
    d <hash> <size> <files> <name>
    f <hash> <size> <name>

sorted by name. Its id is the blake3 of those bytes, so an unchanged directory is the same
object however often it is snapshotted, and two trees with equal ids need no further look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import NamedTuple

from ..errors import StoreError

MAGIC = b"mlver.tree/1\n"
FILE = "f"
DIR = "d"

Reader = Callable[[str], bytes]


class TreeEntry(NamedTuple):
    """One line of a tree (a named tuple: a directory of 100,000 files makes 100,000)."""

    kind: str  # FILE | DIR
    name: str
    hash: str
    size: int
    files: int = 1


class TreeFile(NamedTuple):
    """A file found under a tree: its path relative to the tree's root."""

    path: str
    hash: str
    size: int


def _escape(name: str) -> str:
    if "\\" in name or "\n" in name:
        return name.replace("\\", "\\\\").replace("\n", "\\n")
    return name


def _unescape(name: str) -> str:
    if "\\" not in name:
        return name
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c == "\\" and i + 1 < len(name):
            out.append("\n" if name[i + 1] == "n" else name[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def encode(entries: Iterable[TreeEntry]) -> bytes:
    lines = [MAGIC.decode()]
    for e in sorted(entries, key=itemgetter(1)):
        if e.kind == DIR:
            lines.append(f"d {e.hash} {e.size} {e.files} {_escape(e.name)}\n")
        else:
            lines.append(f"f {e.hash} {e.size} {_escape(e.name)}\n")
    return "".join(lines).encode("utf-8", "surrogateescape")


def decode(data: bytes) -> list[TreeEntry]:
    if not data.startswith(MAGIC):
        raise StoreError("object is not a tree", "run `jupyter mlver fsck`")
    out = []
    for line in data[len(MAGIC) :].decode("utf-8", "surrogateescape").split("\n"):
        if not line:
            continue
        if line[0] == DIR:
            _, digest, size, files, name = line.split(" ", 4)
            out.append(TreeEntry(DIR, _unescape(name), digest, int(size), int(files)))
        else:
            _, digest, size, name = line.split(" ", 3)
            out.append(TreeEntry(FILE, _unescape(name), digest, int(size)))
    return out


def is_tree(data: bytes) -> bool:
    return data.startswith(MAGIC)


def build(files: Iterable[TreeFile], put: Callable[[bytes], str]) -> TreeEntry:
    """Store the trees of ``files`` (paths relative to the root, POSIX) bottom-up through
    ``put`` (bytes -> object id); returns the root as a directory entry named ``""``."""
    children: dict[str, list[TreeEntry]] = {"": []}
    for f in files:
        parent, _, name = f.path.rpartition("/")
        entries = children.get(parent)
        if entries is None:
            entries = children[parent] = []
            ancestor = parent
            while ancestor:  # every directory up to the root gets a listing
                ancestor = ancestor.rpartition("/")[0]
                if ancestor in children:
                    break
                children[ancestor] = []
        entries.append(TreeEntry(FILE, name, f.hash, f.size))
    root = TreeEntry(DIR, "", "", 0, 0)
    for directory in sorted(children, key=lambda d: -d.count("/") if d else 1):
        entries = children[directory]
        digest = put(encode(entries))
        node = TreeEntry(
            DIR,
            directory.rpartition("/")[2],
            digest,
            sum(e.size for e in entries),
            sum(e.files for e in entries),
        )
        if directory:
            children[directory.rpartition("/")[0]].append(node)
        else:
            root = node
    return root


def walk(read: Reader, oid: str, prefix: str = "") -> Iterator[TreeFile]:
    """Every file under tree ``oid``, with paths under ``prefix``, in name order."""
    for e in decode(read(oid)):
        path = f"{prefix}{e.name}"
        if e.kind == DIR:
            yield from walk(read, e.hash, f"{path}/")
        else:
            yield TreeFile(path, e.hash, e.size)


def subtrees(read: Reader, oid: str, skip: Callable[[str], bool] | None = None) -> Iterator[str]:
    """Tree ``oid`` and every tree under it; a subtree ``skip`` says yes to is not entered."""
    yield oid
    for e in decode(read(oid)):
        if e.kind == DIR and not (skip and skip(e.hash)):
            yield from subtrees(read, e.hash, skip)


def diff(
    read: Reader, a: str | None, b: str | None, prefix: str = ""
) -> Iterator[tuple[str, TreeFile | None, TreeFile | None]]:
    """``(path, before, after)`` for every file that differs between trees ``a`` and ``b``
    (either may be None: everything added or removed); equal subtrees are skipped by hash."""
    if a == b:
        return
    left = {e.name: e for e in decode(read(a))} if a else {}
    right = {e.name: e for e in decode(read(b))} if b else {}
    for name in sorted(left.keys() | right.keys()):
        x, y = left.get(name), right.get(name)
        if x is not None and y is not None and x.hash == y.hash and x.kind == y.kind:
            continue
        path = f"{prefix}{name}"
        x_dir = x.hash if x is not None and x.kind == DIR else None
        y_dir = y.hash if y is not None and y.kind == DIR else None
        if x_dir or y_dir:
            yield from diff(read, x_dir, y_dir, f"{path}/")
        x_file = TreeFile(path, x.hash, x.size) if x is not None and x.kind == FILE else None
        y_file = TreeFile(path, y.hash, y.size) if y is not None and y.kind == FILE else None
        if x_file or y_file:
            yield path, x_file, y_file
