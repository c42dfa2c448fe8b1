"""Plain text from other programs: subprocesses are asked for no colour, and what they
print is parsed with any colour codes stripped.

A kernel sets ``FORCE_COLOR`` (ipykernel), and pip, rich and click then colour their output
even into a pipe, so ``No matching distribution found for X`` arrives with escape codes in
the middle of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

#: Variables that force colour on in one tool or another.
_FORCING = ("FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS", "TERM_COLOR")
#: CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def plain_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) with colour turned off."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _FORCING}
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)
