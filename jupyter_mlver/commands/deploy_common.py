"""What the ``deploy`` commands share: the engine, the local options, the deployment argument."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .context import Context
from .spec import arg

if TYPE_CHECKING:
    from ..core.deploy.local import LocalOptions
    from ..core.engine.protocol import Engine


def connect_engine() -> Engine:
    from ..core.engine.docker import DockerEngine
    from ..core.errors import EngineUnavailable

    try:
        return DockerEngine.connect()
    except EngineUnavailable as e:
        raise EngineUnavailable(
            e.message,
            "start one (`sudo systemctl start docker`, Docker Desktop or colima) and export "
            "DOCKER_HOST; `deploy REF --target kserve` needs none",
        ) from None


def local_options(ctx: Context, args: argparse.Namespace) -> LocalOptions:
    from ..core.deploy.local import LocalOptions

    image = getattr(args, "proxy_image", None) or ctx.settings.proxy_image
    return LocalOptions(proxy_image=image, image_prefix=ctx.settings.image_prefix)


D = arg("deployment", metavar="D", help="the deployment's name")
