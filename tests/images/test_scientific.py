"""A kernel with numpy, pandas and scikit-learn: its image verifies as identical, and the
quickstart notebook's code runs inside it with the same result as on the host."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images import BuildOptions, build_image, verify_image
from jupyter_mlver.core.store.store import Store
from jupyter_mlver.views.images import text

from .helpers import git, make_venv, run, take_snapshot, venv_environment

REPO = Path(__file__).parents[2]
QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"
PACKAGES = ("numpy==2.4.6", "pandas==3.1.1", "scikit-learn==1.9.1")
#: jupyter_mlver itself is not in this environment: its two calls become no-ops.
STUB = "class mlver:\n    @staticmethod\n    def log(**kw):\n        pass\n"


def quickstart_code() -> str:
    """The quickstart's code cells as one script: magics dropped, ``mlver`` stubbed, the
    last expression of the notebook (the accuracy) printed."""
    cells = json.loads(QUICKSTART.read_text())["cells"]
    lines: list[str] = [STUB]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("%") or line.strip() == "import jupyter_mlver as mlver":
                continue
            lines.append(line)
    lines.append('print(f"accuracy={accuracy:.6f}")')
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_numpy_pandas_sklearn_image_is_identical_and_runs_the_quickstart(
    tmp_path: Path, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    project = tmp_path / "wine"
    (project / "data").mkdir(parents=True)
    shutil.copy(QUICKSTART, project / "quickstart.ipynb")
    shutil.copy(REPO / "notebooks" / "data" / "wine.csv", project / "data" / "wine.csv")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "quickstart")
    python = make_venv(tmp_path / "venv", *PACKAGES)
    environment = venv_environment(python)
    names = {p["name"] for p in environment["packages"]}
    assert {"numpy", "pandas", "scikit-learn", "scipy"} <= names

    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "wine", project / "quickstart.ipynb")
        result = build_image(
            store,
            BuildOptions(ref=snapshot["id"], base=base_image, prefix=prefix, tag="1.0.0"),
            engine,
        )
        check = verify_image(store, engine, result.image or "")
    assert check.identical, text.verify(check)
    assert check.packages == len(environment["packages"])

    script = quickstart_code()
    on_host = run([python, "-c", script], cwd=project).strip().splitlines()[-1]
    inside = engine.run(result.image or "", ["python", "-c", script])
    assert inside.exit_code == 0, inside.stderr
    assert inside.stdout.strip().splitlines()[-1] == on_host
    assert float(on_host.split("=")[1]) > 0.8
