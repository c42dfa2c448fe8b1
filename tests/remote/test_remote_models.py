"""Models travel with push and pull: versions, artifacts, alias events and the snapshots they
came from; ``pull NAME@ALIAS`` fetches that version. Through the real CLI to the S3 server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from jupyter_mlver.core import records
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_object, prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.store.store import Store
from tests.remote.test_remote_transfer import (
    add_remote,
    run,
    run_json,
    snapshot,
    store_object_ids,
)

X, Y = make_classification(n_samples=60, n_features=4, random_state=2)


def _registry(project: Path) -> dict[str, Any]:
    """churn:1 (a file, production), churn:2 (an object, staging, then production forced),
    weights:1 (a directory)."""
    first = snapshot(project, "-m", "first", "--metric", "auc=0.9")
    second = snapshot(project, "-m", "second", "--metric", "auc=0.8")
    path = project / "model.joblib"
    joblib.dump(LogisticRegression().fit(X, Y), path)
    folder = project / "weights"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"\x01" * 1000)
    (folder / "b.bin").write_bytes(b"\x02" * 10)
    obj = LogisticRegression(C=0.1).fit(X, Y)
    with Store.open(project) as store:
        v1 = registry.register(
            store,
            prepare_path(store, path, None),
            RegistrationOptions("churn", gate=Gate("auc"), aliases=["production"]),
            snapshot=first["id"],
        )
        prepared = prepare_object(obj, name="obj")
        v2 = registry.register(
            store,
            prepared,
            RegistrationOptions("churn", aliases=["staging"]),
            snapshot=second["id"],
        )
        prepared.cleanup()
        registry.move_alias(store, "churn:2", "production", force=True, reason="try it")
        registry.register(
            store,
            prepare_path(store, folder, None),
            RegistrationOptions("weights"),
            snapshot=first["id"],
        )
        history = registry.history(store, "churn")
        models = registry.list_models(store)
    return {
        "v1": v1,
        "v2": v2,
        "first": first,
        "second": second,
        "obj": obj,
        "path": path,
        "history": history,
        "models": models,
    }


def test_push_and_pull_carry_models(project: Path, s3_target: Any, make_clone: Any) -> None:
    made = _registry(project)
    add_remote(project, s3_target)
    pushed = run_json(project, "push")
    assert pushed["ok"], pushed
    assert {made["v1"]["id"], made["v2"]["id"]} <= s3_target.markers()
    assert s3_target.corrupt_objects() == []

    # Everything: the same models, versions, history; the objects load and predict the same.
    full = make_clone("full")
    add_remote(full, s3_target)
    assert run_json(full, "pull")["ok"]
    assert store_object_ids(full) == store_object_ids(project)
    assert "ok" in run(full, "fsck").stdout
    with Store.open(full) as store:
        assert registry.list_models(store) == made["models"]
        assert registry.history(store, "churn") == made["history"]
        loaded: Any = registry.load(store, "churn@production")
        np.testing.assert_array_equal(loaded.predict_proba(X), made["obj"].predict_proba(X))
        first: Any = registry.load(store, "churn:1")
        np.testing.assert_array_equal(first.predict(X), joblib.load(made["path"]).predict(X))
        weights = registry.resolve(store, "weights")["artifact"]
        registry.export(store, "weights", full / "out")
        assert (full / "out" / "artifact" / "a.bin").read_bytes() == b"\x01" * 1000
        assert weights["kind"] == "dir"


def test_pull_name_at_alias_fetches_that_version(
    project: Path, s3_target: Any, make_clone: Any
) -> None:
    made = _registry(project)
    add_remote(project, s3_target)
    run(project, "push")
    other = make_clone("other")
    add_remote(other, s3_target)
    out = run_json(other, "pull", "origin", "churn@production")
    assert out["ok"], out
    with Store.open(other) as store:
        version = registry.resolve(store, "churn@production")
        assert version["id"] == made["v2"]["id"]
        assert [v for v, _ in store.index.model_versions("churn")] == [2]  # not version 1
        snap = store.get(version["snapshot"])
        assert snap["id"] == made["second"]["id"]
        event = store.index.alias_events("churn", "production")
        assert len(event) == 1
        assert event[0].version == 2
        loaded: Any = registry.load(store, "churn@production")
        np.testing.assert_array_equal(loaded.predict(X), made["obj"].predict(X))
    expected = {made["v2"]["id"], *records.references(made["v2"])}
    assert expected <= store_object_ids(other)
    assert made["v1"]["artifact"]["hash"] not in store_object_ids(other)
    assert "ok" in run(other, "fsck").stdout
    # By version, and by name (every version and event); unknown refs are one line.
    run(other, "pull", "origin", "churn:1")
    with Store.open(other) as store:
        assert [v for v, _ in store.index.model_versions("churn")] == [1, 2]
    run(other, "pull", "origin", "weights")
    with Store.open(other) as store:
        assert registry.list_models(store)[1]["name"] == "weights"
    for ref, text in (
        ("churn@canary", "has no alias 'canary'"),
        ("churn:7", "has no version 7"),
        ("nomodel", "has no"),
    ):
        failed = run(other, "pull", "origin", ref, check=False)
        assert failed.returncode == 1
        assert text in failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1


def test_push_of_one_version(project: Path, s3_target: Any, make_clone: Any) -> None:
    made = _registry(project)
    add_remote(project, s3_target)
    run(project, "push", "origin", "churn:1")
    markers = s3_target.markers()
    assert made["v1"]["id"] in markers
    assert made["first"]["id"] in markers
    assert made["v2"]["id"] not in markers
    run(project, "push", "origin", "churn@production")  # the last event and version 2
    assert made["v2"]["id"] in s3_target.markers()
