"""The registry core: versions, refs, artifacts, aliases, the guard, rollback, store upkeep."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import jsonschema
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from jupyter_mlver.core.errors import Conflict, InvalidInput, MlverError, RecordNotFound
from jupyter_mlver.core.hashing import hash_file, hash_manifest
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object, prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.records import ModelRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store import maintenance
from jupyter_mlver.core.store.store import Store
from tests.models import workers
from tests.support import store_listing

X, Y = make_classification(n_samples=80, n_features=4, random_state=1)


def _schema(kind: str) -> dict[str, Any]:
    text = (resources.files("jupyter_mlver") / "schemas" / f"{kind}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate(record: Mapping[str, Any], kind: str) -> None:
    jsonschema.validate(record, _schema(kind), cls=jsonschema.Draft202012Validator)


def snap(store: Store, **metrics: Any) -> str:
    return str(take_snapshot(store, SnapshotOptions(metrics=metrics))["id"])


def model_file(project: Path, name: str = "model.joblib", seed: int = 0) -> Path:
    path = project / name
    joblib.dump(LogisticRegression(C=1.0 + seed).fit(X, Y), path)
    return path


def reg(store: Store, name: str, source: Path | object, snapshot: str, **kw: Any) -> ModelRecord:
    prepared = (
        prepare_path(store, source, kw.pop("flavor", None))
        if isinstance(source, Path)
        else prepare_object(source, name="clf")
    )
    try:
        return registry.register(
            store, prepared, RegistrationOptions(name, **kw), snapshot=snapshot
        )
    finally:
        prepared.cleanup()


def test_register_a_file_stores_it_hashed_like_data(store: Store, project: Path) -> None:
    path = model_file(project)
    record = reg(store, "churn", path, snap(store, auc=0.9), description="first")
    validate(record, "model")
    assert record["version"] == 1
    assert record["flavor"] == "sklearn"
    assert record["artifact"] == {
        "hash": hash_file(path),
        "kind": "file",
        "path": "model.joblib",
        "size": path.stat().st_size,
    }
    assert store.objects.path(record["artifact"]["hash"]).read_bytes() == path.read_bytes()
    assert record["author"] == {"name": "Ada Lovelace", "email": "ada@example.org"}
    second = reg(store, "churn", model_file(project, "v2.joblib", 1), snap(store, auc=0.95))
    assert second["version"] == 2
    assert registry.resolve(store, "churn")["id"] == second["id"]
    assert registry.resolve(store, "churn:1")["id"] == record["id"]
    loaded: Any = registry.load(store, "churn:1")
    np.testing.assert_array_equal(loaded.predict(X), joblib.load(path).predict(X))


def test_register_a_directory_keeps_every_file(store: Store, project: Path) -> None:
    folder = project / "bert"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "config.json").write_text('{"layers": 2}')
    (folder / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    record = reg(store, "bert", folder, snap(store))
    validate(record, "model")
    artifact = record["artifact"]
    assert artifact["kind"] == "dir"
    assert record["flavor"] == "file"
    assert [f["path"] for f in artifact["files"]] == ["config.json", "tokenizer/vocab.txt"]
    assert artifact["hash"] == hash_manifest([(f["path"], f["hash"]) for f in artifact["files"]])
    assert store.objects.exists(artifact["hash"])  # the manifest itself is an object
    out = registry.export(store, "bert:1", project / "exported")
    assert out["id"] == record["id"]
    assert (project / "exported" / "artifact" / "tokenizer" / "vocab.txt").read_text() == "a\nb\n"
    assert json.loads((project / "exported" / "model.json").read_text())["name"] == "bert"


def test_register_an_object_saved_in_its_flavor(store: Store, project: Path) -> None:
    model = LogisticRegression().fit(X, Y)
    record = reg(store, "churn", model, snap(store))
    validate(record, "model")
    assert record["artifact"]["kind"] == "object"
    assert record["artifact"]["path"] == "clf"
    assert {f["path"] for f in record["artifact"]["files"]} == {"MLmodel.json", "model.joblib"}
    assert record["signature"] is not None
    assert record["signature"]["format"] == "ndarray"
    assert len(record["signature"]["inputs"]) == 4
    loaded: Any = registry.load(store, "churn")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    ("ref", "error", "text"),
    [
        ("nope", RecordNotFound, "no model named 'nope'"),
        ("churn:7", RecordNotFound, "model churn has no version 7 (its versions: 1)"),
        ("churn@staging", RecordNotFound, "model churn has no alias 'staging'"),
        ("Churn", InvalidInput, "invalid model name 'Churn'"),
        ("churn:x", InvalidInput, "invalid version"),
        ("churn:0", InvalidInput, "invalid version"),
        ("a:b@c", InvalidInput, "invalid model ref"),
    ],
)
def test_unknown_refs_are_one_line(
    store: Store, project: Path, ref: str, error: type[MlverError], text: str
) -> None:
    reg(store, "churn", model_file(project), snap(store))
    with pytest.raises(error) as err:
        registry.resolve(store, ref)
    assert text in str(err.value)
    assert "\n" not in str(err.value)


def _production(store: Store, project: Path) -> tuple[ModelRecord, ModelRecord]:
    good = reg(
        store,
        "churn",
        model_file(project),
        snap(store, auc=0.91),
        gate=Gate("auc"),
        aliases=["production"],
    )
    worse = reg(store, "churn", model_file(project, seed=2), snap(store, auc=[0.7, 0.87]))
    return good, worse


def test_the_guard_refuses_a_worse_version_naming_both_metrics(store: Store, project: Path) -> None:
    _, worse = _production(store, project)
    before = store_listing(store.dir)
    with pytest.raises(Conflict) as err:
        registry.move_alias(store, "churn:2", "production")
    message = str(err.value)
    assert "churn:2 has auc=0.87, worse than auc=0.91 of churn:1" in message
    assert "--force --reason" in message
    with pytest.raises(InvalidInput, match="--force needs --reason"):
        registry.move_alias(store, "churn:2", "production", force=True)
    assert store_listing(store.dir) == before
    # other aliases are not guarded
    staging = registry.move_alias(store, "churn:2", "staging")
    assert staging["forced"] is False
    forced = registry.move_alias(
        store, "churn:2", "production", force=True, reason="hotfix for the EU rollout"
    )
    validate(forced, "alias")
    assert (forced["version"], forced["previous"], forced["forced"]) == (2, 1, True)
    assert forced["reason"] == "hotfix for the EU rollout"
    assert forced["model_record"] == worse["id"]
    assert registry.resolve(store, "churn@production")["version"] == 2


def test_the_guard_with_lower_is_better_and_missing_metrics(store: Store, project: Path) -> None:
    reg(
        store,
        "reg",
        model_file(project),
        snap(store, rmse=3.0),
        gate=Gate("rmse", higher_is_better=False),
        aliases=["production"],
    )
    reg(store, "reg", model_file(project, seed=1), snap(store, rmse=2.5))
    reg(store, "reg", model_file(project, seed=2), snap(store, loss=1.0))
    assert registry.move_alias(store, "reg:2", "production")["version"] == 2  # lower: better
    with pytest.raises(Conflict, match=r"reg:3 has no rmse in its snapshot.*rmse=2\.5"):
        registry.move_alias(store, "reg:3", "production")


def test_register_with_a_refused_alias_writes_nothing(store: Store, project: Path) -> None:
    _production(store, project)
    path = model_file(project, "new.joblib", seed=5)
    sid = snap(store, auc=0.5)
    before = store_listing(store.dir)
    with pytest.raises(Conflict, match=r"churn:3 has auc=0\.5, worse than auc=0\.91"):
        reg(store, "churn", path, sid, aliases=["production"])
    assert store_listing(store.dir) == before


def test_rollback_undoes_moves_in_order(store: Store, project: Path) -> None:
    for seed, auc in enumerate((0.8, 0.85, 0.9)):
        path = model_file(project, seed=seed)
        reg(store, "churn", path, snap(store, auc=auc), gate=Gate("auc"))
    for version in (1, 2, 3):
        registry.move_alias(store, f"churn:{version}", "production")
    assert registry.rollback(store, "churn@production")["version"] == 2
    event = registry.rollback(store, "churn@production", reason="bad latency")
    assert (event["version"], event["previous"], event["rollback"]) == (1, 2, True)
    assert event["reason"] == "bad latency"
    before = store_listing(store.dir)
    with pytest.raises(InvalidInput, match="churn@production has no earlier version"):
        registry.rollback(store, "churn@production")
    with pytest.raises(RecordNotFound, match="has no alias 'staging'"):
        registry.rollback(store, "churn@staging")
    with pytest.raises(InvalidInput, match="rollback needs NAME@ALIAS"):
        registry.rollback(store, "churn:2")
    assert store_listing(store.dir) == before
    history = registry.history(store, "churn")
    assert [(e["version"], e["previous"], e["rollback"]) for e in history] == [
        (1, None, False),
        (2, 1, False),
        (3, 2, False),
        (2, 3, True),
        (1, 2, True),
    ]
    assert [e["created"] for e in history] == sorted(e["created"] for e in history)
    assert len({e["created"] for e in history}) == len(history)


def test_missing_paths_and_bad_names_leave_the_store_unchanged(store: Store, project: Path) -> None:
    sid = snap(store)
    before = store_listing(store.dir)
    with pytest.raises(InvalidInput, match=r"model path 'nope\.pkl' does not exist"):
        prepare_path(store, "nope.pkl", None)
    with pytest.raises(InvalidInput, match="invalid model name"):
        reg(store, "Bad Name", model_file(project), sid)
    with pytest.raises(InvalidInput, match="invalid alias"):
        reg(store, "ok", model_file(project), sid, aliases=["Prod!"])
    with pytest.raises(InvalidInput, match="unknown flavour 'onnx'"):
        prepare_path(store, model_file(project), "onnx")
    with pytest.raises(RecordNotFound, match="is not a snapshot"):
        reg(store, "ok", model_file(project), "0" * 64)
    assert store_listing(store.dir) == before


def test_upkeep_reindex_gc_fsck_keep_the_registry(store: Store, project: Path) -> None:
    _production(store, project)
    folder = project / "dir-model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\x00" * 100)
    reg(store, "other", folder, snap(store))
    registry.move_alias(store, "other:1", "staging")
    models_before = registry.list_models(store)
    history_before = registry.history(store, "churn")
    assert maintenance.fsck(store).ok
    assert maintenance.gc(store).objects == 0
    assert maintenance.reindex(store) > 0
    assert registry.list_models(store) == models_before
    assert registry.history(store, "churn") == history_before
    assert models_before == [
        {"name": "churn", "latest": 2, "versions": 2, "aliases": {"production": 1}},
        {"name": "other", "latest": 1, "versions": 1, "aliases": {"staging": 1}},
    ]
    # an artifact object gone is a problem fsck names
    artifact = registry.resolve(store, "other")["artifact"]
    store.objects.remove(artifact["files"][0]["hash"])
    report = maintenance.fsck(store)
    assert any(artifact["files"][0]["hash"] in p for p in report.problems)


def test_eight_processes_moving_one_alias_are_all_recorded_in_order(
    store: Store, project: Path
) -> None:
    for seed in range(8):
        reg(store, "churn", model_file(project, seed=seed), snap(store))
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(8), ctx.Queue()
    procs = [
        ctx.Process(target=workers.move, args=(str(store.dir), v, barrier, out))
        for v in range(1, 9)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    moved = dict(out.get(timeout=5) for _ in range(8))
    events = registry.history(store, "churn", "staging")
    assert len(events) == 8
    assert {e["id"] for e in events} == set(moved)
    assert [e["previous"] for e in events] == [None, *[e["version"] for e in events[:-1]]]
    assert registry.resolve(store, "churn@staging")["version"] == events[-1]["version"]


def test_eight_processes_registering_one_name_get_distinct_versions(
    store: Store, project: Path
) -> None:
    sid = snap(store)
    paths = [model_file(project, f"m{i}.joblib", seed=i) for i in range(8)]
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(8), ctx.Queue()
    procs = [
        ctx.Process(target=workers.register, args=(str(store.dir), str(p), sid, barrier, out))
        for p in paths
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert sorted(out.get(timeout=5) for _ in range(8)) == list(range(1, 9))
    assert [v for v, _ in store.index.model_versions("race")] == list(range(1, 9))
