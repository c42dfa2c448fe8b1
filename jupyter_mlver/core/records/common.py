"""What several record kinds share, and the typing names every record module uses.

The record modules do not use ``from __future__ import annotations``: a TypedDict's
``NotRequired`` fields are known at run time (``__optional_keys__``, which the schema test
reads) only when its annotations are evaluated. On Python 3.10 both names come from
``typing_extensions``, whose TypedDict understands its NotRequired.
"""

import sys
from typing import TypeAlias

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:
    from typing_extensions import NotRequired, TypedDict

__all__ = ["Author", "NotRequired", "Scalar", "TypedDict"]

#: A param's or a metric's value.
Scalar: TypeAlias = str | int | float | bool


class Author(TypedDict):
    """Who made a record: git's ``user.name``/``user.email`` in the work tree, else the OS
    user (``email`` null)."""

    name: str
    email: str | None
