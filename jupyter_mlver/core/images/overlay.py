"""An image made of an existing image plus a few small layers: ``FROM <image id>``, files,
commands, settings and labels. A serving image is the environment image of a model's
snapshot plus the server and the model, built this way: its lower layers *are* the
environment image's (shared in the engine and in a registry), and its build context holds
only the small layers, so building one takes seconds.

``render`` is pure (testable without an engine); ``inputs`` hashes what decides the image's
content (not its labels), so an image with equal inputs can be reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import records
from ..hashing import hash_bytes, hash_file
from .context import Context
from .dockerfile import quote
from .extras import Layer

#: Bump when render() changes what an overlay image contains.
OVERLAY_VERSION = 1
LAYERS_DIR = "layers"


@dataclass(frozen=True)
class Run:
    """A command run as root during the build (exec form: no shell needed in the image)."""

    argv: tuple[str, ...]


@dataclass(frozen=True)
class CopyFrom:
    """A directory of an earlier build stage (``Overlay.prelude``) copied into the image."""

    stage: str
    src: str
    dest: str


@dataclass(frozen=True)
class Overlay:
    """``FROM base``, ``steps``, the settings (env, user, ports, entry point), then ``tail``
    and the labels: the settings come before the layers that differ from one image to the
    next (a model), so those are the only steps a new image does not find cached."""

    base: str  # an image id (sha256:…): exactly that image, whatever its tags do later
    steps: tuple[Layer | Run | CopyFrom, ...]
    user: str  # numeric uid:gid, so runAsNonRoot can check it
    tail: tuple[Layer, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    expose: tuple[int, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()
    #: Build stages before the image's own ``FROM`` (Dockerfile text: a venv built in a
    #: stage of its own, its wheels thrown away with it); their files are ``extra_files``.
    prelude: str = ""

    def inputs(self) -> str:
        """What decides the image's content (labels and comments do not)."""
        steps = [
            {"run": list(step.argv)}
            if isinstance(step, Run)
            else {"copy_from": [step.stage, step.src, step.dest]}
            if isinstance(step, CopyFrom)
            else {
                "dest": step.dest,
                "mode": step.mode,
                "files": {
                    name: hash_file(data) if isinstance(data, Path) else hash_bytes(data)
                    for name, data in sorted(step.files.items())
                },
            }
            for step in (*self.steps, *self.tail)
        ]
        return hash_bytes(
            records.canonical_json(
                {
                    "overlay": OVERLAY_VERSION,
                    "base": self.base,
                    "steps": steps,
                    "user": self.user,
                    "env": dict(self.env),
                    "expose": list(self.expose),
                    "entrypoint": list(self.entrypoint) if self.entrypoint is not None else None,
                    "cmd": list(self.cmd) if self.cmd is not None else None,
                    **({"prelude": self.prelude} if self.prelude else {}),
                }
            )
        )


def _steps(overlay: Overlay) -> list[tuple[Layer | Run | CopyFrom, str | None]]:
    """Every step with its context folder (None for a command), the tail's last."""
    steps = (*overlay.steps, *overlay.tail)
    return [
        (s, None if not isinstance(s, Layer) else f"{LAYERS_DIR}/{i}") for i, s in enumerate(steps)
    ]


def _copy(layer: Layer, folder: str | None) -> str:
    return f"COPY {folder}/ {layer.dest.rstrip('/')}/"


def render(overlay: Overlay) -> str:
    lines = [f"# {h}" for h in overlay.header]
    if overlay.prelude:
        lines += [overlay.prelude.rstrip("\n"), ""]
    lines.append(f"FROM {overlay.base}")
    steps = _steps(overlay)
    root = False
    for step, folder in steps[: len(overlay.steps)]:
        if isinstance(step, Run):
            if not root:
                lines.append("USER 0:0")
                root = True
            lines.append(f"RUN {json.dumps(list(step.argv))}")
        elif isinstance(step, CopyFrom):
            lines.append(f"COPY --from={step.stage} {step.src} {step.dest}")
        else:
            lines.append(_copy(step, folder))
    if overlay.env:
        pairs = [f"{k}={quote(v)}" for k, v in sorted(overlay.env.items())]
        lines.append("ENV " + " \\\n    ".join(pairs))
    lines.append(f"USER {overlay.user}")
    lines += [f"EXPOSE {port}" for port in overlay.expose]
    if overlay.entrypoint is not None:
        lines.append(f"ENTRYPOINT {json.dumps(list(overlay.entrypoint))}")
    if overlay.cmd is not None:
        lines.append(f"CMD {json.dumps(list(overlay.cmd))}")
    lines += [_copy(s, f) for s, f in steps[len(overlay.steps) :] if isinstance(s, Layer)]
    if overlay.labels:
        pairs = [f"{k}={quote(v)}" for k, v in sorted(overlay.labels.items())]
        lines.append("LABEL " + " \\\n      ".join(pairs))
    return "\n".join(lines) + "\n"


def context(overlay: Overlay, dockerfile: str) -> Context:
    """The build context: the Dockerfile and each layer's files (read when it is written)."""
    ctx = Context()
    ctx.add_bytes("Dockerfile", dockerfile.encode())
    for step, folder in _steps(overlay):
        if not isinstance(step, Layer):
            continue
        for name, data in sorted(step.files.items()):
            if isinstance(data, Path):
                ctx.add_file(f"{folder}/{name}", data, mode=step.mode)
            else:
                ctx.add_bytes(f"{folder}/{name}", data, mode=step.mode)
    return ctx
