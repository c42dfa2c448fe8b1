"""``jupyter mlver model …`` as a user runs it: subprocesses, --json shapes, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from tests.support import BIN, CLI, store_listing

X, Y = make_classification(n_samples=50, n_features=4, random_state=3)


def _fail(cli: CLI, *args: str) -> str:
    proc = cli(*args, check=False)
    assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def _setup(project: Path, cli: CLI) -> dict[str, Any]:
    joblib.dump(LogisticRegression().fit(X, Y), project / "model.joblib")
    (project / "example.csv").write_text("x0,x1,x2\n0.5,1,a\n1.5,2,b\n")
    cli("snapshot", "-m", "good", "--metric", "auc=0.91")
    v1 = cli.json(
        "model", "register", "churn", "model.joblib", "--gate", "auc", "--alias",
        "production", "-m", "first", "--example", "example.csv",
    )  # fmt: skip
    cli("snapshot", "-m", "worse", "--metric", "auc=0.85")
    joblib.dump(LogisticRegression(C=0.1).fit(X, Y), project / "model.joblib")
    v2 = cli.json("model", "register", "churn", "model.joblib", "--alias", "staging")
    return {"v1": v1, "v2": v2}


def test_register_list_show_json_shapes(project: Path, cli: CLI) -> None:
    made = _setup(project, cli)
    v1, v2 = made["v1"], made["v2"]
    assert v1["id"]
    assert v1["schema"] == "mlver.model/1"
    assert (v1["name"], v1["version"], v2["version"]) == ("churn", 1, 2)
    assert v1["description"] == "first"
    assert v1["signature"] == {
        "format": "dataframe",
        "inputs": [
            {"name": "x0", "dtype": "float64"},
            {"name": "x1", "dtype": "int64"},
            {"name": "x2", "dtype": "object"},
        ],
    }
    assert v2["gate"] == {"metric": "auc", "higher_is_better": True}
    assert cli.json("model", "list") == {
        "models": [
            {
                "name": "churn",
                "latest": 2,
                "versions": 2,
                "aliases": {"production": 1, "staging": 2},
            }
        ]
    }
    assert cli.json("model", "show", "churn@production") == v1
    assert cli.json("model", "show", "churn") == v2
    assert cli.json("model", "show", "churn:1") == v1
    text = cli("model", "show", "churn:1").stdout
    assert "auc=0.91" in text
    assert "production" in text
    assert "x0:float64" in text


def test_versions_lists_local_versions(project: Path, cli: CLI) -> None:
    made = _setup(project, cli)
    assert made["v1"]["published"] is False  # registered here, not pushed: local
    listed = cli.json("model", "versions", "churn")
    assert listed == {
        "name": "churn",
        "versions": [
            {
                "number": 1,
                "version": 1,
                "published": False,
                "record": made["v1"]["id"],
                "author": made["v1"]["author"],
                "created": made["v1"]["created"],
                "snapshot": made["v1"]["snapshot"],
                "aliases": ["production"],
                "gate": {"metric": "auc", "higher_is_better": True, "value": 0.91},
            },
            {
                "number": 2,
                "version": 2,
                "published": False,
                "record": made["v2"]["id"],
                "author": made["v2"]["author"],
                "created": made["v2"]["created"],
                "snapshot": made["v2"]["snapshot"],
                "aliases": ["staging"],
                "gate": {"metric": "auc", "higher_is_better": True, "value": 0.85},
            },
        ],
    }
    table = cli("model", "versions", "churn").stdout
    assert "local" in table
    assert "auc=0.91" in table
    assert "churn:1 (local)" in cli("model", "show", "churn:1").stdout
    assert "no model named 'nope'" in _fail(cli, "model", "versions", "nope")


def test_the_same_artifact_again_returns_its_version(project: Path, cli: CLI) -> None:
    made = _setup(project, cli)
    before = store_listing(project / ".mlver")
    # model.joblib is version 2's; production (version 1's) must not move to it.
    again = cli.json("model", "register", "churn", "model.joblib", "--alias", "production")
    assert again == made["v2"]
    said = cli("model", "register", "churn", "model.joblib").stdout
    assert said.startswith("churn:2 already has this artifact: nothing registered")
    assert store_listing(project / ".mlver") == before
    assert cli.json("model", "list")["models"][0]["aliases"] == {"production": 1, "staging": 2}
    # An alias moved to the version that holds it: nothing happens.
    moved = cli("model", "alias", "churn:1", "production")
    assert moved.stdout.strip() == "churn@production is already 1"
    assert store_listing(project / ".mlver") == before


def test_guard_force_rollback_and_history(project: Path, cli: CLI) -> None:
    _setup(project, cli)
    before = store_listing(project / ".mlver")
    line = _fail(cli, "model", "alias", "churn:2", "production")
    assert "churn:2 has auc=0.85, worse than auc=0.91 of churn:1" in line
    assert "--force --reason" in line
    assert "--force needs --reason" in _fail(
        cli, "model", "alias", "churn:2", "production", "--force"
    )
    assert store_listing(project / ".mlver") == before
    forced = cli.json(
        "model", "alias", "churn:2", "production", "--force", "--reason", "latency fix"
    )
    assert (forced["version"], forced["previous"], forced["forced"]) == (2, 1, True)
    back = cli.json("model", "rollback", "churn@production", "--reason", "auc dropped")
    assert (back["version"], back["previous"], back["rollback"]) == (1, 2, True)
    before = store_listing(project / ".mlver")
    assert "no earlier version" in _fail(cli, "model", "rollback", "churn@production")
    assert store_listing(project / ".mlver") == before
    events = cli.json("model", "history", "churn")["events"]
    assert [(e["alias"], e["version"], e["previous"]) for e in events] == [
        ("production", 1, None),
        ("staging", 2, None),
        ("production", 2, 1),
        ("production", 1, 2),
    ]
    assert all(e["schema"] == "mlver.alias/1" and e["id"] for e in events)
    only = cli.json("model", "history", "churn", "--alias", "staging")["events"]
    assert [e["version"] for e in only] == [2]
    table = cli("model", "history", "churn").stdout
    assert "latency fix [forced]" in table
    assert "auc dropped [rollback]" in table


def test_bad_input_is_one_line_and_changes_nothing(project: Path, cli: CLI) -> None:
    _setup(project, cli)
    before = store_listing(project / ".mlver")
    for args, text in (
        (("model", "show", "nope"), "no model named 'nope'"),
        (("model", "show", "churn:9"), "model churn has no version 9 (its versions: 1, 2)"),
        (("model", "show", "churn@canary"), "model churn has no alias 'canary'"),
        (("model", "register", "churn", "missing.pkl"), "model path 'missing.pkl' does not exist"),
        (("model", "register", "Churn", "model.joblib"), "invalid model name 'Churn'"),
        (("model", "register", "c", "model.joblib", "--snapshot", "zzzz"), "unknown ref"),
        (("model", "register", "c", "model.joblib", "--gate-lower"), "--gate-lower needs"),
        (("model", "alias", "churn:1", "Prod"), "invalid alias 'Prod'"),
        (("model", "history", "nope"), "no model named 'nope'"),
        (("model", "rollback", "churn:1"), "rollback needs NAME@ALIAS"),
    ):
        assert text in _fail(cli, *args), args
    assert store_listing(project / ".mlver") == before


def test_no_store_yet(project: Path, cli: CLI) -> None:
    assert "no jupyter_mlver store" in _fail(cli, "model", "list")
    assert not (project / ".mlver").exists()
    assert "does not exist" in _fail(cli, "model", "register", "m", "nothing.pkl")
    assert not (project / ".mlver").exists()
    loading = subprocess.run(
        [str(BIN / "python"), "-c", "import jupyter_mlver; jupyter_mlver.load_model('m')"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert loading.returncode == 1
    assert "no jupyter_mlver store" in loading.stderr
    assert not (project / ".mlver").exists()
    # The first registration creates the store and a snapshot for the version.
    joblib.dump({"w": 1}, project / "m.pkl")
    record = cli.json("model", "register", "m", "m.pkl")
    assert record["flavor"] == "cloudpickle"
    snapshot = cli.json("show", record["snapshot"][:12])
    assert snapshot["message"] == "model m"


def test_eight_cli_processes_moving_one_alias(project: Path, cli: CLI) -> None:
    cli("snapshot", "-m", "s")
    for w in range(8):
        joblib.dump({"w": w}, project / "m.pkl")
        cli("model", "register", "churn", "m.pkl")
    procs = [
        subprocess.Popen(
            [str(BIN / "jupyter-mlver"), "model", "alias", f"churn:{v}", "staging", "--json"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for v in range(1, 9)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in outs]
    moved = {json.loads(out)["id"] for out, _ in outs}
    events = cli.json("model", "history", "churn")["events"]
    assert len(events) == 8
    assert {e["id"] for e in events} == moved
    assert sorted(e["version"] for e in events) == list(range(1, 9))
    assert [e["previous"] for e in events] == [None, *[e["version"] for e in events[:-1]]]
    final = cli.json("model", "show", "churn@staging")["version"]
    assert final == events[-1]["version"]


def test_registered_file_loads_and_predicts_the_same(project: Path, cli: CLI) -> None:
    model = LogisticRegression(C=0.3).fit(X, Y)
    joblib.dump(model, project / "model.joblib")
    cli("model", "register", "churn", "model.joblib")
    code = (
        "import json, sys, numpy as np; from jupyter_mlver import load_model; "
        "m = load_model('churn'); print(json.dumps(m.predict_proba(np.array(json.loads("
        "sys.argv[1]))).tolist()))"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", code, json.dumps(X.tolist())],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    np.testing.assert_allclose(json.loads(out), model.predict_proba(X))
