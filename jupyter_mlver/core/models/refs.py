"""Model names and refs: ``NAME`` (latest version), ``NAME:VERSION``, ``NAME@ALIAS``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInput

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_NAME = 128
_REF = re.compile(r"^(?P<name>[^:@]+)(?::(?P<version>[^:@]*)|@(?P<alias>[^:@]*))?$")
_NAME_HINT = "use lower-case letters, digits and . _ - (starting with a letter or digit)"


@dataclass(frozen=True)
class ModelRef:
    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}:{self.version}"
        if self.alias is not None:
            return f"{self.name}@{self.alias}"
        return self.name


def check_name(name: str, what: str = "model name") -> str:
    if not NAME.match(name) or len(name) > MAX_NAME:
        raise InvalidInput(f"invalid {what} {name!r}", _NAME_HINT)
    return name


def check_alias(alias: str) -> str:
    return check_name(alias, "alias")


def parse_ref(ref: str) -> ModelRef:
    """``churn``, ``churn:3`` or ``churn@production``; anything else is ``InvalidInput``."""
    text = ref.strip()
    match = _REF.match(text)
    if not match:
        raise InvalidInput(
            f"invalid model ref {ref!r}",
            "use NAME, NAME:VERSION or NAME@ALIAS (e.g. churn@staging)",
        )
    name = check_name(match["name"])
    if match["version"] is not None:
        if not match["version"].isdigit() or int(match["version"]) < 1:
            raise InvalidInput(
                f"invalid version in {ref!r}", "versions are whole numbers from 1 (churn:3)"
            )
        return ModelRef(name, version=int(match["version"]))
    if match["alias"] is not None:
        return ModelRef(name, alias=check_alias(match["alias"]))
    return ModelRef(name)


def looks_like_model_ref(ref: str) -> bool:
    """``NAME:VERSION`` or ``NAME@ALIAS``: a syntax no tag, id or ``HEAD`` can have."""
    return ":" in ref or "@" in ref
