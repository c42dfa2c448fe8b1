"""Content hashes: blake3 over bytes, files and directory manifests."""

from __future__ import annotations

import os

import blake3

#: Files at least this large are hashed through mmap with blake3's own thread pool.
MMAP_THRESHOLD = 4 * 1024 * 1024
_SMALL_READ = 1024 * 1024


def hash_bytes(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()


def hash_file(path: str | os.PathLike[str], size: int | None = None) -> str:
    """blake3 of a file's bytes; large files are mmapped and hashed on all cores."""
    if size is None:
        size = os.stat(path).st_size
    if size >= MMAP_THRESHOLD:
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        hasher.update_mmap(path)
        return hasher.hexdigest()
    hasher = blake3.blake3()
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(_SMALL_READ):
            hasher.update(chunk)
    return hasher.hexdigest()


def hash_manifest(entries: list[tuple[str, str]]) -> str:
    """A directory's hash: blake3 of its sorted ``path<TAB>hash`` lines."""
    lines = "".join(f"{path}\t{digest}\n" for path, digest in sorted(entries))
    return hash_bytes(lines.encode())


def is_hex_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
