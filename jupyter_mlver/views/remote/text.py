"""Text views of remotes and of push and pull."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import (
    human_bytes,
)
from ..models.text import renumbering

if TYPE_CHECKING:
    from ...core.remote import Remote, TransferResult
    from ...core.remote.config import RemoteList


def remote_added(r: Remote) -> str:
    return f"added remote {r.name}: {r.url}"


def remote_removed(r: Remote) -> str:
    return f"removed remote {r.name} ({r.url}); nothing on it was deleted"


def remotes(listing: RemoteList) -> str:
    if not listing.remotes:
        return "no remotes (add one with `jupyter mlver remote add NAME URL`)"
    lines = []
    for r in listing.remotes:
        options = " ".join(f"{k}={v}" for k, v in sorted(r.options.items()))
        mark = "*" if r.name == listing.default else " "
        lines.append(f"{mark} {r.name}\t{r.url}" + (f"  {options}" if options else ""))
    return "\n".join(lines)


def transfer_summary(r: TransferResult) -> str:
    verb = "uploaded" if r.direction == "push" else "downloaded"
    where = "there" if r.direction == "push" else "here"
    what = "published" if r.direction == "push" else "indexed"
    head = f"{r.direction} {r.remote} ({r.url}): {r.records} record(s)"
    if r.moved == 0 and r.published == 0 and r.ok:
        if r.checked_ago is not None:
            return (
                f"{head}: up to date (as this store pushed them; the remote was checked "
                f"{r.checked_ago:.0f}s ago, --verify asks it now)"
            )
        return f"{head}: up to date"
    skipped = f", {r.data_skipped} data cop(ies) left out" if r.data_skipped else ""
    return (
        f"{head}; {r.moved} object(s) {verb} ({human_bytes(r.moved_bytes)}), "
        f"{r.present} already {where}{skipped}; {r.published} record(s) {what}"
        f" in {r.seconds:.1f}s"
    )


def transfer(r: TransferResult) -> str:
    """The summary, then warnings and the problems after the first (which is the error
    line the front door shows)."""
    lines = [transfer_summary(r)]
    lines += [renumbering(n) for n in r.renumbered]
    lines += [f"warning: {w}" for w in r.warnings]
    lines += [f"problem: {p}" for p in r.problems[1:]]
    return "\n".join(lines)
