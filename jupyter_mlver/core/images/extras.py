"""What an image adds on top of an environment image: small layers, labels, tags, env, CMD.

A serving image, for instance, is an environment image plus the model's files, a ``CMD``
that starts the server and labels naming the model::

    build_image(store, BuildOptions(ref="v1", extras=ImageExtras(
        layers=(Layer("/opt/model", {"model.pkl": Path("model.pkl")}),),
        labels={"io.mlver.model": "churn:3"}, tags=("model-churn-3",),
        cmd=("python", "-m", "mymodel.serve"), expose=(8080,))))

Extras go after the project code in the Dockerfile (a change to them rebuilds only their
layers), and their digest is part of the image's inputs, so an image is reused only for
the same extras.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import records
from ..hashing import hash_bytes, hash_file


@dataclass(frozen=True)
class Layer:
    """Files copied to ``dest`` in the image, in one layer: relative path -> bytes, or a
    file on this machine (read when the context is written, never loaded whole)."""

    dest: str
    files: Mapping[str, bytes | Path]
    mode: int = 0o644


@dataclass(frozen=True)
class ImageExtras:
    layers: tuple[Layer, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cmd: tuple[str, ...] | None = None  # replaces the default CMD
    expose: tuple[int, ...] = ()

    def digest(self) -> str:
        """What decides the image's content (tags do not)."""
        layers = [
            {
                "dest": layer.dest,
                "mode": layer.mode,
                "files": {
                    name: hash_file(data) if isinstance(data, Path) else hash_bytes(data)
                    for name, data in sorted(layer.files.items())
                },
            }
            for layer in self.layers
        ]
        return hash_bytes(
            records.canonical_json(
                {
                    "layers": layers,
                    "labels": dict(self.labels),
                    "env": dict(self.env),
                    "cmd": list(self.cmd) if self.cmd is not None else None,
                    "expose": list(self.expose),
                }
            )
        )
