"""Text views of the model registry's results (terminals and ``text/plain``; a notebook
shows them in a card)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..format import format_assignments, human_bytes, key_values, short_time, table

if TYPE_CHECKING:
    from ...core.models.aliases import AliasMove
    from ...core.models.detail import ModelVersion
    from ...core.models.versions import ModelHistory, ModelVersions
    from ...core.records import Author, ImageRecord, ModelRecord


def _table(rows: list[list[str]]) -> str:
    return "\n".join(table(rows))


def _aliases(aliases: dict[str, int]) -> str:
    return ", ".join(f"{a}→{v}" for a, v in aliases.items()) or "-"


def _who(author: Author | None) -> str:
    return (author.get("name") if author else None) or "?"


def _artifact(record: ModelRecord) -> str:
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


def label(record: ModelRecord) -> str:
    """``churn:3``, or ``churn:3 (local)`` while its number is not claimed on a remote."""
    local = "" if record.get("published", True) else " (local)"
    return f"{record['name']}:{record['version']}{local}"


def registered(v: ModelVersion) -> str:
    record, held = v.record, v.aliases
    if v.existing:
        return (
            f"{record['name']}:{record['version']} already has this artifact: nothing "
            f"registered, aliases unchanged ({', '.join(held) or 'none'})"
        )
    moved = f"; {', '.join(held)} → {record['version']}" if held else ""
    return (
        f"registered {label(record)} from snapshot "
        f"{record['snapshot'][:12]}: {_artifact(record)}{moved}"
    )


def version(v: ModelVersion) -> str:
    record, held, snapshot = v.record, v.aliases, v.snapshot
    gate = record.get("gate")
    signature: Mapping[str, Any] = record.get("signature") or {}
    inputs = signature.get("inputs") or []
    columns = ", ".join(f"{c['name']}:{c['dtype'] or '?'}" for c in inputs[:12])
    if len(inputs) > 12:
        columns += f", … ({len(inputs)} columns)"
    lines = [
        ("model", label(record)),
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


def _image(image: ImageRecord) -> str:
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


def history(h: ModelHistory) -> str:
    if not h.events:
        text = "no alias moves yet"
    else:
        rows = [["WHEN (UTC)", "ALIAS", "VERSION", "BY", "REASON"]]
        for e in h.events:
            change = f"{e['previous'] or '-'} → {e['version']}"
            marks = [m for m in ("forced", "rollback") if e.get(m)]
            marks += ["not applied"] if e.get("applied") is False else []
            reason = (e.get("reason") or "-") + (f" [{', '.join(marks)}]" if marks else "")
            by = _who(e.get("author"))
            rows.append([short_time(e["created"]), e["alias"], change, by, reason])
        text = _table(rows)
        text += "".join(f"\n  {e['id'][:12]}: {e['conflict']}" for e in h.events if "conflict" in e)
    if h.numbering:
        rows = [["WHEN (UTC)", "VERSION", "EVENT", "BY", "WHY"]]
        for n in h.numbering:
            change = f"{n['old']} → {n['new']}" if n["old"] != n["new"] else str(n["new"])
            rows.append(
                [
                    short_time(n["created"]),
                    change,
                    n["event"],
                    _who(n["author"]),
                    n["reason"] or "-",
                ]
            )
        text += "\n\nnumbering:\n" + _table(rows)
    return text


def versions(v: ModelVersions) -> str:
    rows = [["VERSION", "STATE", "AUTHOR", "CREATED (UTC)", "SNAPSHOT", "ALIASES", "GATE"]]
    for row in v.versions:
        gate = "-"
        if row.gate is not None:
            value = "?" if row.gate_value is None else f"{row.gate_value:g}"
            gate = f"{row.gate.metric}={value}"
        rows.append(
            [
                str(row.number),
                "published" if row.published else "local",
                _who(row.author),
                short_time(row.created),
                row.snapshot[:12],
                ", ".join(row.aliases) or "-",
                gate,
            ]
        )
    return f"{v.name}: {len(v.versions)} version(s)\n" + _table(rows)


def renumbering(r: dict[str, Any]) -> str:
    """One line per version whose number changed (``models.numbers.Renumbering``)."""
    name = r["model"]
    return f"{name}:{r['old']} (local) is now {name}:{r['new']}: {r['reason']}"
