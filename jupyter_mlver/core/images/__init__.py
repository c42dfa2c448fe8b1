"""Container images of experiment environments.

The front doors (magics, CLI, server jobs) call only what is exported here::

    engine = DockerEngine.connect()                       # once; EngineUnavailable if none
    result = build_image(store, BuildOptions(...), engine, progress=callback)
    view = show_environment(store, ref)
    check = verify_image(store, engine, "name:tag")
"""

from __future__ import annotations

from ..engine.docker import DockerEngine
from ..engine.protocol import Engine, RunOptions, RunResult
from .build import build_image
from .dockerfile import DockerfileSpec, render
from .engine_build import BuildStepFailed
from .extras import ImageExtras, Layer
from .lock import Lock, UnresolvablePackage
from .plan import BuildResult
from .progress import ProgressCallback, ProgressEvent
from .source import BuildOptions
from .verify import EnvironmentView, VerifyResult, show_environment, verify_image

__all__ = [
    "BuildOptions",
    "BuildResult",
    "BuildStepFailed",
    "DockerEngine",
    "DockerfileSpec",
    "Engine",
    "EnvironmentView",
    "ImageExtras",
    "Layer",
    "Lock",
    "ProgressCallback",
    "ProgressEvent",
    "RunOptions",
    "RunResult",
    "UnresolvablePackage",
    "VerifyResult",
    "build_image",
    "render",
    "show_environment",
    "verify_image",
]
