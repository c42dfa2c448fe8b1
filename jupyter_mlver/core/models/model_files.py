"""What a model file is, without loading (so without running) it: its flavour from its name,
the modules a pickle names, the manifest a saved model directory carries. Standard library
only: the model server imports it (through ``flavors.py``) next to the model's libraries."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import pickletools
import zlib
from pathlib import Path

MANIFEST = "MLmodel.json"
#: Flavours an object can be saved as, in the order :func:`detect_flavor` tries them.
OBJECT_FLAVORS = ("xgboost", "lightgbm", "torch", "sklearn", "cloudpickle")
#: ``file``: a registered file or directory whose format is not known; it has no loader.
FLAVORS = (*OBJECT_FLAVORS, "file")
SERIALIZERS = ("joblib", "skops", "cloudpickle")

PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".cloudpickle"}
TORCH_SUFFIXES = {".pt", ".pth", ".torchscript"}
# Enough of a pickle stream to see the top-level object's class (it comes first).
_PICKLE_HEAD = 1 << 20


def detect_path_flavor(path: Path) -> str:
    """The flavour of a model file or directory, without loading (so without running) it.

    A directory written by :func:`save_model` says it in ``MLmodel.json``. A pickle
    (``.pkl``, ``.pickle``, ``.joblib``) is read as far as its first ``1 MiB`` and the modules
    it names decide (xgboost, lightgbm, torch, sklearn, else cloudpickle); ``.skops`` is
    scikit-learn; ``.ubj`` and an xgboost ``.json`` are xgboost; a LightGBM ``.txt`` model is
    lightgbm; ``.pt``/``.pth`` are torch. Anything else is ``file``.
    """
    path = Path(path)
    if path.is_dir():
        manifest = path / MANIFEST
        if manifest.is_file():
            return str(json.loads(manifest.read_text()).get("flavor", "file"))
        return "file"
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        modules = _pickle_modules(path)
        return next((f for f in OBJECT_FLAVORS[:-1] if f in modules), "cloudpickle")
    if suffix == ".skops":
        return "sklearn"
    if suffix in TORCH_SUFFIXES:
        return "torch"
    if suffix == ".ubj":
        return "xgboost"
    if suffix == ".json":
        return "xgboost" if _is_xgboost_json(path) else "file"
    if suffix in (".txt", ".model") and _starts_with(path, b"tree\n"):
        return "lightgbm"
    return "file"


def _pickle_modules(path: Path) -> set[str]:
    """Top-level modules a pickle names in its first MiB (joblib's compressed files too)."""
    head = _decompressed_head(path)
    modules: set[str] = set()
    strings: list[str] = []
    try:
        for opcode, arg, _ in pickletools.genops(head):
            if opcode.name in ("GLOBAL", "INST") and isinstance(arg, str):
                modules.add(arg.partition(" ")[0].partition(".")[0])
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                modules.add(strings[-2].partition(".")[0])
            elif isinstance(arg, str):
                strings.append(arg)
    except (ValueError, IndexError, EOFError):
        pass  # the head is cut mid-stream, or joblib's raw array bytes follow
    return modules


def _decompressed_head(path: Path) -> bytes:
    with open(path, "rb") as f:
        raw = f.read(_PICKLE_HEAD)
    try:
        if raw.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rb") as g:
                return g.read(_PICKLE_HEAD)
        if raw.startswith(b"BZh"):
            with bz2.open(path, "rb") as b:
                return b.read(_PICKLE_HEAD)
        if raw.startswith((b"\xfd7zXZ", b"\x5d\x00\x00")):
            with lzma.open(path, "rb") as x:
                return x.read(_PICKLE_HEAD)
        if raw[:1] == b"x":
            return zlib.decompressobj().decompress(raw, _PICKLE_HEAD)
    except (OSError, EOFError, lzma.LZMAError, zlib.error):
        return raw
    return raw


def _is_xgboost_json(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    return head.lstrip().startswith(b"{") and b'"learner"' in head


def _starts_with(path: Path, prefix: bytes) -> bool:
    with open(path, "rb") as f:
        return f.read(len(prefix)) == prefix
