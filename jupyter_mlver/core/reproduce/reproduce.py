"""Re-run a snapshot's notebook in its environment image and compare the metrics.

1. The image: ``--image`` as given, else ``build_image`` for the snapshot (which reuses an
   image already built from the same environment, code and notebook).
2. A container of it, without network, gets the snapshot's data files (from the store)
   and notebook copied in — through the engine's archive API, so a remote engine works
   too — and ``runner.py`` executes the notebook with nbclient.
3. What the notebook logged is read in its own kernel after the last cell: the latest
   snapshot the notebook itself took (into a scratch store, ``MLVER_STORE``, inside the
   container) plus whatever was logged after it. So a notebook that ends with
   ``%mlver snapshot`` and one that was snapshotted from the panel both work, and
   nothing the notebook does can touch the host's store.
4. Recorded and reproduced metrics are compared with a relative (and optional absolute)
   tolerance; the executed notebook is stored and recorded as a new snapshot whose
   parent is the original, with a ``reproduction`` section saying how it went.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ... import _version
from .. import records
from ..capture.git import os_user
from ..errors import InvalidInput
from ..records import (
    NotebookInfo,
    Record,
    ReproducedMetric,
    ReproductionError,
    SnapshotRecord,
)
from ..store.store import Store

if TYPE_CHECKING:
    from ..engine.protocol import Engine
    from .container import Log

T = TypeVar("T")

# Row statuses: the first two reproduce, the next two do not; "new" is informational.
IDENTICAL = "identical"
WITHIN = "within"
DIFFERS = "differs"
MISSING = "missing"
NEW = "new"


@dataclass
class ReproduceOptions:
    image: str | None = None  # run in this image instead of building one
    base: str | None = None  # base image for a build
    base_default: str | None = None  # c.Mlver.base_image
    prefix: str = ""  # c.Mlver.image_prefix
    tolerance: float = 1e-9  # relative
    abs_tolerance: float = 0.0
    timeout: int = 1800  # seconds for the notebook (per cell and in all)
    keep: bool = True  # record the run as a new snapshot


@dataclass
class MetricRow:
    key: str
    recorded: Any
    reproduced: Any
    status: str
    delta: float | None = None  # reproduced - recorded (last values of series)

    @property
    def ok(self) -> bool:
        return self.status in (IDENTICAL, WITHIN, NEW)

    def to_json(self) -> ReproducedMetric:
        return {
            "key": self.key,
            "recorded": self.recorded,
            "reproduced": self.reproduced,
            "status": self.status,
            "within_tolerance": self.ok,
            "delta": self.delta,
        }


@dataclass
class ReproduceResult:
    snapshot: str
    image: str
    image_id: str | None
    image_reused: bool | None  # None: given with --image
    tolerance: float
    abs_tolerance: float
    rows: list[MetricRow] = field(default_factory=list)
    error: ReproductionError | None = None
    notes: list[str] = field(default_factory=list)
    reproduction: str | None = None  # the new snapshot's id
    seconds: float = 0.0

    @property
    def reproduced(self) -> bool:
        return self.error is None and all(r.ok for r in self.rows)

    @property
    def differences(self) -> list[MetricRow]:
        return [r for r in self.rows if not r.ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "reproduced": self.reproduced,
            "image": self.image,
            "image_id": self.image_id,
            "image_reused": self.image_reused,
            "tolerance": self.tolerance,
            "abs_tolerance": self.abs_tolerance,
            "metrics": [r.to_json() for r in self.rows],
            "error": self.error,
            "notes": self.notes,
            "reproduction": self.reproduction,
            "seconds": round(self.seconds, 3),
        }


# -- comparing metrics -------------------------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _close(a: Any, b: Any, rel: float, abs_: float) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
    return type(a) is type(b) and bool(a == b)


def compare_metrics(
    recorded: dict[str, Any], reproduced: dict[str, Any], rel: float = 1e-9, abs_: float = 0.0
) -> list[MetricRow]:
    """One row per metric of either side. A series reproduces when it has the same length
    and every value is within the tolerance."""
    rows = []
    for key in sorted(recorded.keys() | reproduced.keys()):
        if key not in reproduced:
            rows.append(MetricRow(key, recorded[key], None, MISSING))
            continue
        if key not in recorded:
            rows.append(MetricRow(key, None, reproduced[key], NEW))
            continue
        a, b = recorded[key], reproduced[key]
        seq_a = a if isinstance(a, list) else [a]
        seq_b = b if isinstance(b, list) else [b]
        delta = seq_b[-1] - seq_a[-1] if _number(seq_a[-1]) and _number(seq_b[-1]) else None
        if a == b and type(a) is type(b):
            status = IDENTICAL
        elif len(seq_a) == len(seq_b) and all(
            _close(x, y, rel, abs_) for x, y in zip(seq_a, seq_b, strict=True)
        ):
            status = WITHIN
        else:
            status = DIFFERS
        rows.append(MetricRow(key, a, b, status, delta))
    return rows


def run_values(
    original: SnapshotRecord, collected: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The params and metrics of the run that correspond to the original snapshot, and
    which they are.

    A notebook may take several snapshots (a baseline, then a tuned model): the one
    matching the original took the same message (``-m`` text, with its ``{var}``
    expansions) in the same cell (the code of the last execution); among equals, the one
    with the original's params, else the last. Metrics logged after the last snapshot
    count only when that last one is chosen, or when the notebook took none (the original
    was then taken from outside: the panel, ``jupyter_mlver.snapshot``, another cell).
    """
    snaps: list[dict[str, Any]] = collected.get("snapshots") or []
    pending = collected.get("pending") or {}
    if not snaps:
        return pending.get("params") or {}, pending.get("metrics") or {}, "logged in the run"
    execution = original.get("execution")
    cells = (execution.get("cells") if execution else None) or []
    code = cells[-1]["code_hash"] if cells else None
    message = original.get("message", "")
    same_message = [i for i, s in enumerate(snaps) if s.get("message") == message]
    same_cell = [i for i, s in enumerate(snaps) if code and s.get("last_code_hash") == code]
    candidates = ([i for i in same_message if i in same_cell] or same_cell or same_message) or [
        len(snaps) - 1
    ]
    same_params = [i for i in candidates if snaps[i].get("params") == original.get("params")]
    chosen = (same_params or candidates)[-1]
    params = dict(snaps[chosen].get("params") or {})
    metrics = dict(snaps[chosen].get("metrics") or {})
    if chosen == len(snaps) - 1:
        params.update(pending.get("params") or {})
        metrics.update(pending.get("metrics") or {})
    how = f"snapshot {chosen + 1} of {len(snaps)} the notebook took"
    return params, metrics, how


# -- the whole reproduction --------------------------------------------------------------


def _image_for(
    store: Store, record: SnapshotRecord, options: ReproduceOptions, engine: Engine, log: Log
) -> tuple[str, str | None, bool | None, list[str]]:
    if options.image:
        info = engine.image(options.image)
        if info is None:
            info = engine.ensure_image(options.image)
        return options.image, info.id, None, []
    from ..images import BuildOptions, ProgressEvent, build_image

    def progress(event: ProgressEvent) -> None:
        if not event.log and event.phase != "build":
            log(event.message)
        elif event.phase == "build" and event.step and event.total and not event.log:
            log(f"build step {event.step}/{event.total}")

    built = build_image(
        store,
        BuildOptions(ref=record["id"], base=options.base, prefix=options.prefix),
        engine,
        progress=progress,
        base_default=options.base_default,
    )
    assert built.record is not None
    assert built.image is not None
    notes = [f"{u['name']}: {u['reason']}" for u in built.unreproducible]
    return built.image, built.record["image_id"], built.reused, notes


def _record_reproduction(
    store: Store,
    original: SnapshotRecord,
    result: ReproduceResult,
    params: dict[str, Any],
    metrics: dict[str, Any],
    environment: Any,
    executed: bytes | None,
) -> str:
    """The run as a snapshot: parent the original, same code and data, the metrics and
    environment of the run, the executed notebook."""
    env_id = original["environment"]
    with store.writing():
        also: tuple[Record, ...] = ()
        if isinstance(environment, dict) and environment.get("schema") == records.ENVIRONMENT:
            env_id, data = records.encode(environment)
            store.objects.put_bytes(data)
            also = () if store.index.has(env_id) else ({"id": env_id, **environment},)
        assert original["notebook"] is not None  # reproduce() refuses a snapshot without one
        notebook: NotebookInfo = {**original["notebook"]}
        if executed is not None:
            notebook["hash"] = store.objects.put_bytes(executed)
        verdict = (
            "reproduced"
            if result.reproduced
            else f"failed: {result.error['message'][:120]}"
            if result.error
            else f"does not reproduce: {len(result.differences)} metric(s) differ"
        )
        record: SnapshotRecord = {
            "schema": records.SNAPSHOT,
            "parent": original["id"],
            "created": records.now(),
            "author": os_user(),
            "message": f"reproduction of {original['id'][:12]} in {result.image}: {verdict}",
            "tags": [],
            "notebook": notebook,
            "execution": None,
            "namespace": None,
            "state": None,
            "state_skipped": None,
            "params": {**(original.get("params") or {}), **params},
            "metrics": metrics,
            "data": original.get("data") or [],
            "environment": env_id,
            "git": original.get("git"),
            "mlver_version": _version.__version__,
            "reproduction": {
                "of": original["id"],
                "image": result.image,
                "image_id": result.image_id,
                "reproduced": result.reproduced,
                "tolerance": result.tolerance,
                "abs_tolerance": result.abs_tolerance,
                "metrics": [r.to_json() for r in result.rows],
                "error": result.error,
                "notes": result.notes,
            },
        }
        stored = store.put_record(records_safe(record), also_index=also)
    return str(stored["id"])


def records_safe(record: T) -> T:
    """Non-finite numbers cannot be stored (canonical JSON): keep them as strings."""

    def fix(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    return cast(T, fix(record))


def reproduce(
    store: Store,
    snapshot_id: str,
    options: ReproduceOptions,
    log: Log | None = None,
    engine: Engine | None = None,
) -> ReproduceResult:
    """Run the snapshot again in a container and compare what it logs with the record."""
    started = time.monotonic()
    say: Log = log or (lambda _line: None)
    found = store.get(snapshot_id)
    if found.get("schema") != records.SNAPSHOT:
        raise InvalidInput(f"{snapshot_id[:12]} is not a snapshot")
    record = cast(SnapshotRecord, found)  # its schema checked
    notebook = record.get("notebook")
    if not notebook or not notebook.get("hash"):
        raise InvalidInput(
            f"snapshot {snapshot_id[:12]} has no notebook: there is nothing to run",
            "reproduce snapshots taken from a notebook (%mlver snapshot)",
        )
    if not record.get("metrics"):
        say("the snapshot recorded no metrics: only checking that the notebook runs")
    from .container import build_run_archive, run_in_container

    if engine is None:
        from ..engine.docker import DockerEngine

        engine = DockerEngine.connect()
    image, image_id, reused, notes = _image_for(store, record, options, engine, say)
    say(f"running {notebook.get('path') or 'the notebook'} in {image}")
    archive, nb_path = build_run_archive(store, record, options.timeout, notes)
    run = run_in_container(engine, image, archive, nb_path, options.timeout, say)
    collected = run.result.get("collected") or {}
    notes += [f"in the run: {p}" for p in collected.get("problems") or []]
    params, metrics, how = run_values(record, collected)
    if run.result.get("error") is None:
        say(f"metrics from {how}")
    result = ReproduceResult(
        snapshot=snapshot_id,
        image=image,
        image_id=image_id,
        image_reused=reused,
        tolerance=options.tolerance,
        abs_tolerance=options.abs_tolerance,
        error=run.result.get("error"),
        notes=notes,
    )
    if result.error is None:
        result.rows = compare_metrics(
            record.get("metrics") or {},
            metrics,
            options.tolerance,
            options.abs_tolerance,
        )
    else:
        result.rows = [MetricRow(k, v, None, MISSING) for k, v in sorted(record["metrics"].items())]
    if options.keep:
        result.reproduction = _record_reproduction(
            store,
            record,
            result,
            params,
            metrics,
            collected.get("environment"),
            run.executed,
        )
    result.seconds = time.monotonic() - started
    return result
