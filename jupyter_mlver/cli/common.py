"""What the terminal front door needs besides the declarations: settings and JSON output."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Mlver


def load_settings() -> Mlver:
    """``c.Mlver`` from ``jupyter_mlver_config.{py,json}`` on Jupyter's config path."""
    from ..config import Mlver, load_config_files

    return Mlver(config=load_config_files())


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
