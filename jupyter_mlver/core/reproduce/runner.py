"""Runs INSIDE the container of a reproduction (copied in, run with the image's python).

It must not import jupyter_mlver: it only needs nbclient and nbformat, which any image of
a Jupyter kernel environment has. Steps: put the data files and the notebook in place,
execute the notebook with nbclient, then run one more (unsaved) cell in the same kernel
that reports what the notebook logged, and write ``out/executed.ipynb`` and
``out/result.json``. Progress lines on stderr start with ``[mlver] ``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import traceback
from typing import Any

RUN_DIR = "/tmp/mlver-run"

#: Executed in the notebook's kernel after its last cell. The notebook's own `%mlver
#: snapshot` calls recorded into the scratch store ($MLVER_STORE): all of them are
#: reported (oldest first) so the host can pick the one that matches the original, and
#: what was logged after the last one is still pending in the kernel session.
COLLECT = r"""
def __mlver_collect():
    import json, os
    out = {"snapshots": [], "pending": {"params": {}, "metrics": {}},
           "environment": None, "problems": []}
    try:
        from jupyter_mlver.core.store.store import Store
        from jupyter_mlver.core.errors import RecordNotFound
        try:
            store = Store.open(explicit=os.environ["MLVER_STORE"])
        except RecordNotFound:
            store = None
        if store is not None:
            with store:
                rows, _ = store.index.snapshots()
                for row in reversed(rows):
                    rec = store.get(row.id)
                    cells = (rec.get("execution") or {}).get("cells") or []
                    out["snapshots"].append({
                        "message": rec.get("message", ""),
                        "params": rec.get("params") or {},
                        "metrics": rec.get("metrics") or {},
                        "last_code_hash": cells[-1]["code_hash"] if cells else None,
                    })
                if rows:
                    out["environment"] = store.get(store.get(rows[0].id)["environment"])
    except Exception as e:
        out["problems"].append(f"reading the run's snapshots: {type(e).__name__}: {e}")
    try:
        from jupyter_mlver.notebook.session import session_for
        session = session_for(get_ipython())
        out["pending"] = {"params": dict(session.params), "metrics": session.pending_metrics()}
    except Exception as e:
        out["problems"].append(f"reading logged metrics: {type(e).__name__}: {e}")
    if out["environment"] is None:
        try:
            from jupyter_mlver.core.capture.environment import capture_environment
            out["environment"] = capture_environment()
        except Exception as e:
            out["problems"].append(f"capturing the environment: {type(e).__name__}: {e}")
    print("@@mlver-collect@@" + json.dumps(out, default=str))
__mlver_collect()
del __mlver_collect
"""


def say(text: str) -> None:
    print(f"[mlver] {text}", file=sys.stderr, flush=True)


def place_files(manifest: dict[str, Any]) -> None:
    """Move the checked-out files to their places in the project (as this user)."""
    for item in manifest["files"]:
        src, dest = os.path.join(RUN_DIR, item["src"]), item["dest"]
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            os.remove(dest)
        try:
            os.replace(src, dest)
        except OSError:
            shutil.copyfile(src, dest)


def collected(cell: Any) -> dict[str, Any] | None:
    # A long line may arrive in several stream messages: join them before splitting.
    text = "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    for line in text.splitlines():
        if line.startswith("@@mlver-collect@@"):
            value: dict[str, Any] = json.loads(line[len("@@mlver-collect@@") :])
            return value
    return None


def execute(manifest: dict[str, Any], result: dict[str, Any]) -> Any:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(manifest["notebook"], as_version=4)
    client = NotebookClient(
        nb,
        timeout=manifest["cell_timeout"],
        kernel_name="python3",
        resources={"metadata": {"path": manifest["cwd"]}},
    )
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    done = 0
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    done += 1
                    first = (cell.source.strip().splitlines() or [""])[0][:60]
                    say(f"cell {done}/{code_cells}: {first}")
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as e:
                    result["error"] = {
                        "kind": "cell",
                        "cell": index,
                        "message": f"cell {index + 1} raised {e.ename}: {e.evalue}",
                    }
                    return nb
            probe = nbformat.v4.new_code_cell(COLLECT)
            # nbclient writes each executed cell back into the notebook by index.
            nb.cells.append(probe)
            try:
                client.execute_cell(probe, len(nb.cells) - 1, store_history=False)
            finally:
                nb.cells.pop()
            result["collected"] = collected(probe)
            if result["collected"] is None:
                result["error"] = {
                    "kind": "collect",
                    "message": "could not read the metrics the notebook logged: "
                    + json.dumps(probe.get("outputs", []))[-500:],
                }
    except Exception as e:  # a kernel that died or timed out
        result["error"] = {"kind": type(e).__name__, "message": str(e)[-1000:]}
    return nb


def main() -> int:
    with open(os.path.join(RUN_DIR, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    out_dir = os.path.join(RUN_DIR, "out")
    os.makedirs(out_dir, exist_ok=True)
    result: dict[str, Any] = {"error": None, "collected": None}
    nb = None
    try:
        place_files(manifest)
        try:
            import nbclient  # noqa: F401
        except ImportError as e:
            result["error"] = {
                "kind": "setup",
                "message": f"the image cannot execute notebooks ({e}): its environment "
                "needs nbclient and ipykernel",
            }
        else:
            nb = execute(manifest, result)
    except Exception:
        result["error"] = {"kind": "runner", "message": traceback.format_exc()[-2000:]}
    if nb is not None:
        import nbformat

        nbformat.write(nb, os.path.join(out_dir, "executed.ipynb"))
    with open(os.path.join(out_dir, "result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, default=str)
    say("done" if result["error"] is None else f"failed: {result['error']['message'][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
