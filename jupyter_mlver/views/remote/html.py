"""HTML views of push and pull for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..markup import (
    message,
)
from . import text

if TYPE_CHECKING:
    from ...core.remote import TransferResult


def transfer(r: TransferResult) -> str:
    return message(text.transfer(r))
