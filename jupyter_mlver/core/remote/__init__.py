"""Sharing a store: push and pull records and objects to any fsspec URL.

The front doors (CLI, magics, server) call::

    from jupyter_mlver.core import remote
    name, refs = remote.split_target(store, positionals)      # "[NAME] [REF ...]"
    result = remote.push(store, name, refs, data=True, progress=factory)
    result = remote.pull(store, name, refs, data=True, progress=factory)
    result.raise_for_problems()          # a view shows the result (views.text.transfer)

``progress`` is the same tqdm-compatible factory ``take_snapshot`` takes. The remote layout
is described in ``backend.py``; what this store knows a remote holds is in ``ledger.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store.store import Store
from .config import Remote, add_remote, get_remote, list_remotes, parse_options, remove_remote
from .ledger import Ledger
from .pull import pull
from .push import push
from .result import TransferResult

__all__ = [
    "Remote",
    "TransferResult",
    "add_remote",
    "get_remote",
    "is_pushed",
    "list_remotes",
    "parse_options",
    "pull",
    "push",
    "pushed_records",
    "remove_remote",
    "split_target",
]


def split_target(store: Store, positionals: Sequence[str]) -> tuple[str | None, list[str]]:
    """``[NAME] [REF ...]``: the first word is a remote if one has that name, else a ref."""
    words = list(positionals)
    if words and words[0] in {r.name for r in list_remotes(store)}:
        return words[0], words[1:]
    return None, words


def pushed_records(store: Store, name: str | None = None) -> dict[str, bool]:
    """Record id -> whether its data copies went too, for every record this store knows is
    on the remote (pushed from here, or pulled from there). No network: for the panel."""
    remote = get_remote(store, name)
    with Ledger(store.dir) as ledger:
        return ledger.records(remote.ident)


def is_pushed(store: Store, record_id: str, name: str | None = None) -> bool:
    """Whether this store knows the record is complete on the remote (no network)."""
    remote = get_remote(store, name)
    with Ledger(store.dir) as ledger:
        return ledger.has_record(remote.ident, record_id)
