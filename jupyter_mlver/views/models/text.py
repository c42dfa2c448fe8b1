"""Text views of the model registry's results (terminals and ``text/plain``; a notebook
shows them in a card)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...core.records import Record
from ..format import format_assignments, human_bytes, key_values, short_time, table

if TYPE_CHECKING:
    from ...core.models.aliases import AliasMove
    from ...core.models.detail import ModelVersion


def _table(rows: list[list[str]]) -> str:
    return "\n".join(table(rows))


def _aliases(aliases: dict[str, int]) -> str:
    return ", ".join(f"{a}→{v}" for a, v in aliases.items()) or "-"


def _who(author: dict[str, Any] | None) -> str:
    author = author or {}
    return str(author.get("name") or "?")


def _artifact(record: Record) -> str:
    artifact = record["artifact"]
    where = f" {artifact['path']}" if artifact.get("path") else ""
    files = f", {len(artifact['files'])} files" if artifact.get("files") else ""
    return (
        f"{artifact['kind']}{where} ({record['flavor']}, {human_bytes(artifact['size'])}"
        f"{files}) {artifact['hash'][:12]}"
    )


def models(models: Sequence[dict[str, Any]]) -> str:
    if not models:
        return "no models (register one with `model register NAME PATH`)"
    rows = [["NAME", "LATEST", "VERSIONS", "ALIASES"]]
    rows += [
        [m["name"], str(m["latest"]), str(m["versions"]), _aliases(m["aliases"])] for m in models
    ]
    return _table(rows)


def registered(v: ModelVersion) -> str:
    record, held = v.record, v.aliases
    moved = f"; {', '.join(held)} → {record['version']}" if held else ""
    return (
        f"registered {record['name']}:{record['version']} from snapshot "
        f"{record['snapshot'][:12]}: {_artifact(record)}{moved}"
    )


def version(v: ModelVersion) -> str:
    record, held, snapshot = v.record, v.aliases, v.snapshot
    gate = record.get("gate")
    signature = record.get("signature") or {}
    inputs = signature.get("inputs") or []
    columns = ", ".join(f"{c['name']}:{c['dtype'] or '?'}" for c in inputs[:12])
    if len(inputs) > 12:
        columns += f", … ({len(inputs)} columns)"
    lines = [
        ("model", f"{record['name']}:{record['version']}"),
        ("id", record["id"]),
        ("created", short_time(record["created"]) + " UTC"),
        ("author", _who(record.get("author"))),
        ("description", record.get("description") or "-"),
        ("aliases", ", ".join(held) or "-"),
        ("artifact", _artifact(record)),
        ("signature", f"{signature.get('format', '')}: {columns}" if inputs else "-"),
        (
            "gate",
            f"{gate['metric']} ({'higher' if gate['higher_is_better'] else 'lower'} is better)"
            if gate
            else "-",
        ),
        ("snapshot", record["snapshot"]),
    ]
    if snapshot is not None:
        lines += [
            ("  message", snapshot.get("message") or "-"),
            ("  metrics", format_assignments(snapshot.get("metrics") or {})),
            ("  params", format_assignments(snapshot.get("params") or {})),
        ]
    lines += [("images" if i == 0 else "", _image(image)) for i, image in enumerate(v.images)] or [
        ("images", "- (jupyter mlver model build REF makes one)")
    ]
    return key_values(lines)


def _image(image: Record) -> str:
    ref = (image.get("tags") or [image["image_id"]])[0]
    how = "reused" if image.get("reused") else f"built in {image.get('build_seconds', 0):.1f} s"
    return f"{ref} ({image['image_id'][7:19]}, {how}, {short_time(image['created'])} UTC)"


def alias_move(m: AliasMove) -> str:
    event = m.event
    if not m.moved:
        return f"{event['model']}@{event['alias']} is already {event['version']}"
    was = f" (was {event['previous']})" if event.get("previous") else ""
    verb = "rolled back to" if event.get("rollback") else "→"
    forced = f"; guard overridden: {event['reason']}" if event.get("forced") else ""
    return f"{event['model']}@{event['alias']} {verb} {event['version']}{was}{forced}"


def history(events: Sequence[Record]) -> str:
    if not events:
        return "no alias moves yet"
    rows = [["WHEN (UTC)", "ALIAS", "VERSION", "BY", "REASON"]]
    for e in events:
        change = f"{e['previous'] or '-'} → {e['version']}"
        marks = [m for m in ("forced", "rollback") if e.get(m)]
        reason = (e.get("reason") or "-") + (f" [{', '.join(marks)}]" if marks else "")
        rows.append([short_time(e["created"]), e["alias"], change, _who(e.get("author")), reason])
    return _table(rows)
