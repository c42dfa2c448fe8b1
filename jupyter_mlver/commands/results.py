"""Results of the commands whose core call returns less than a view needs (the rest return
the core's own result types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.governance import Governance
    from ..core.records import Record
    from ..core.remote import Remote
    from ..core.store.maintenance import FsckReport, GcReport, RepairReport


@dataclass
class Collected:
    """What ``gc`` removed, or would remove with ``--dry-run``."""

    report: GcReport
    dry_run: bool


@dataclass
class Checked:
    """What ``fsck`` found (after ``--repair``, what is left) and what the repair did."""

    report: FsckReport
    repaired: RepairReport | None  # None: no --repair

    def to_json(self) -> dict[str, Any]:
        r = self.report
        out = {
            "ok": r.ok,
            "objects": r.objects,
            "records": r.records,
            "problems": r.problems,
            "warnings": r.warnings,
        }
        if self.repaired is not None:
            out["repaired"] = self.repaired.restored
            out["unrepaired"] = self.repaired.unrepaired
        return out


@dataclass
class Health:
    """The governance table, and whether the command fails when a model needs action."""

    table: Governance
    check: bool

    def to_json(self) -> dict[str, Any]:
        return self.table.to_json()


@dataclass
class RemoteList:
    remotes: list[Remote]
    default: str | None  # the remote push and pull use when none is named


@dataclass
class Logged:
    """What ``%mlver log`` added, and everything now pending for the next snapshot."""

    metrics: int
    params: int
    pending_params: dict[str, Any]
    pending_metrics: dict[str, Any]


@dataclass(frozen=True)
class PendingFile:
    path: str  # relative to the store root
    role: str  # "input" | "output"
    size: int


@dataclass
class NextSnapshot:
    """What ``%mlver snapshot`` would record now."""

    store_dir: str
    notebook: str | None
    source: str | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    files: list[PendingFile] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Restored:
    snapshot: str
    names: list[str]


@dataclass
class ModelVersion:
    """A model version as shown: its record, the aliases it holds, the snapshot it came
    from (None when this store does not have it) and its serving images, newest first."""

    record: Record
    aliases: list[str]
    snapshot: Record | None = None
    images: list[Record] = field(default_factory=list)


@dataclass
class AliasMove:
    """An alias event; ``moved`` is False when the alias already pointed there."""

    event: Record
    moved: bool = True
