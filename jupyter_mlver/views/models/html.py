"""HTML views of the model registry's results for notebooks: tables and cards built from
the records, themed with JupyterLab's variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..format import format_assignments, human_bytes, short_time
from ..markup import card, code, e, kv_table, muted, table, tags

if TYPE_CHECKING:
    from ...core.models.aliases import AliasMove
    from ...core.models.detail import ModelVersion
    from ...core.models.versions import ModelHistory, ModelVersions
    from ...core.records import Author, ModelRecord


def _ref(record: ModelRecord) -> str:
    return code(f"{record['name']}:{record['version']}")


def _artifact(record: ModelRecord) -> str:
    artifact = record["artifact"]
    files = f", {len(artifact['files'])} files" if artifact.get("files") else ""
    where = f" {code(artifact['path'])}" if artifact.get("path") else ""
    size = human_bytes(artifact["size"])
    return (
        f"{e(artifact['kind'])}{where} ({e(record['flavor'])}, {e(size)}{e(files)}) "
        f"{muted(artifact['hash'][:12])}"
    )


def models(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return card("models", muted("none yet (register one with `model register NAME PATH`)"))
    body = [
        [
            code(m["name"]),
            e(m["latest"]),
            e(m["versions"]),
            tags([f"{a} → {v}" for a, v in m["aliases"].items()]) or muted("-"),
        ]
        for m in rows
    ]
    head = ["model", "latest", "versions", "aliases"]
    return card(f"{len(rows)} model(s)", table(head, body, numeric={1, 2}))


def registered(v: ModelVersion) -> str:
    record = v.record
    if v.existing:
        held = tags(v.aliases) or muted("no alias")
        return card(
            f"{_ref(record)} already has this artifact",
            f"nothing registered, aliases unchanged: {held}",
        )
    rows = [
        ("snapshot", code(record["snapshot"][:12])),
        ("artifact", _artifact(record)),
        ("aliases", tags(v.aliases) or muted("none")),
    ]
    return card(f"registered {_ref(record)}", kv_table(rows))


def version(v: ModelVersion) -> str:
    record, snapshot = v.record, v.snapshot
    gate = record.get("gate")
    signature = record.get("signature")
    inputs = signature["inputs"] if signature else []
    columns = table(
        ["column", "dtype"],
        [[code(c["name"]), e(c.get("dtype") or "?")] for c in inputs],
    )
    rows = [
        ("id", code(record["id"])),
        ("created", e(short_time(record["created"]) + " UTC")),
        ("author", e(record["author"]["name"] or "?")),
        ("description", e(record.get("description") or "-")),
        ("aliases", tags(v.aliases) or muted("none")),
        ("artifact", _artifact(record)),
        ("signature", columns if inputs else muted("-")),
        (
            "gate",
            e(f"{gate['metric']} ({'higher' if gate['higher_is_better'] else 'lower'} is better)")
            if gate
            else muted("-"),
        ),
        ("snapshot", code(record["snapshot"][:12])),
    ]
    if snapshot is not None:
        rows += [
            ("message", e(snapshot.get("message") or "-")),
            ("metrics", e(format_assignments(snapshot.get("metrics") or {}))),
            ("params", e(format_assignments(snapshot.get("params") or {}))),
        ]
    rows.append(("images", _images(v.images)))
    return card(f"model {_ref(record)}", kv_table(rows))


def _images(images: Sequence[Mapping[str, Any]]) -> str:
    if not images:
        return muted("none (`model build REF` makes one)")
    body = [
        [
            code((image.get("tags") or [image["image_id"]])[0]),
            code(image["image_id"][7:19]),
            e("reused" if image.get("reused") else "built"),
            e(f"{image.get('build_seconds', 0):.1f}"),
            e(short_time(image["created"])),
        ]
        for image in images
    ]
    return table(["image", "id", "", "seconds", "created (UTC)"], body, numeric={3})


def alias_move(m: AliasMove) -> str:
    event = m.event
    ref = code(f"{event['model']}@{event['alias']}")
    if not m.moved:
        return card(f"{ref} is already {e(event['version'])}", muted("nothing moved"))
    verb = "rolled back to" if event.get("rollback") else "→"
    rows = [("was", e(event["previous"] or "-")), ("reason", e(event.get("reason") or "-"))]
    if event.get("forced"):
        rows.append(("guard", '<span class="mlver-error">overridden</span>'))
    return card(f"{ref} {verb} {e(event['version'])}", kv_table(rows))


def _who(author: Author | None) -> str:
    return e((author.get("name") if author else None) or "?")


def history(h: ModelHistory) -> str:
    if not h.events and not h.numbering:
        return card("alias history", muted("no alias moves yet"))
    body = []
    for ev in h.events:
        marks = [m for m in ("forced", "rollback") if ev.get(m)]
        marks += ["not applied"] if ev.get("applied") is False else []
        marks += ["concurrent"] if "conflict" in ev else []
        reason = e(ev.get("reason") or "-") + (f" {tags(marks)}" if marks else "")
        if "conflict" in ev:
            reason += f"<br>{muted(ev['conflict'])}"
        body.append(
            [
                e(short_time(ev["created"])),
                code(ev["alias"]),
                e(ev["previous"] or "-"),
                e(ev["version"]),
                _who(ev.get("author")),
                reason,
            ]
        )
    head = ["when (UTC)", "alias", "from", "to", "by", "reason"]
    out = table(head, body, numeric={2, 3}, wide={5}) if body else muted("no alias moves yet")
    if h.numbering:
        rows = [
            [
                e(short_time(n["created"])),
                e(f"{n['old']} → {n['new']}" if n["old"] != n["new"] else n["new"]),
                e(n["event"]),
                _who(n.get("author")),
                e(n.get("reason") or "-"),
            ]
            for n in h.numbering
        ]
        out += "<h5>numbering</h5>" + table(
            ["when (UTC)", "version", "event", "by", "why"], rows, wide={4}
        )
    return card("alias history", out)


def versions(v: ModelVersions) -> str:
    body = []
    for row in v.versions:
        gate = muted("-")
        if row.gate is not None:
            value = "?" if row.gate_value is None else f"{row.gate_value:g}"
            gate = e(f"{row.gate.metric} = {value}")
        body.append(
            [
                e(row.number),
                e("published") if row.published else tags(["local"]),
                _who(row.author),
                e(short_time(row.created)),
                code(row.snapshot[:12]),
                tags(row.aliases) or muted("-"),
                gate,
            ]
        )
    head = ["version", "state", "author", "created (UTC)", "snapshot", "aliases", "gate"]
    return card(f"{e(v.name)}: {len(v.versions)} version(s)", table(head, body, numeric={0}))
