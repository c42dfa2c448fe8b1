"""``c.Mlver.*``: the settings shared by the magics, the server extension and the CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from traitlets import Bool, Int, List, Unicode, default
from traitlets.config import Config, Configurable

from .core.capture.git import GitLimits


class Mlver(Configurable):
    """jupyter_mlver settings (``c.Mlver.<name>`` in any Jupyter or IPython config file)."""

    store_dir = Unicode(
        None,
        allow_none=True,
        help="Directory of the store (.mlver). Default: $MLVER_STORE, else the nearest .mlver/ "
        "above the notebook, else the git work tree root, else the notebook's directory.",
    ).tag(config=True)

    hash_only = Bool(
        False,
        help="Keep only hashes of data files, not copies in the store.",
    ).tag(config=True)

    env_vars = List(
        Unicode(),
        help="Extra environment variable names to record (secret-looking names are "
        "always dropped).",
    ).tag(config=True)

    diff_max_bytes = Int(
        10 * 1024 * 1024,
        help="Largest uncommitted git diff a snapshot stores.",
    ).tag(config=True)

    untracked_max_files = Int(
        1000,
        help="Most untracked file names a snapshot lists.",
    ).tag(config=True)

    base_image = Unicode(
        "",
        help="Base image for environment and serving images (--base overrides it). Default: "
        "$MLVER_BASE_IMAGE, else one with the snapshot's Python to the patch version: "
        "python:X.Y.Z-slim, else the local mlver-local/python:X.Y.Z-slim "
        "(scripts/ensure-base-image.sh makes one offline).",
    ).tag(config=True)

    image_prefix = Unicode(
        "",
        help="Prefix of image names, e.g. 'registry.example.com/team/'.",
    ).tag(config=True)

    proxy_image = Unicode(
        help="Proxy image of local deployments (`deploy`): HAProxy 2.4 or newer. Default: "
        "$MLVER_PROXY_IMAGE, else haproxy:3.0.",
    ).tag(config=True)

    lineage = Bool(
        True,
        help="Record files the kernel reads and writes as snapshot inputs and outputs.",
    ).tag(config=True)

    @default("store_dir")
    def _default_store_dir(self) -> str | None:
        return os.environ.get("MLVER_STORE") or None

    @default("proxy_image")
    def _default_proxy_image(self) -> str:
        from .core.deploy.runtime import DEFAULT_PROXY_IMAGE

        return os.environ.get("MLVER_PROXY_IMAGE") or DEFAULT_PROXY_IMAGE

    @property
    def git_limits(self) -> GitLimits:
        return GitLimits(
            diff_max_bytes=self.diff_max_bytes, untracked_max_files=self.untracked_max_files
        )


def load_config_files(cwd: Path | None = None) -> Config:
    """``jupyter_mlver_config.{json,py}`` from Jupyter's config path, for the CLI."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import (
        ConfigFileNotFound,
        JSONFileConfigLoader,
        PyFileConfigLoader,
    )

    config = Config()
    paths = [*reversed(jupyter_config_path()), str(cwd or Path.cwd())]
    for directory in paths:
        for loader_cls, name in (
            (JSONFileConfigLoader, "jupyter_mlver_config.json"),
            (PyFileConfigLoader, "jupyter_mlver_config.py"),
        ):
            if not os.path.isfile(os.path.join(directory, name)):
                continue
            loader: Any = loader_cls(name, path=directory)
            try:
                config.merge(loader.load_config())
            except ConfigFileNotFound:
                continue
    return config
