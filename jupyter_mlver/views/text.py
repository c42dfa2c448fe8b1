"""Text views of records and of what the store, remote and image commands return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .format import (
    data_path,
    file_count,
    format_assignments,
    format_value,
    human_bytes,
    key_values,
    short_time,
    table,
)

if TYPE_CHECKING:
    from ..core.images import BuildResult, EnvironmentView, VerifyResult
    from ..core.records import Record
    from ..core.remote import Remote, TransferResult
    from ..core.remote.config import RemoteList
    from ..core.snapshot.pending import Logged, NextSnapshot, Restored
    from ..core.snapshot.read import SnapshotDetail, SnapshotPage
    from ..core.store.maintenance import Checked, Collected
    from ..core.store.migrate import MigrateReport

#: Data files a text view lists before "… and N more".
DATA_SHOWN = 20


# -- records -----------------------------------------------------------------------------


def environment_summary(env: Record) -> str:
    plat = env["platform"]
    gpus = env["hardware"].get("gpus") or []
    gpu = f" · {len(gpus)} GPU ({gpus[0]['name']})" if gpus else ""
    return (
        f"Python {env['python']['version']} · {len(env['packages'])} packages · "
        f"{plat['system']} {plat['machine']}{gpu} · fingerprint {env['fingerprint'][:12]}"
    )


def git_summary(git: dict[str, Any] | None) -> str:
    if not git:
        return "not a git repository"
    where = f"{git.get('branch') or '(detached)'} @ {(git.get('commit') or 'no commit')[:12]}"
    dirty = " (dirty)" if git.get("dirty") else ""
    untracked = f", {len(git['untracked'])} untracked" if git.get("untracked") else ""
    return where + dirty + untracked


def author(record: Record) -> str:
    who = record.get("author") or {}
    return str(who.get("name", "?")) + (f" <{who['email']}>" if who.get("email") else "")


def _snapshot_lines(d: SnapshotDetail) -> list[tuple[str, str]]:
    record = d.record
    lines: list[tuple[str, str]] = [
        ("snapshot", record["id"]),
        ("created", short_time(record["created"]) + " UTC"),
        ("message", record["message"] or "-"),
    ]
    if d.tags:
        lines.append(("tags", ", ".join(d.tags)))
    lines.append(("author", author(record)))
    nb = record.get("notebook")
    if nb:
        kernel = nb["kernel"].get("name", "?")
        lines.append(("notebook", f"{nb['path'] or '(unsaved)'} ({nb['source']}, {kernel})"))
    lines.append(("parent", (record.get("parent") or "-")[:12]))
    lines.append(("params", format_assignments(record["params"])))
    lines.append(("metrics", format_assignments(record["metrics"])))
    data = record["data"]
    size = human_bytes(sum(e["size"] for e in data))
    lines.append(("data", f"{file_count(data)} file(s), {size}"))
    for e in data[:DATA_SHOWN]:
        kept = "" if e["stored"] else " (hash only)"
        lines.append(
            ("", f"{e['role']:<7} {data_path(e)}  {human_bytes(e['size'])}  {e['hash'][:12]}{kept}")
        )
    if len(data) > DATA_SHOWN:
        lines.append(("", f"… and {len(data) - DATA_SHOWN} more (--json shows all)"))
    if any(e.get("kind") == "tree" for e in data):
        lines.append(("", "(--files lists the files of each directory)"))
    if d.environment is not None:
        lines.append(("environment", environment_summary(d.environment)))
    else:
        lines.append(("environment", record["environment"][:12] + " (missing)"))
    lines.append(("git", git_summary(record.get("git"))))
    for image in d.images:
        lines.append(("image", ", ".join(image["tags"][:2]) or image["image_id"][7:19]))
    pushed = [
        r["name"] + ("" if r["data"] else " (without data)") for r in d.remotes if r["pushed"]
    ]
    if pushed:
        lines.append(("pushed", ", ".join(pushed)))
    for w in (record.get("execution") or {}).get("warnings") or []:
        lines.append(("warning", w.get("message", str(w))))
    return lines


def _environment_lines(record: Record) -> list[tuple[str, str]]:
    lines = [
        ("environment", record["id"]),
        ("summary", environment_summary(record)),
        ("cpu", f"{record['hardware']['cpu']} ({record['hardware']['cores']} cores)"),
    ]
    for p in record["packages"]:
        origin = f" ({p['source']})" if p["source"] != "index" else ""
        lines.append(("", f"{p['name']}=={p['version']}{origin}"))
    return lines


def detail(d: SnapshotDetail) -> str:
    """A snapshot with its environment, images and tags; any other record field by field."""
    schema = d.record.get("schema", "")
    if d.is_snapshot:
        lines = _snapshot_lines(d)
    elif schema == "mlver.environment/1":
        lines = _environment_lines(d.record)
    else:
        lines = [(k, format_value(v)) for k, v in sorted(d.record.items())]
    return key_values(lines)


def page(p: SnapshotPage) -> str:
    if not p.rows:
        return "no snapshots"
    rows = [["ID", "CREATED (UTC)", "NOTEBOOK", "MESSAGE", "TAGS", "PARAMS", "METRICS"]]
    for row in p.rows:
        s = row.summary
        message = s["message"] if len(s["message"]) <= 40 else s["message"][:39] + "…"
        rows.append(
            [
                row.id[:12],
                short_time(row.created),
                row.notebook or "-",
                message or "-",
                ",".join(row.tags) or "-",
                format_assignments(s["params"]),
                format_assignments(s["metrics"]),
            ]
        )
    more = f"\n({len(p.rows)} of {p.total} shown; -n 0 shows all)" if p.total > len(p.rows) else ""
    return "\n".join(table(rows)) + more


def tagged(tag: Record) -> str:
    return f"tagged {tag['snapshot'][:12]} as {tag['name']}"


# -- store maintenance -------------------------------------------------------------------


def fsck(c: Checked) -> str:
    report, repaired = c.report, c.repaired
    lines = []
    if repaired is not None:
        lines += [
            f"repaired: {path} (object {oid[:12]}) copied again from the working tree"
            for path, oid in repaired.restored.items()
        ]
        lines += [f"not repaired: {line}" for line in repaired.unrepaired]
    lines += [f"error: {line}" for line in report.problems]
    lines += [f"warning: {line}" for line in report.warnings]
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    lines.append(f"checked {report.objects} objects, {report.records} records: {verdict}")
    if not report.ok and repaired is None:
        lines.append(
            "hint: `jupyter mlver fsck --repair` copies missing data files again from the "
            "working tree where they are unchanged"
        )
    return "\n".join(lines)


def reindexed(count: int) -> str:
    return f"reindexed {count} records"


def migrated(r: MigrateReport) -> str:
    moved = (
        f"; {r.packed} small data copies ({human_bytes(r.packed_bytes)}) moved into packs"
        if r.packed
        else ""
    )
    if r.format_before == r.format:
        return f"the store is already format {r.format}{moved or '; nothing to do'}"
    return f"upgraded the store from format {r.format_before} to {r.format}{moved}"


def collected(c: Collected) -> str:
    r = c.report
    verb = "would remove" if c.dry_run else "removed"
    return (
        f"{verb} {r.objects} unreferenced objects ({r.bytes:,} bytes) and "
        f"{r.tmp_files} temporary files; {r.kept} objects kept"
    )


# -- the kernel's pending work ---------------------------------------------------------


def logged(r: Logged) -> str:
    return "\n".join(
        [
            f"logged {r.metrics} metric(s) and {r.params} param(s) for the next snapshot",
            f"params   {format_assignments(r.pending_params)}",
            f"metrics  {format_assignments(r.pending_metrics)}",
        ]
    )


def status_rows(s: NextSnapshot) -> list[tuple[str, str]]:
    reads = [(f.path, f.size) for f in s.files if f.role == "input"]
    writes = [(f.path, f.size) for f in s.files if f.role == "output"]
    return [
        ("store", s.store_dir),
        ("notebook", f"{s.notebook or '(rebuilt from history)'} ({s.source})"),
        ("params", format_assignments(s.params)),
        ("metrics", format_assignments(s.metrics)),
        ("read", ", ".join(f"{p} ({human_bytes(n)})" for p, n in reads) or "-"),
        ("written", ", ".join(f"{p} ({human_bytes(n)})" for p, n in writes) or "-"),
    ]


def status(s: NextSnapshot) -> str:
    lines = [f"{k:<9} {v}" for k, v in status_rows(s)]
    lines += [f"warning   {w['message']}" for w in s.warnings]
    return "next snapshot would record:\n" + "\n".join(lines)


def restored(r: Restored) -> str:
    return f"restored {', '.join(r.names)} from {r.snapshot[:12]}"


# -- remotes -----------------------------------------------------------------------------


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
    lines += [f"warning: {w}" for w in r.warnings]
    lines += [f"problem: {p}" for p in r.problems[1:]]
    return "\n".join(lines)


# -- environment images ------------------------------------------------------------------


def build(r: BuildResult) -> str:
    lines: list[str] = []
    source = f"snapshot {r.snapshot[:12]}" if r.snapshot else "the current environment"
    if r.dry_run or r.record is None:
        lines.append(f"wrote the build context of {source} to {r.context_dir}")
        lines.append(f"  build it with:  docker build {r.context_dir}")
        lines.append(f"  tags it would get: {', '.join(r.tags)}")
    else:
        verb = "reused" if r.reused else "built"
        lines.append(
            f"{verb} {r.image} ({r.record['image_id'][7:19]}) from {source} in {r.seconds:.1f} s"
        )
        lines.append(f"  tags:  {', '.join(r.tags)}")
        lines += [f"  pushed:  {digest}" for digest in r.record["repo_digests"]]
        lines.append(f"  image record:  {r.record['id'][:12]}")
    lines.append(f"  environment {r.environment[:12]}: {r.packages} packages")
    if r.unreproducible:
        lines.append(f"  not reproduced exactly ({len(r.unreproducible)}):")
        lines += [f"    - {u['name']}: {u['reason']}" for u in r.unreproducible]
    lines += [f"  note: {n}" for n in r.notes]
    return "\n".join(lines)


def dockerfile(r: BuildResult) -> str:
    return r.dockerfile


def context_note(r: BuildResult) -> str:
    return f"build context: {r.context_dir}"


def verify(r: VerifyResult) -> str:
    head = f"{r.image} ({r.image_id[7:19]}) against environment {r.environment[:12]}"
    lines = [head, f"  {r.summary()}"]
    lines += [f"    {d}" for d in r.differences()]
    return "\n".join(lines)


def environment(v: EnvironmentView) -> str:
    env = v.environment
    src = f"snapshot {v.snapshot[:12]}" if v.snapshot else "the current kernel"
    plat = env.get("platform") or {}
    python = env["python"]
    where = f"{plat.get('system', '?')} {plat.get('machine', '?')}"
    if plat.get("libc"):
        where += f", {plat['libc']}"
    ident = f" ({env['id'][:12]})" if env.get("id") else ""
    lines = [
        f"environment of {src}{ident}, fingerprint {env['fingerprint'][:12]}",
        f"  python {python['version']} ({python.get('implementation', '')}) on {where}",
        f"  {len(env['packages'])} packages:",
    ]
    width = max((len(p["name"]) for p in env["packages"]), default=0)
    for p in env["packages"]:
        extra = ""
        if p["source"] != "index":
            url = f", {p['url']}" if p.get("url") else ""
            extra = f"  ({p['source']}{url})"
        lines.append(f"    {p['name']:<{width}}  {p['version']}{extra}")
    if env.get("conda"):
        conda = env["conda"]
        lines.append(f"  conda: {conda.get('name')} ({len(conda.get('explicit') or [])} packages)")
    if v.images:
        lines.append("  images:")
        for img in v.images:
            tags = ", ".join(img.get("tags") or []) or img["image_id"][7:19]
            reused = "  (reused)" if img.get("reused") else ""
            lines.append(f"    {img['created']}  {tags}{reused}")
    return "\n".join(lines)
