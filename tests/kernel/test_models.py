"""%mlver model … and jupyter_mlver.register_model through a real kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import make_classification

from jupyter_mlver.core.models import registry
from jupyter_mlver.core.store.store import Store
from tests.kernel.conftest import write_notebook
from tests.support import store_listing

TRAIN = """\
import joblib, numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
X, y = make_classification(n_samples=100, n_features=4, random_state=0)
X = pd.DataFrame(X, columns=["a", "b", "c", "d"])
clf = LogisticRegression().fit(X, y)
joblib.dump(clf, "clf.joblib")
predicted = clf.predict_proba(X).tolist()
"""


def _store(project: Path) -> Store:
    return Store.open(project)


def test_register_an_object_and_a_file_from_a_kernel(project: Path, start_kernel: Any) -> None:
    path = project / "train.ipynb"
    write_notebook(path, ["%load_ext jupyter_mlver", TRAIN])
    k = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver")
    k.ok(TRAIN)
    k.ok("%mlver log auc=0.9")
    # The kernel ran cells and logged a metric since any snapshot: a new one is taken.
    out = k.ok("%mlver model register churn clf --gate auc --alias production --example X")
    assert "registered churn:1" in out["results"][0]["text/plain"]
    with _store(project) as store:
        v1 = registry.resolve(store, "churn@production")
        snap = store.get(v1["snapshot"])
        assert snap["metrics"] == {"auc": 0.9}
        assert snap["notebook"]["path"] == "train.ipynb"
        assert v1["artifact"]["kind"] == "object"
        assert v1["artifact"]["path"] == "clf"
        assert v1["flavor"] == "sklearn"
        assert v1["signature"] is not None
        assert v1["signature"]["inputs"] == [
            {"name": n, "dtype": "float64"} for n in ("a", "b", "c", "d")
        ]
        # The outputs: what the model answered on the example's first rows.
        assert v1["signature"]["outputs"] == [
            {"name": "predict", "dtype": "int64", "shape": [-1]},
            {"name": "predict_proba", "dtype": "float64", "shape": [-1, 2]},
        ]
        heads = store.index.snapshots()[1]
    # Nothing ran since: the same HEAD, no new snapshot.
    k.ok('%mlver model register churn clf.joblib -m "the file"')
    with _store(project) as store:
        v2 = registry.resolve(store, "churn:2")
        assert v2["snapshot"] == v1["snapshot"]
        assert store.index.snapshots()[1] == heads
        assert v2["artifact"]["kind"] == "file"
        assert v2["description"] == "the file"
        assert v2["gate"] == {"metric": "auc", "higher_is_better": True}  # the model's gate
    # Both load and predict what the kernel's object predicted.
    predicted = np.array(k.value("predicted"))
    features, _ = make_classification(n_samples=100, n_features=4, random_state=0)
    import pandas as pd

    frame = pd.DataFrame(features, columns=["a", "b", "c", "d"])
    with _store(project) as store:
        for ref in ("churn@production", "churn:2"):
            loaded: Any = registry.load(store, ref)
            np.testing.assert_allclose(loaded.predict_proba(frame), predicted)
    # The API in the kernel: the same object again is the version it was (nothing new); a
    # worse version is refused before any snapshot is taken.
    k.ok("import jupyter_mlver; jupyter_mlver.log(auc=0.5)")
    before = store_listing(project / ".mlver")
    k.ok("same = jupyter_mlver.register_model('churn', clf, aliases=['production'])")
    assert k.value("same['version']") == 1
    assert store_listing(project / ".mlver") == before
    k.ok("weaker = LogisticRegression(C=0.01).fit(X, y)")
    refused = k.run("jupyter_mlver.register_model('churn', weaker, aliases=['production'])")
    assert refused["error"] is not None
    assert "churn:3 has auc=0.5, worse than auc=0.9 of churn:1" in refused["error"]["evalue"]
    assert store_listing(project / ".mlver") == before
    k.ok("loaded = jupyter_mlver.load_model('churn@production')")
    assert k.value("loaded.predict_proba(X).tolist() == predicted") is True


def test_model_magics_and_their_errors(project: Path, start_kernel: Any) -> None:
    path = project / "nb.ipynb"
    write_notebook(path, ["%load_ext jupyter_mlver"])
    k = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver")
    k.ok("import threading; lock = threading.Lock(); weights = {'w': [1, 2]}")
    k.ok("%mlver snapshot -m base --metric acc=0.8")
    k.ok("%mlver model register demo weights --alias staging")
    listed = k.ok("%mlver model list")["results"][0]["text/plain"]
    assert "demo" in listed
    assert "staging→1" in listed
    shown = k.ok("%mlver model show demo@staging")["results"][0]["text/plain"]
    assert "demo:1 (local)" in shown
    versions = k.ok("%mlver model versions demo")["results"][0]["text/plain"]
    assert "local" in versions
    assert "staging" in versions
    assert "cloudpickle" in shown
    before = store_listing(project / ".mlver")
    for line, text in (
        ("%mlver model register demo lock", "lock (lock)"),
        ("%mlver model register demo nothing_here", "no variable or path named 'nothing_here'"),
        ("%mlver model register Demo weights", "invalid model name 'Demo'"),
        ("%mlver model show demo:4", "model demo has no version 4"),
        ("%mlver model show demo@prod", "model demo has no alias 'prod'"),
        ("%mlver model rollback demo@staging", "no earlier version"),
        ("%mlver model alias demo:1 production --force", "--force needs --reason"),
    ):
        out = k.run(line)
        said = out["stderr"] + json.dumps(out["error"] or {})
        assert text in said, (line, said)
        assert "Traceback" not in out["stderr"]
    assert store_listing(project / ".mlver") == before
    history = k.ok("%mlver model history demo")["results"][0]["text/plain"]
    assert "staging" in history
    assert "- → 1" in history
