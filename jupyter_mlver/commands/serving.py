"""``model build`` and ``model serve``: the serving image of a model version, and running it
on the local engine. Declared here, listed in the ``model`` group (``models.py``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..views import serving as views
from .context import Context
from .spec import Command, arg

if TYPE_CHECKING:
    from ..core.models.image import ModelImageResult


def _build(ctx: Context, args: argparse.Namespace) -> ModelImageResult:
    from ..core.models.image import ModelImageOptions, build_model_image

    with (
        ctx.open_store() as store,
        ctx.build_display("serving image", args.verbose) as progress,
    ):
        options = ModelImageOptions(
            ref=args.ref,
            tag=args.tag,
            base=args.base,
            push=args.push,
            prefix=ctx.settings.image_prefix,
        )
        return build_model_image(store, options, progress=progress, base_default=ctx.base_default)


BUILD: Command[ModelImageResult] = Command(
    name="build",
    help="build (or reuse) the serving image of a model version: its snapshot's environment "
    "image plus the model server and the model",
    description="Build the serving image of a model version: the environment image of the "
    "snapshot it came from (reused, or built with its cached dependency layer), plus the model "
    "server (KServe v2, /invocations, /metrics on port 8080, as uid 1000) and the model as the "
    "last small layers. Tags <name>:<version>, <name>:<SEMVER> and <name>:<alias> for each "
    "alias the version holds; an image built from the same inputs is reused.",
    run=_build,
    text=views.built,
    args=[
        arg("ref", help="NAME (the latest version), NAME:VERSION or NAME@ALIAS"),
        arg("--tag", metavar="SEMVER", help="also tag the image <name>:<SEMVER>"),
        arg(
            "--base",
            metavar="IMAGE",
            help="base of the environment image (default: c.Mlver.base_image, else "
            "python:<version>-slim)",
        ),
        arg("--push", metavar="REPO", help="push every tag to this repository"),
        arg(
            "-v",
            "--verbose",
            action="store_true",
            help="show pip's and the engine's output as it comes",
        ),
    ],
    examples=[
        ("model build churn@production", "tags churn:<version> and churn:production"),
        ("model build churn:3 --tag 1.4.0 --push registry.example.com/team/churn", ""),
    ],
)

COMMANDS = [BUILD]
