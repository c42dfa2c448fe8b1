"""The running interpreter's environment: python, packages, conda, OS, hardware, env vars.

Packages are read from the ``*.dist-info`` directory names on ``sys.path`` (what
importlib.metadata finds) rather than by parsing every METADATA file or running
``pip freeze``: the wheel spec puts the exact name and version in the directory name.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from .. import records
from ..hashing import hash_bytes
from ..records import Conda, EnvironmentRecord, Gpu, Hardware, Package, PlatformInfo
from .secrets import is_secret_name, strip_url_credentials

DEFAULT_ENV_VARS = (
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "PYTHONHASHSEED",
    "PYTHONPATH",
    "PYTHONUTF8",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_HOME",
    "CUBLAS_WORKSPACE_CONFIG",
    "NVIDIA_VISIBLE_DEVICES",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TF_DETERMINISTIC_OPS",
    "TF_CPP_MIN_LOG_LEVEL",
    "PYTORCH_CUDA_ALLOC_CONF",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "JAX_PLATFORMS",
    "XLA_FLAGS",
    "VIRTUAL_ENV",
    "CONDA_DEFAULT_ENV",
    "CONDA_PREFIX",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
)
_NORMALIZE = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 normalized project name."""
    return _NORMALIZE.sub("-", name).lower()


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _pkg_info_field(text: str, field: str) -> str | None:
    prefix = field + ":"
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
        if not line.strip():
            break
    return None


class _Source(TypedDict):
    source: str
    url: str | None
    commit: str | None


def _source(dist_dir: str, conda_names: set[str], name: str) -> _Source:
    direct = _read_text(os.path.join(dist_dir, "direct_url.json"))
    if direct:
        try:
            info = json.loads(direct)
        except json.JSONDecodeError:
            info = {}
        url = strip_url_credentials(info.get("url", ""))
        if "vcs_info" in info:
            vcs = info["vcs_info"]
            return {
                "source": "vcs",
                "url": f"{vcs.get('vcs', 'git')}+{url}",
                "commit": vcs.get("commit_id"),
            }
        if info.get("dir_info", {}).get("editable"):
            return {"source": "editable", "url": url, "commit": None}
        return {"source": "local", "url": url, "commit": None}
    if name in conda_names:
        installer = _read_text(os.path.join(dist_dir, "INSTALLER")) or ""
        if installer.strip() != "pip":
            return {"source": "conda", "url": None, "commit": None}
    return {"source": "index", "url": None, "commit": None}


def _dist_dirs(paths: Iterable[str]) -> Iterable[tuple[str, str]]:
    for base in paths:
        try:
            entries = os.scandir(base or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith((".dist-info", ".egg-info")):
                    yield base, entry.name


def _name_version(base: str, dirname: str) -> tuple[str, str] | None:
    path = os.path.join(base, dirname)
    if dirname.endswith(".dist-info"):
        stem = dirname[: -len(".dist-info")]
        name, sep, version = stem.partition("-")
        if sep and version:
            return name, version
        meta = _read_text(os.path.join(path, "METADATA")) or ""
    else:
        meta = _read_text(os.path.join(path, "PKG-INFO") if os.path.isdir(path) else path) or ""
    name_field = _pkg_info_field(meta, "Name")
    version_field = _pkg_info_field(meta, "Version")
    if name_field and version_field:
        return name_field, version_field
    return None


def _conda(prefix: str) -> tuple[Conda | None, set[str]]:
    meta_dir = os.path.join(prefix, "conda-meta")
    if not os.path.isdir(meta_dir):
        return None, set()
    channels: set[str] = set()
    explicit: list[str] = []
    names: set[str] = set()
    for entry in sorted(os.listdir(meta_dir)):
        if not entry.endswith(".json"):
            continue
        try:
            with open(os.path.join(meta_dir, entry), encoding="utf-8") as f:
                pkg = json.load(f)
        except (OSError, json.JSONDecodeError):
            continue
        channel = strip_url_credentials(str(pkg.get("channel", "")))
        if channel:
            channels.add(channel)
        explicit.append(f"{channel}::{pkg.get('name')}=={pkg.get('version')}={pkg.get('build')}")
        names.add(normalize_name(str(pkg.get("name", ""))))
    env_name = os.environ.get("CONDA_DEFAULT_ENV") or os.path.basename(prefix)
    return {"name": env_name, "channels": sorted(channels), "explicit": explicit}, names


def packages(
    paths: Iterable[str] | None = None, conda_names: set[str] | frozenset[str] = frozenset()
) -> list[Package]:
    """Installed distributions, first on the path wins (as for imports), sorted by name."""
    seen: dict[str, Package] = {}
    for base, dirname in _dist_dirs(sys.path if paths is None else paths):
        parsed = _name_version(base, dirname)
        if parsed is None:
            continue
        name = normalize_name(parsed[0])
        if name in seen:
            continue
        seen[name] = {
            "name": name,
            "version": parsed[1],
            **_source(os.path.join(base, dirname), set(conda_names), name),
        }
    return [seen[k] for k in sorted(seen)]


@functools.lru_cache(maxsize=1)
def _hardware() -> Hardware:
    return {
        "cpu": _cpu_name(),
        "cores": os.cpu_count() or 1,
        "memory_bytes": _memory_bytes(),
        "gpus": _gpus(),
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gpus() -> list[Gpu]:
    """NVIDIA GPUs through nvidia-ml-py, when it is installed and a driver answers."""
    import importlib.util

    if importlib.util.find_spec("pynvml") is None:
        return []
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # no driver, no device: not an error for a snapshot
        return []
    try:
        driver = pynvml.nvmlSystemGetDriverVersion()
        cuda_raw = pynvml.nvmlSystemGetCudaDriverVersion()
        cuda = f"{cuda_raw // 1000}.{cuda_raw % 1000 // 10}"
        gpus: list[Gpu] = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            gpus.append(
                {
                    "name": name.decode() if isinstance(name, bytes) else name,
                    "memory_bytes": int(pynvml.nvmlDeviceGetMemoryInfo(handle).total),
                    "driver": driver.decode() if isinstance(driver, bytes) else driver,
                    "cuda": cuda,
                }
            )
        return gpus
    except Exception:
        return []
    finally:
        pynvml.nvmlShutdown()


@functools.lru_cache(maxsize=1)
def _platform() -> PlatformInfo:
    libc: str | None = None
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        lib, version = platform.libc_ver()
        libc = f"{lib} {version}".strip() or None
    os_release: str | None
    if sys.platform == "darwin":
        os_release = f"macOS {platform.mac_ver()[0]}"
    else:
        try:
            os_release = platform.freedesktop_os_release().get("PRETTY_NAME")
        except OSError:
            os_release = None
    return {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "libc": libc,
        "os_release": os_release,
    }


def env_vars(extra: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Allow-listed variables only; anything that looks like a secret is dropped by name."""
    environ = os.environ if environ is None else environ
    names = set(DEFAULT_ENV_VARS) | set(extra)
    return {
        n: strip_url_credentials(environ[n])
        for n in sorted(names)
        if n in environ and not is_secret_name(n)
    }


def fingerprint(python_version: str, machine: str, pkgs: Sequence[Mapping[str, Any]]) -> str:
    """What decides an image: equal for two kernels with the same python and packages."""
    return hash_bytes(
        records.canonical_json({"python": python_version, "machine": machine, "packages": pkgs})
    )


def _path_state() -> tuple[tuple[str, int], ...]:
    """Installing or removing a distribution changes its directory's mtime."""
    state = []
    for p in sys.path:
        try:
            state.append((p, os.stat(p or ".").st_mtime_ns))
        except OSError:
            continue
    return tuple(state)


@functools.lru_cache(maxsize=4)
def _packages_cached(
    path_state: tuple[tuple[str, int], ...],
    prefix: str,
) -> tuple[list[Package], Conda | None]:
    conda, conda_names = _conda(prefix)
    return packages([p for p, _ in path_state], conda_names), conda


def capture_environment(extra_env_vars: Iterable[str] = ()) -> EnvironmentRecord:
    """The Environment record (``mlver.environment/1``) of this interpreter."""
    pkgs, conda = _packages_cached(_path_state(), sys.prefix)
    python_version = platform.python_version()
    plat = _platform()
    return {
        "schema": records.ENVIRONMENT,
        "python": {
            "version": python_version,
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": plat,
        "hardware": _hardware(),
        "packages": [{**p} for p in pkgs],
        "conda": {**conda} if conda else None,
        "env_vars": env_vars(extra_env_vars),
        "fingerprint": fingerprint(python_version, plat["machine"], pkgs),
    }
