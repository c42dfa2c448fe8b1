"""core/diff.py and `jupyter mlver diff`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from jupyter_mlver.core.diff import (
    compare_data,
    compare_packages,
    compare_values,
    diff_refs,
    diff_snapshots,
    summarize_outputs,
)
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.store.store import Store
from jupyter_mlver.views.compare import html as html_compare
from jupyter_mlver.views.compare.text import diff as format_diff
from tests.support import CLI, git

from .conftest import Make, data_entry, pkg

Change = TypeVar("Change", bound=Mapping[str, Any])


def by(entries: Sequence[Change], key: str) -> dict[str, Change]:
    return {e[key]: e for e in entries}


def notebook(*cells: tuple[str, str, list[dict[str, Any]]], ids: bool = True) -> bytes:
    doc = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                **({"id": cid} if ids else {}),
                "cell_type": "code",
                "source": src,
                "metadata": {},
                "outputs": outs,
                "execution_count": i + 1,
            }
            for i, (cid, src, outs) in enumerate(cells)
        ],
    }
    return json.dumps(doc).encode()


def stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


# -- pieces ----------------------------------------------------------------------------


def test_values_status_and_delta() -> None:
    out = by(
        compare_values(
            {"lr": 0.01, "epochs": 10, "flag": True, "name": "rf", "gone": 1, "n": 1},
            {"lr": 0.02, "epochs": 10, "flag": 1, "name": "rf", "new": 2, "n": 1.0},
        ),
        "key",
    )
    assert out["lr"]["status"] == "changed"
    assert out["lr"]["delta"] == pytest.approx(0.01)
    assert out["epochs"] == {"key": "epochs", "a": 10, "b": 10, "status": "unchanged", "delta": 0}
    # True and 1 are different kinds of value; 1 and 1.0 are the same number.
    assert out["flag"]["status"] == "changed"
    assert out["flag"]["delta"] is None
    assert out["n"]["status"] == "unchanged"
    assert out["name"]["status"] == "unchanged"
    assert out["name"]["delta"] is None
    assert out["gone"]["status"] == "removed"
    assert out["gone"]["b"] is None
    assert out["new"]["status"] == "added"
    assert out["new"]["a"] is None
    assert list(out) == sorted(out)


def test_series_compare_by_last_value() -> None:
    out = by(
        compare_values(
            {"loss": [0.9, 0.5, 0.3], "acc": [0.5, 0.8]},
            {"loss": [0.8, 0.3], "acc": 0.85},
        ),
        "key",
    )
    assert out["loss"]["status"] == "unchanged"
    assert out["loss"]["a"] == [0.9, 0.5, 0.3]  # the whole series is kept for the view
    assert out["acc"]["status"] == "changed"
    assert out["acc"]["delta"] == pytest.approx(0.05)


def test_data_omits_unchanged_files() -> None:
    a = [
        data_entry("d/same", "1" * 64),
        data_entry("d/edit", "2" * 64, 5),
        data_entry("d/old", "3" * 64),
    ]
    b = [
        data_entry("d/same", "1" * 64),
        data_entry("d/edit", "4" * 64, 7),
        data_entry("d/new", "5" * 64),
    ]
    out = compare_data(a, b)
    assert [(e["path"], e["status"]) for e in out] == [
        ("d/edit", "changed"),
        ("d/new", "added"),
        ("d/old", "removed"),
    ]
    assert out[0]["a"] == {"hash": "2" * 64, "size": 5}
    assert out[0]["b"] == {"hash": "4" * 64, "size": 7}
    assert out[1]["a"] is None
    assert out[2]["b"] is None


def test_packages_ordering_and_sources() -> None:
    out = by(
        compare_packages(
            [
                pkg("numpy", "1.26.4"),
                pkg("pandas", "2.2.0"),
                pkg("weird", "abc"),
                pkg("same", "1.0"),
                pkg("mylib", "0.1", "vcs", url="git+https://x/y", commit="a" * 40),
                pkg("gone", "1"),
            ],
            [
                pkg("numpy", "2.0.0"),
                pkg("pandas", "2.1.9"),
                pkg("weird", "abd"),
                pkg("same", "1.0"),
                pkg("mylib", "0.1", "vcs", url="git+https://x/y", commit="b" * 40),
                pkg("new", "3"),
            ],
        ),
        "name",
    )
    assert "same" not in out
    assert out["numpy"]["status"] == "upgraded"
    assert (out["numpy"]["a"], out["numpy"]["b"]) == ("1.26.4", "2.0.0")
    assert out["pandas"]["status"] == "downgraded"
    assert out["weird"]["status"] == "changed"  # not PEP 440: no order
    assert out["mylib"]["status"] == "changed"  # same version, another commit
    note = out["mylib"]["note"]
    assert note is not None
    assert "aaaaaaaaaaaa" in note
    assert "bbbbbbbbbbbb" in note
    assert out["gone"]["status"] == "removed"
    assert out["gone"]["b"] is None
    assert out["new"]["status"] == "added"
    assert out["new"]["a"] is None


def test_output_summary() -> None:
    outs = [
        stream("hi"),
        {"output_type": "execute_result", "data": {"text/plain": "1"}, "execution_count": 3},
    ]
    assert summarize_outputs(outs) == "2 outputs: stream, execute_result(text/plain)"
    assert summarize_outputs([]) == "no outputs"
    err = {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}
    assert summarize_outputs([err]) == "1 output: error(ValueError)"


# -- whole records ---------------------------------------------------------------------


def test_identical_snapshots_differ_in_nothing(store: Store, make_snapshot: Make) -> None:
    a = make_snapshot(params={"lr": 0.1}, data=[data_entry("x", "1" * 64)])
    b = make_snapshot(params={"lr": 0.1}, data=[data_entry("x", "1" * 64)])
    d = diff_snapshots(store, a["id"], b["id"])
    assert d["schema"] == "mlver.diff/1"
    assert d["summary"] == {"params": 0, "metrics": 0, "data": 0, "packages": 0, "cells": 0}
    assert d["params"] == [{"key": "lr", "a": 0.1, "b": 0.1, "status": "unchanged", "delta": 0}]
    assert d["python"] is None
    assert d["platform"] is None
    assert d["git"] == {
        "a": None,
        "b": None,
        "same_commit": False,
        "same_code": False,
        "commits": [],
        "commits_omitted": 0,
    }
    assert "no differences" in format_diff(d)


def test_header_python_and_packages(store: Store, make_snapshot: Make) -> None:
    a = make_snapshot(packages=[pkg("numpy", "1.26.4")], message="before")
    b = make_snapshot(packages=[pkg("numpy", "2.0.0")], python="3.12.1", tags=["v2"])
    store.add_tag(b["id"], "later")
    d = diff_snapshots(store, a["id"], b["id"])
    assert d["a"] == {
        "id": a["id"],
        "created": a["created"],
        "message": "before",
        "notebook": None,
        "tags": [],
    }
    assert d["b"]["tags"] == ["later", "v2"]
    assert d["python"] == {"a": "3.11.7", "b": "3.12.1"}
    assert d["platform"] is None
    assert [(p["name"], p["status"]) for p in d["packages"]] == [("numpy", "upgraded")]
    assert d["summary"]["packages"] == 1
    text = format_diff(d)
    assert "numpy" in text
    assert "1.26.4" in text
    assert "3.12.1" in text


def test_refs_and_non_snapshots(store: Store, make_snapshot: Make) -> None:
    a = make_snapshot(params={"x": 1})
    b = make_snapshot(params={"x": 2})
    d = diff_refs(store, a["id"][:8], b["id"][:8])
    assert d["a"]["id"] == a["id"]
    assert d["b"]["id"] == b["id"]
    with pytest.raises(InvalidInput, match="not a snapshot"):
        diff_snapshots(store, a["id"], a["environment"])


def test_cells_aligned_by_id(store: Store, make_snapshot: Make) -> None:
    a = make_snapshot(
        notebook=notebook(
            ("c1", "import x", []),
            ("c2", "train()", [stream("acc 0.91\n")]),
            ("c3", "old()", []),
            ("c4", "plot()", []),
        )
    )
    b = make_snapshot(
        notebook=notebook(
            ("c1", "import x", []),
            ("c2", "train()", [stream("acc 0.93\n")]),
            ("c5", "new()", []),
            ("c4", "plot(2)", []),
        )
    )
    cells = diff_snapshots(store, a["id"], b["id"])["notebook"]["cells"]
    assert [(c["status"], c["a_index"], c["b_index"]) for c in cells] == [
        ("changed", 1, 1),  # same source, different output
        ("removed", 2, None),
        ("added", None, 2),
        ("changed", 3, 3),
    ]
    assert cells[0]["source_changed"] is False
    assert cells[0]["outputs"] == {"a": "1 output: stream", "b": "1 output: stream"}
    assert (cells[3]["a_source"], cells[3]["b_source"]) == ("plot()", "plot(2)")
    assert cells[1]["b_source"] is None
    assert cells[2]["a_source"] is None


def test_cells_without_ids_use_a_sequence_diff(store: Store, make_snapshot: Make) -> None:
    a = make_snapshot(
        notebook=notebook(("", "a = 1", []), ("", "b = 2", []), ("", "c = 3", []), ids=False)
    )
    b = make_snapshot(
        notebook=notebook(
            ("", "a = 1", []), ("", "b = 20", []), ("", "c = 3", []), ("", "d = 4", []), ids=False
        )
    )
    d = diff_snapshots(store, a["id"], b["id"])
    cells = d["notebook"]["cells"]
    assert [(c["status"], c["a_index"], c["b_index"]) for c in cells] == [
        ("changed", 1, 1),
        ("added", None, 3),
    ]
    assert d["summary"]["cells"] == 2
    assert "b = 20" in format_diff(d)
    assert "var(--jp-" in html_compare.diff(d)


def test_execution_counts_alone_are_not_a_change(store: Store, make_snapshot: Make) -> None:
    res = {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}}
    a = make_snapshot(notebook=notebook(("c1", "1 + 1", [{**res, "execution_count": 1}])))
    b = make_snapshot(notebook=notebook(("c1", "1 + 1", [{**res, "execution_count": 7}])))
    d = diff_snapshots(store, a["id"], b["id"])
    assert d["notebook"]["a"] != d["notebook"]["b"]
    assert d["notebook"]["cells"] == []


def test_warnings_are_passed_through(store: Store, make_snapshot: Make) -> None:
    warning = {"kind": "out_of_order", "message": "cell 3 ran before cell 2"}
    a = make_snapshot()
    b = make_snapshot(execution={"cells": [], "warnings": [warning]})
    d = diff_snapshots(store, a["id"], b["id"])
    assert d["warnings"] == {"a": [], "b": [warning]}
    assert "cell 3 ran before cell 2" in format_diff(d)


# -- end to end through the CLI --------------------------------------------------------


def fake_dist(site: Path, name: str, version: str) -> None:
    """Environment capture reads dist-info directory names on sys.path."""
    for old in site.glob(f"{name}-*.dist-info"):
        (old / "METADATA").unlink()
        old.rmdir()
    dist = site / f"{name}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_cli_diff_shows_exactly_what_changed(cli: CLI, project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {"PYTHONPATH": str(site)}
    fake_dist(site, "mlver_fake_pkg", "1.0")
    common = ["--data", "data", "--param", "epochs=10", "--metric", "acc=0.9"]
    cli("snapshot", "-m", "one", "--param", "lr=0.01", *common, env=env)
    (project / "data" / "train.csv").write_text("x,y\n1,2\n3,5\n")
    fake_dist(site, "mlver_fake_pkg", "1.1")
    cli("snapshot", "-m", "two", "--param", "lr=0.02", *common, env=env)

    d = json.loads(cli("diff", "HEAD~1", "HEAD", "--json").stdout)
    assert d["summary"] == {"params": 1, "metrics": 0, "data": 1, "packages": 1, "cells": 0}
    assert [(p["key"], p["status"]) for p in d["params"]] == [
        ("epochs", "unchanged"),
        ("lr", "changed"),
    ]
    assert [(m["key"], m["status"]) for m in d["metrics"]] == [("acc", "unchanged")]
    assert [(f["path"], f["status"]) for f in d["data"]] == [("data/train.csv", "changed")]
    assert d["packages"] == [
        {"name": "mlver-fake-pkg", "status": "upgraded", "a": "1.0", "b": "1.1", "note": None}
    ]
    assert d["python"] is None
    assert d["platform"] is None
    assert d["git"]["same_commit"]
    assert d["git"]["same_code"]
    assert d["git"]["commits"] == []
    assert d["notebook"] == {"a": None, "b": None, "a_path": None, "b_path": None, "cells": []}
    assert d["a"]["message"] == "one"
    assert d["b"]["message"] == "two"

    text = cli("diff", "HEAD~1", "HEAD").stdout
    assert "lr" in text
    assert "data/train.csv" in text
    assert "mlver-fake-pkg" in text
    assert "git" not in text.split("\n", 3)[-1]  # the same code: no git section


def test_cli_diff_lists_commits_between(cli: CLI, project: Path) -> None:
    cli("snapshot", "-m", "one")
    (project / "train.py").write_text("print('train v2')\n")
    git(project, "commit", "-q", "-am", "train harder")
    (project / "train.py").write_text("print('train v3')\n")
    git(project, "commit", "-q", "-am", "train longer")
    cli("snapshot", "-m", "two")
    d = json.loads(cli("diff", "HEAD~1", "HEAD", "--json").stdout)
    assert not d["git"]["same_commit"]
    assert [c["summary"] for c in d["git"]["commits"]] == ["train longer", "train harder"]
    assert "train harder" in cli("diff", "HEAD~1", "HEAD").stdout


def test_cli_diff_unknown_ref_is_one_line(cli: CLI) -> None:
    cli("snapshot", "-m", "one")
    proc = cli("diff", "HEAD", "nosuchtag", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("jupyter mlver: error: unknown ref 'nosuchtag'")
    assert proc.stderr.count("\n") == 1
