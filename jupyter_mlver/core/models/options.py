"""How a new model version is registered: one options object, checked when it is made, so a
mistake is reported before a store is opened, an artifact copied or a snapshot taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import aliases as al
from .flavors import check_flavor
from .records import Gate
from .refs import check_alias, check_name
from .signature import Signature


@dataclass(frozen=True)
class RegistrationOptions:
    """``name``: the model; ``aliases`` to move to the new version (``production``
    guarded unless ``force`` with a ``reason``); ``gate``: the guarding metric (default: the
    model's last one); ``flavor`` to save or load the artifact as (default: detected);
    ``signature``: the inputs (and outputs) it takes, e.g. from an example."""

    name: str
    aliases: Sequence[str] = field(default_factory=tuple)
    gate: Gate | None = None
    description: str = ""
    flavor: str | None = None
    signature: Signature | None = None
    force: bool = False
    reason: str | None = None

    def __post_init__(self) -> None:
        check_name(self.name)
        object.__setattr__(
            self, "aliases", tuple(dict.fromkeys(check_alias(a) for a in self.aliases))
        )
        if self.flavor is not None:
            check_flavor(self.flavor)
        al.check_force(self.force, self.reason)
