"""Saving and loading model objects in each library's own format.

The model server imports this module next to the model's own libraries only, so it imports
nothing but the standard library at module level; every library is imported when used.

A directory written by :func:`save_model` holds the model file(s) and ``MLmodel.json``
(``{flavor, serializer, files, class, python, libraries}``). :func:`load_model` also loads a
plain model file (or a directory holding one), as registered from a path: its loader is chosen
by the flavour and the file's extension.
"""

from __future__ import annotations

import importlib
import json
import pickle
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from .model_files import (
    FLAVORS,
    MANIFEST,
    OBJECT_FLAVORS,
    PICKLE_SUFFIXES,
    SERIALIZERS,
    detect_path_flavor,
)

__all__ = [
    "DISTRIBUTIONS",
    "FLAVORS",
    "MANIFEST",
    "OBJECT_FLAVORS",
    "SERIALIZERS",
    "check_flavor",
    "detect_flavor",
    "detect_path_flavor",
    "load_model",
    "save_model",
]

#: The distributions each flavour loads with, as installed (for MLmodel.json and for the
#: packages of a model-sized serving image).
DISTRIBUTIONS = {
    "sklearn": ("scikit-learn", "joblib"),
    "xgboost": ("xgboost",),
    "lightgbm": ("lightgbm",),
    "torch": ("torch",),
    "cloudpickle": ("cloudpickle",),
}


def detect_flavor(obj: object) -> str:
    """The flavour an object is saved as, from the modules of its class and its bases.

    xgboost's and lightgbm's scikit-learn wrappers subclass scikit-learn's estimators, so the
    native libraries are checked first: their own format is what a server of theirs loads.
    """
    modules = {cls.__module__.partition(".")[0] for cls in type(obj).__mro__}
    for flavor in ("xgboost", "lightgbm", "torch", "sklearn"):
        if flavor in modules:
            return flavor
    return "cloudpickle"


def save_model(
    obj: object,
    dest: Path,
    flavor: str | None = None,
    *,
    name: str | None = None,
    serializer: str | None = None,
) -> str:
    """Write ``obj`` into the new, empty directory ``dest``; return its flavour.

    ``serializer`` chooses scikit-learn's format: ``joblib`` (default) or ``skops`` (safe to
    load, needs the ``skops`` package). An object whose classes or functions live in
    ``__main__`` (a notebook) is written with cloudpickle, which stores them by value, so it
    loads in another process. ``name`` names the object in error messages.
    """
    label = f"{name} ({type(obj).__name__})" if name else f"a {type(obj).__name__} object"
    flavor = flavor or detect_flavor(obj)
    if flavor not in OBJECT_FLAVORS:
        raise InvalidInput(
            f"unknown flavour {flavor!r} for {label}", f"use one of {', '.join(OBJECT_FLAVORS)}"
        )
    if serializer is not None and serializer not in SERIALIZERS:
        raise InvalidInput(
            f"unknown serializer {serializer!r}", f"use one of {', '.join(SERIALIZERS)}"
        )
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise InvalidInput(f"{dest} is not empty", "save a model into a new directory")
    try:
        manifest = _SAVERS[flavor](obj, dest, serializer)
    except InvalidInput:
        _empty(dest)
        raise
    except ImportError as e:
        _empty(dest)
        raise InvalidInput(
            f"cannot save {label} as {flavor}: {e}", "install the library or pick another flavor"
        ) from None
    except Exception as e:  # a library's own failure to serialise: said in one line
        _empty(dest)
        raise InvalidInput(
            f"cannot save {label}: {type(e).__name__}: {e}",
            "save a fitted model object, or write it to a file yourself and register the path",
        ) from None
    manifest = {
        "flavor": flavor,
        "class": f"{type(obj).__module__}.{type(obj).__qualname__}",
        "python": platform.python_version(),
        "libraries": _library_versions(flavor, type(obj).__module__, manifest["serializer"]),
        **manifest,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return flavor


def load_model(path: Path, flavor: str | None = None) -> object:
    """Load a directory written by :func:`save_model`, or a plain model file (or a directory
    holding exactly one file), as registered from a path."""
    path = Path(path)
    if (path / MANIFEST).is_file():
        manifest = json.loads((path / MANIFEST).read_text())
        return _load_saved(path, manifest)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        if len(files) != 1:
            raise InvalidInput(
                f"{path} holds {len(files)} files and no {MANIFEST}",
                "load one of its files, or save the model with save_model",
            )
        path = files[0]
    if not path.is_file():
        raise InvalidInput(f"no model at {path}")
    return _load_file(path, flavor or detect_path_flavor(path))


def check_flavor(flavor: str) -> str:
    if flavor not in FLAVORS:
        raise InvalidInput(f"unknown flavour {flavor!r}", f"use one of {', '.join(FLAVORS)}")
    return flavor


def _lib(name: str) -> Any:
    """A model library, imported when used. Installed or not, typed or not, it is ``Any`` to
    the type checker, so checking this module does not depend on which ones are installed."""
    return importlib.import_module(name)


# -- saving -----------------------------------------------------------------------------


def _save_sklearn(obj: object, dest: Path, serializer: str | None) -> dict[str, Any]:
    if serializer == "skops":
        try:
            sio = _lib("skops.io")
        except ImportError:
            raise InvalidInput(
                "the skops serializer needs the skops package", "pip install skops"
            ) from None
        sio.dump(obj, dest / "model.skops")
        trusted = sio.get_untrusted_types(file=dest / "model.skops")
        return {"serializer": "skops", "files": ["model.skops"], "trusted": trusted}
    if serializer == "cloudpickle" or _references_main(obj):
        return _save_cloudpickle(obj, dest, None)
    joblib = _lib("joblib")
    joblib.dump(obj, dest / "model.joblib")
    return {"serializer": "joblib", "files": ["model.joblib"]}


def _save_xgboost(obj: Any, dest: Path, serializer: str | None) -> dict[str, Any]:
    obj.save_model(str(dest / "model.ubj"))
    return {"serializer": "native", "files": ["model.ubj"]}


def _save_lightgbm(obj: Any, dest: Path, serializer: str | None) -> dict[str, Any]:
    lightgbm = _lib("lightgbm")
    if isinstance(obj, lightgbm.Booster):
        obj.save_model(str(dest / "model.txt"))
        return {"serializer": "native", "files": ["model.txt"]}
    # The scikit-learn wrapper predicts labels, its booster probabilities: keep the wrapper
    # (cloudpickle) for load_model, and the booster's text for anything that reads LightGBM.
    saved = _save_cloudpickle(obj, dest, None)
    booster = getattr(obj, "_Booster", None)
    if booster is not None:
        booster.save_model(str(dest / "model.txt"))
        saved["files"] = [*saved["files"], "model.txt"]
    return saved


def _save_torch(obj: Any, dest: Path, serializer: str | None) -> dict[str, Any]:
    torch = _lib("torch")
    if isinstance(obj, torch.jit.ScriptModule):
        torch.jit.save(obj, str(dest / "model.pt"))
        return {"serializer": "torchscript", "files": ["model.pt"]}
    # cloudpickle as torch's pickler: a module class defined in the notebook travels by value.
    torch.save(obj, dest / "model.pth", pickle_module=_lib("cloudpickle"))
    return {"serializer": "torch", "files": ["model.pth"]}


def _save_cloudpickle(obj: object, dest: Path, serializer: str | None) -> dict[str, Any]:
    with open(dest / "model.pkl", "wb") as f:
        _lib("cloudpickle").dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"serializer": "cloudpickle", "files": ["model.pkl"]}


_SAVERS = {
    "sklearn": _save_sklearn,
    "xgboost": _save_xgboost,
    "lightgbm": _save_lightgbm,
    "torch": _save_torch,
    "cloudpickle": _save_cloudpickle,
}


class _Discard:
    def write(self, data: Any) -> int:
        return len(data)


class _MainFinder(pickle.Pickler):
    """Pickles into nothing, noting whether anything is pickled by reference to ``__main__``."""

    found = False

    def persistent_id(self, obj: Any) -> None:
        if not self.found:
            module = getattr(obj, "__module__", None) if callable(obj) else None
            if module is None:
                module = type(obj).__module__
            self.found = module == "__main__"


def _references_main(obj: object) -> bool:
    finder = _MainFinder(_Discard(), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        finder.dump(obj)
    except Exception:
        # Plain pickle cannot write it (a lambda, a local class): cloudpickle may.
        return True
    return finder.found


def _empty(dest: Path) -> None:
    for path in sorted(dest.rglob("*"), reverse=True):
        if path.is_dir():
            path.rmdir()
        else:
            path.unlink()


def _library_versions(flavor: str, module: str, serializer: str) -> dict[str, str]:
    names = list(DISTRIBUTIONS[flavor])
    if serializer in ("cloudpickle", "skops"):
        names.append(serializer)
    top = module.partition(".")[0]
    if top not in ("builtins", "__main__"):
        names.extend(metadata.packages_distributions().get(top, []))
    versions = {}
    for dist in dict.fromkeys(names):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


# -- loading ----------------------------------------------------------------------------


def _load_saved(path: Path, manifest: dict[str, Any]) -> object:
    flavor, serializer = manifest.get("flavor"), manifest.get("serializer")
    model = path / manifest["files"][0]
    if serializer == "joblib":
        return _lib("joblib").load(model)
    if serializer == "skops":
        return _lib("skops.io").load(model, trusted=manifest.get("trusted") or [])
    if serializer == "cloudpickle":
        return _unpickle(model)
    if serializer == "torchscript":
        return _lib("torch").jit.load(str(model))
    if serializer == "torch":
        return _lib("torch").load(model, weights_only=False)
    if flavor == "xgboost":
        return _load_xgboost(model, manifest.get("class"))
    if flavor == "lightgbm":
        return _lib("lightgbm").Booster(model_file=str(model))
    raise InvalidInput(
        f"{path / MANIFEST}: unknown flavour {flavor!r} or serializer {serializer!r}"
    )


def _load_file(path: Path, flavor: str) -> object:
    suffix = path.suffix.lower()
    if suffix == ".joblib" or (suffix in PICKLE_SUFFIXES and flavor == "sklearn"):
        return _lib("joblib").load(path)  # reads plain pickles too
    if suffix in PICKLE_SUFFIXES:
        return _unpickle(path)
    if flavor == "sklearn" and suffix == ".skops":
        sio = _lib("skops.io")
        return sio.load(path, trusted=sio.get_untrusted_types(file=path))
    if flavor == "xgboost":
        return _load_xgboost(path, None)
    if flavor == "lightgbm":
        return _lib("lightgbm").Booster(model_file=str(path))
    if flavor == "torch":
        torch = _lib("torch")
        try:
            return torch.jit.load(str(path))
        except RuntimeError:  # not TorchScript: a pickled module
            return torch.load(path, weights_only=False)
    raise InvalidInput(
        f"{path.name}: no loader for flavour {flavor!r}",
        "register the model with --flavor naming its library, or load the file yourself",
    )


def _load_xgboost(path: Path, cls_name: str | None) -> object:
    model: Any
    if cls_name and cls_name != "xgboost.core.Booster":
        module, _, qualname = cls_name.rpartition(".")
        model = getattr(importlib.import_module(module), qualname)()
    else:
        model = _lib("xgboost").Booster()
    model.load_model(str(path))
    return model


def _unpickle(path: Path) -> object:
    _lib("cloudpickle")  # what cloudpickle wrote needs it importable
    with open(path, "rb") as f:
        return pickle.load(f)


# -- reading without loading ------------------------------------------------------------
