"""What every ``jupyter mlver`` command shares: settings, the store, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.store import Store

if TYPE_CHECKING:
    from ..config import Mlver

Handler = Callable[[argparse.Namespace], int]


def load_settings() -> Mlver:
    """``c.Mlver`` from ``jupyter_mlver_config.{py,json}`` on Jupyter's config path."""
    from ..config import Mlver, load_config_files

    return Mlver(config=load_config_files())


def open_store(
    args: argparse.Namespace, create: bool = False, settings: Mlver | None = None
) -> Store:
    """The store ``--store`` names, else the one the settings or the current directory find."""
    settings = settings if settings is not None else load_settings()
    return Store.open(Path.cwd(), explicit=args.store or settings.store_dir, create=create)


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
