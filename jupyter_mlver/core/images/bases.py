"""Which base image a build starts from when none is named: one whose Python is the
snapshot's, to the patch version (a lock made for 3.11.7 may need a package that 3.11.2
refuses).

In order: ``python:X.Y.Z-slim`` when the engine has it; the local base
``mlver-local/python:X.Y.Z-slim`` (what ``scripts/ensure-base-image.sh`` makes offline from
the kernel's own interpreter) when it has that; else ``python:X.Y.Z-slim`` pulled from a
registry. A named base (``--base``, ``c.Mlver.base_image``, ``$MLVER_BASE_IMAGE``, in that
order) is used as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..engine.protocol import Engine, ImageInfo
from ..errors import InvalidInput
from ..records import EnvironmentRecord

ENV_VAR = "MLVER_BASE_IMAGE"
OFFICIAL = "python:{version}-slim"
LOCAL = "mlver-local/python:{version}-slim"
MAKE_LOCAL = (
    "scripts/ensure-base-image.sh in jupyter_mlver's repository makes one offline from "
    "a Python {version} on this machine"
)


def python_of(environment: EnvironmentRecord) -> str:
    return str(environment["python"]["version"])


def named_base(option: str | None, configured: str | None) -> str | None:
    """The base a user named: ``--base``, else ``c.Mlver.base_image``, else the variable."""
    return option or configured or os.environ.get(ENV_VAR) or None


def default_name(version: str) -> str:
    """The base to build on when nothing can be asked (a dry run without an engine)."""
    return OFFICIAL.format(version=version)


def suggest(version: str, present: Callable[[str], bool]) -> str:
    """The base to use for Python ``version``: the local one when it is there."""
    local = LOCAL.format(version=version)
    return local if present(local) else OFFICIAL.format(version=version)


def how_to_get(version: str) -> str:
    return (
        f"pass --base (or set {ENV_VAR} or c.Mlver.base_image) to an image with Python "
        f"{version}; {MAKE_LOCAL.format(version=version)}"
    )


def pick(engine: Engine, environment: EnvironmentRecord) -> tuple[str, ImageInfo]:
    """The base for this environment's Python and its image, pulled if need be."""
    version = python_of(environment)
    official = OFFICIAL.format(version=version)
    for name in (official, LOCAL.format(version=version)):
        found = engine.image(name)
        if found is not None:
            return name, found
    try:
        return official, engine.ensure_image(official)
    except InvalidInput:
        raise InvalidInput(
            f"no base image with the snapshot's Python {version}: {official} is not here "
            f"and cannot be pulled, and there is no {LOCAL.format(version=version)}",
            how_to_get(version),
        ) from None


def choose(
    engine: Engine | None, environment: EnvironmentRecord, named: str | None
) -> tuple[str, ImageInfo | None]:
    """The named base, else the one with the environment's Python (``pick``); without
    an engine (a dry run) only its name."""
    if engine is None:
        return named or default_name(python_of(environment)), None
    if named:
        return named, engine.ensure_image(named)
    return pick(engine, environment)


def suggested(engine: Engine | None, environment: EnvironmentRecord) -> str:
    """The base to name when the chosen one's Python differs from the environment's."""
    version = python_of(environment)
    if engine is None:
        return default_name(version)
    return suggest(version, lambda name: engine.image(name) is not None)
