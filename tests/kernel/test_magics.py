"""%mlver through a real kernel: what the record holds, warnings, state, errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

from jupyter_mlver.core.hashing import hash_bytes, hash_file
from jupyter_mlver.core.store.store import Store
from tests.images.helpers import DEFAULT_BASE
from tests.kernel.conftest import Kernel, write_notebook

CELLS = [
    "%load_ext jupyter_mlver",
    "import numpy as np\nX = np.arange(12.0).reshape(3, 4)\nlr = 0.05\nname = 'iris'",
    "with open('data/train.csv') as f:\n    rows = f.read().splitlines()\n"
    "with open('out/preds.txt', 'w') as f:\n    f.write('0 1 1\\n')",
    "%mlver log acc=0.81\n%mlver log acc=0.86 --param lr=0.05",
    '%mlver snapshot -m "first run" --param depth=3 --state X lr --tag first',
]


def latest(project: Path) -> dict[str, Any]:
    with Store.open(project) as store:
        return store.get(store.resolve("HEAD"))


@pytest.fixture
def notebook(project: Path) -> tuple[Path, list[str]]:
    (project / "out").mkdir()
    path = project / "analysis.ipynb"
    return path, write_notebook(path, CELLS)


def test_nbclient_run_records_the_whole_experiment(
    project: Path, notebook: tuple[Path, list[str]], kernel_env: dict[str, str]
) -> None:
    path, _ = notebook
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(project)}}
    )
    client.execute(env={**kernel_env, "JPY_SESSION_NAME": str(path)})
    card = nb.cells[-1].outputs[0]["data"]
    assert "first run" in card["text/plain"]
    assert "text/html" in card
    assert "var(--jp-" in card["text/html"]

    rec = latest(project)
    assert rec["notebook"] == {
        "path": "analysis.ipynb",
        "hash": hash_file(path),
        "source": "disk",
        "kernel": {"name": "python3", "language": "python"},
    }
    assert [c["count"] for c in rec["execution"]["cells"]] == [1, 2, 3, 4, 5]
    assert [c["code_hash"] for c in rec["execution"]["cells"]] == [
        hash_bytes(s.encode()) for s in CELLS
    ]
    assert rec["execution"]["warnings"] == []
    assert rec["params"] == {"lr": 0.05, "depth": 3}
    assert rec["metrics"] == {"acc": [0.81, 0.86]}
    data = {d["path"]: d for d in rec["data"]}
    assert data["data/train.csv"]["role"] == "input"
    assert data["out/preds.txt"]["role"] == "output"
    for entry in data.values():
        assert entry["hash"] == hash_file(project / entry["path"])
        assert entry["stored"]
    assert set(data) == {"data/train.csv", "out/preds.txt"}
    ns = rec["namespace"]
    assert ns["X"] == {"type": "numpy.ndarray", "summary": "shape (3, 4), dtype float64"}
    assert ns["lr"]["summary"] == "0.05"
    assert ns["name"]["summary"] == "'iris'"
    assert ns["rows"]["summary"] == "length 3"
    assert not {"np", "In", "Out", "get_ipython"} & set(ns)
    assert sorted(rec["state"]) == ["X", "lr"]
    assert rec["tags"] == ["first"]


def test_out_of_order_execution_is_flagged(
    project: Path, notebook: tuple[Path, list[str]], start_kernel: Any
) -> None:
    path, ids = notebook
    k: Kernel = start_kernel(project, path)
    for i in (0, 1, 2):
        k.ok(CELLS[i], ids[i])
    k.ok(CELLS[1], ids[1])  # re-run an earlier cell: cell 3's state is now stale
    k.ok("%mlver snapshot -m again", None)
    warnings = latest(project)["execution"]["warnings"]
    assert [w["kind"] for w in warnings] == ["out-of-order", "deleted-cells"]
    assert "out of order" in warnings[0]["message"]
    assert "cell 2" in warnings[0]["message"]


def test_edited_and_deleted_cells_are_flagged(project: Path, start_kernel: Any) -> None:
    path = project / "nb.ipynb"
    ids = write_notebook(path, ["%load_ext jupyter_mlver", "a = 1", "b = 2", "%mlver snapshot"])
    k: Kernel = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver", ids[0])
    k.ok("a = 1", ids[1])
    k.ok("b = 2", ids[2])
    k.ok("c = 3", "a-cell-since-deleted")
    write_notebook(path, ["%load_ext jupyter_mlver", "a = 10", "b = 2", "%mlver snapshot"])
    nb = nbformat.read(path, as_version=4)
    for cell, cid in zip(nb.cells, ids, strict=True):
        cell.id = cid
    nbformat.write(nb, path)
    k.ok("%mlver snapshot", ids[3])
    kinds = {w["kind"]: w for w in latest(project)["execution"]["warnings"]}
    assert set(kinds) == {"edited-after-run", "deleted-cells"}
    assert "cell 2 was edited" in kinds["edited-after-run"]["message"]
    assert kinds["deleted-cells"]["counts"] == [4]


def test_restart_is_flagged_and_state_restores(
    project: Path, notebook: tuple[Path, list[str]], start_kernel: Any
) -> None:
    path, ids = notebook
    k: Kernel = start_kernel(project, path)
    for i, code in enumerate(CELLS):
        k.ok(code, ids[i])
    original = k.value("X.tolist()")
    k.close()
    k2: Kernel = start_kernel(project, path)
    k2.ok("%load_ext jupyter_mlver", ids[0])
    k2.ok("%mlver restore first X", None)
    assert k2.value("X.tolist()") == original
    assert k2.value("type(X).__name__") == "ndarray"
    k2.ok("%mlver snapshot -m after-restart", None)
    kinds = [w["kind"] for w in latest(project)["execution"]["warnings"]]
    assert "kernel-restarted" in kinds


def test_history_is_the_notebook_when_there_is_no_file(tmp_path: Path, start_kernel: Any) -> None:
    k: Kernel = start_kernel(tmp_path)
    k.ok("%load_ext jupyter_mlver")
    k.ok("x = 41 + 1\nx")
    k.ok("%mlver snapshot -m scratch")
    with Store.open(tmp_path) as store:
        rec = store.get(store.resolve("HEAD"))
        assert rec["notebook"]["source"] == "history"
        assert rec["notebook"]["path"] is None
        doc = store.objects.get_bytes(rec["notebook"]["hash"]).decode()
    nb = nbformat.reads(doc, as_version=4)
    nbformat.validate(nb)
    assert [c.source for c in nb.cells][:2] == ["%load_ext jupyter_mlver", "x = 41 + 1\nx"]
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "42"


def test_usage_errors_and_help(project: Path, start_kernel: Any) -> None:
    k: Kernel = start_kernel(project)
    k.ok("%load_ext jupyter_mlver")
    for line, expected in [
        ("%mlver snapshot --param lr", "--param expects KEY=VALUE"),
        ("%mlver snapshot --bogus", "unrecognized arguments: --bogus"),
        ("%mlver frobnicate", "invalid choice: 'frobnicate'"),
        ("%mlver snapshot --data nope.csv", "data path 'nope.csv' does not exist"),
        ("%mlver log", "nothing to log"),
        ("%mlver show deadbeef", None),
        ('%mlver snapshot -m "unclosed', "cannot parse"),
    ]:
        out = k.run(line)
        if expected is None:  # a domain error: one red line, no traceback
            assert out["error"] is None
            assert out["stderr"].startswith("mlver: ")
            assert out["stderr"].count("\n") == 1
        else:  # IPython shows a UsageError as one red message, without a traceback
            assert out["stderr"].startswith("UsageError: "), (line, out)
            assert expected in out["stderr"]
            assert "Traceback" not in out["stderr"]
    assert not (project / ".mlver" / "objects").exists() or not any(
        (project / ".mlver" / "objects").iterdir()
    )
    help_out = k.ok("%mlver snapshot -h")["stdout"]
    assert "--state" in help_out
    assert "--no-lineage" in help_out
    doc = k.ok("print(get_ipython().find_line_magic('mlver').__doc__)")["stdout"]
    assert "examples:" in doc
    assert "%mlver snapshot" in doc


def test_public_api_in_a_script(project: Path, kernel_env: dict[str, str]) -> None:
    import subprocess
    import sys

    script = project / "train.py"
    script.write_text(
        "import jupyter_mlver\n"
        "jupyter_mlver.log(loss=0.5)\n"
        "data = open('data/train.csv').read()\n"
        "jupyter_mlver.log(loss=0.25, params={'epochs': 2})\n"
        "rec = jupyter_mlver.snapshot('from a script', metrics={'acc': 0.9})\n"
        "print(rec['id'])\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=project,
        env=kernel_env,
        capture_output=True,
        text=True,
        check=True,
    )
    rec = latest(project)
    assert rec["id"] == out.stdout.strip()
    assert rec["metrics"] == {"loss": [0.5, 0.25], "acc": 0.9}
    assert rec["params"] == {"epochs": 2}
    assert [(d["path"], d["role"]) for d in rec["data"]] == [("data/train.csv", "input")]
    assert rec["notebook"] is None
    assert rec["execution"] is None


def test_secrets_never_reach_the_store_from_a_kernel(project: Path, start_kernel: Any) -> None:
    secret = "sk-live-7b1e5c0ffee4242"
    remote_secret = "glpat-R3m0teKernelSecret9"
    os.system(
        f"git -C {project} remote add origin https://bot:{remote_secret}@gitlab.example/o/r.git"
    )
    k: Kernel = start_kernel(project, None, OPENAI_API_KEY=secret)
    k.ok("%load_ext jupyter_mlver")
    k.ok("import os\nkey = os.environ['OPENAI_API_KEY']\nprint(key)")
    k.ok("%mlver snapshot -m secrets --state")
    blob = b"".join(p.read_bytes() for p in (project / ".mlver").rglob("*") if p.is_file())
    assert secret.encode() not in blob
    assert remote_secret.encode() not in blob
    rec = latest(project)
    assert rec["git"]["remote"] == "https://gitlab.example/o/r.git"
    assert "key" in rec["state_skipped"]


def test_the_on_screen_notebook_pushed_by_the_frontend_is_recorded(
    project: Path, start_kernel: Any
) -> None:
    path = project / "shown.ipynb"
    ids = write_notebook(path, ["%load_ext jupyter_mlver", "x = 1", "%mlver snapshot -m shot"])
    k: Kernel = start_kernel(project, path)
    k.ok("%load_ext jupyter_mlver", ids[0])
    k.ok("x = 2", ids[1])  # edited on screen, not saved: the file still says x = 1
    on_screen = nbformat.read(path, as_version=4)
    on_screen.cells[1].source = "x = 2"
    on_screen.cells[1].outputs = [nbformat.v4.new_output("stream", text="unsaved output\n")]
    # What the labextension sends just before it executes a snapshot cell.
    msg = k.kc.session.msg(
        "comm_open",
        {
            "comm_id": "c0ffee",
            "target_name": "jupyter_mlver",
            "data": {"action": "notebook", "path": str(path), "notebook": dict(on_screen)},
        },
    )
    k.kc.shell_channel.send(msg)
    k.ok("%mlver snapshot -m shot", ids[2])
    rec = latest(project)
    assert rec["notebook"]["source"] == "frontend"
    assert rec["notebook"]["path"] == "shown.ipynb"
    with Store.open(project) as store:
        stored = nbformat.reads(store.objects.get_bytes(rec["notebook"]["hash"]).decode(), 4)
    assert stored.cells[1].source == "x = 2"
    assert stored.cells[1].outputs[0]["text"] == "unsaved output\n"
    assert rec["execution"]["warnings"] == []  # what ran is what is on screen
    k.ok("%mlver snapshot -m shot", ids[2])  # nothing pushed this time: back to the file
    assert latest(project)["notebook"]["source"] == "disk"


def test_env_magics_dry_run_show_and_help(project: Path, start_kernel: Any) -> None:
    k: Kernel = start_kernel(project)
    k.ok("%load_ext jupyter_mlver")
    k.ok("%mlver snapshot -m base")
    shown = k.ok("%mlver env show")["results"][-1]["text/plain"]
    assert "packages:" in shown
    assert "jupyter-mlver" in shown
    # A snapshot whose environment is one small package, so the lock resolves in a moment.
    from jupyter_mlver.core.capture.environment import capture_environment, fingerprint
    from tests.images.helpers import take_snapshot

    env = capture_environment()
    env["packages"] = [p for p in env["packages"] if p["name"] == "six"]
    env["fingerprint"] = fingerprint(
        env["python"]["version"], env["platform"]["machine"], env["packages"]
    )
    with Store.open(project) as store:
        small = take_snapshot(store, env, "one package", None)["id"]
    # The image tests' local base: with an engine answering, a dry run checks the base exists.
    base = os.environ.get("MLVER_TEST_BASE_IMAGE") or DEFAULT_BASE
    out = k.ok(f"%mlver env dockerfile {small[:12]} --base {base} --output {project / 'ctx'}")
    dockerfile = out["results"][-1]["text/plain"]
    assert f"FROM {base}" in dockerfile
    assert (project / "ctx" / "Dockerfile").read_text() == dockerfile
    assert "LABEL" in dockerfile.split("USER")[-1]  # labels come last
    help_text = k.ok("%mlver env build -h")["stdout"]
    assert "--push" in help_text
    assert "--dry-run" in help_text
    bad = k.run("%mlver env build --frobnicate")
    assert bad["stderr"].startswith("UsageError: ")


def test_env_build_without_an_engine_is_one_red_line(project: Path, start_kernel: Any) -> None:
    k: Kernel = start_kernel(project, None, DOCKER_HOST="unix:///nonexistent/docker.sock")
    k.ok("%load_ext jupyter_mlver")
    out = k.run("%mlver env build --current")
    assert out["error"] is None
    assert "Traceback" not in out["stderr"]
    assert out["stderr"].startswith("mlver: ")
    assert out["stderr"].count("\n") == 1
    assert "engine" in out["stderr"].lower()


def test_push_and_pull_from_the_notebook(project: Path, tmp_path: Path, start_kernel: Any) -> None:
    from tests.support import CLI

    remote_dir = tmp_path / "team-remote"
    CLI(project)("remote", "add", "team", str(remote_dir))
    k: Kernel = start_kernel(project)
    k.ok("%load_ext jupyter_mlver")
    k.ok("%mlver snapshot -m shared --data data")
    first = k.ok("%mlver push team")["results"][-1]["text/plain"]
    # The record, its environment, the notebook, the data/ tree and its two files.
    assert "6 object(s) uploaded" in first
    assert "2 record(s) published" in first
    again = k.ok("%mlver push team")["results"][-1]["text/plain"]
    assert "up to date" in again
    rid = latest(project)["id"]
    assert (remote_dir / "records" / "snapshot" / rid).exists()
    clone = tmp_path / "clone"
    clone.mkdir()
    CLI(clone)("remote", "add", "team", str(remote_dir))
    k2: Kernel = start_kernel(clone)
    k2.ok("%load_ext jupyter_mlver")
    pulled = k2.ok(f"%mlver pull team {rid[:8]}")["results"][-1]["text/plain"]
    assert "object(s) downloaded" in pulled
    with Store.open(clone) as store:
        assert store.get(rid)["message"] == "shared"
