"""HTML views of remotes and of push and pull for notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..format import human_bytes
from ..markup import card, code, e, kv_table, muted, table

if TYPE_CHECKING:
    from ...core.remote import Remote, TransferResult
    from ...core.remote.config import RemoteList


def remote_added(r: Remote) -> str:
    return card(f"added remote {code(r.name)}", code(r.url))


def remote_removed(r: Remote) -> str:
    return card(f"removed remote {code(r.name)}", muted(f"{r.url}: nothing on it was deleted"))


def remotes(listing: RemoteList) -> str:
    if not listing.remotes:
        return card("remotes", muted("none (add one with `remote add NAME URL`)"))
    body = [
        [
            code(r.name) + (" " + muted("default") if r.name == listing.default else ""),
            code(r.url),
            e(" ".join(f"{k}={v}" for k, v in sorted(r.options.items())) or "-"),
        ]
        for r in listing.remotes
    ]
    return card(f"{len(body)} remote(s)", table(["name", "url", "options"], body))


def transfer(r: TransferResult) -> str:
    title = f"{e(r.direction)} {code(r.remote)} {muted(r.url)}"
    rows = [("records", e(r.records))]
    if r.moved == 0 and r.published == 0 and r.ok:
        checked = f" (checked {r.checked_ago:.0f} s ago)" if r.checked_ago is not None else ""
        rows.append(("state", e(f"up to date{checked}")))
    else:
        verb = "uploaded" if r.direction == "push" else "downloaded"
        rows += [
            (verb, e(f"{r.moved} object(s), {human_bytes(r.moved_bytes)}")),
            ("already there" if r.direction == "push" else "already here", e(r.present)),
            ("published" if r.direction == "push" else "indexed", e(r.published)),
            ("seconds", e(f"{r.seconds:.1f}")),
        ]
        if r.data_skipped:
            rows.append(("data left out", e(r.data_skipped)))
    notes = "".join(f'<div class="mlver-warn">{e(w)}</div>' for w in r.warnings)
    notes += "".join(f'<div class="mlver-error">{e(p)}</div>' for p in r.problems)
    return card(title, kv_table(rows) + notes, failed=not r.ok)
