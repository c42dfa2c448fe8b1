"""From a real JupyterLab kernel's environment (well over a hundred packages) to a serving
image, offline, on the base with the kernel's Python: the image holds what the model needs,
not JupyterLab, and predicts what the kernel predicted."""

from __future__ import annotations

import json

from jupyter_mlver.core.images import DockerEngine
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image

from .kernel_env import KernelProject
from .model_helpers import request, running


def test_a_jupyterlab_kernels_model_is_served_from_an_image_of_what_it_needs(
    kernel_project: KernelProject, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    names = {p["name"] for p in kernel_project.environment["packages"]}
    assert len(names) > 100
    assert {"jupyterlab", "ipykernel", "scikit-learn", "pandas"} <= names
    signature = kernel_project.model["signature"]
    assert signature is not None
    assert [o["name"] for o in signature["outputs"]] == ["predict", "predict_proba"]
    with kernel_project.store() as store:
        result = build_model_image(
            store, ModelImageOptions(ref="churn:1", prefix=f"{prefix}kernel/"), engine
        )
    record = result.build.record
    assert record is not None
    # The base was picked by the snapshot's Python (make test's is the kernel's), offline.
    assert record["base"] == base_image
    assert not [u for u in record["unreproducible"] if u["name"] == "python"]
    installed = {r.split("==")[0] for r in record["requirements"]}
    assert {"scikit-learn", "numpy", "scipy", "pandas", "starlette", "uvicorn"} <= installed
    assert not installed & {"jupyterlab", "ipykernel", "notebook", "tornado", "jupyter-server"}
    assert len(installed) < len(names) / 3
    test = json.loads((kernel_project.project / "test.json").read_text())
    with running(engine, result.build.image or "") as url:
        status, answer = request(f"{url}/invocations", {"dataframe_split": test})
        assert (status, answer) == (200, {"predictions": kernel_project.predicted})
        status, meta = request(f"{url}/v2/models/churn")
        assert [o["name"] for o in meta["outputs"]] == ["predict", "predict_proba"]
        columns = test["columns"]
        tensors = [
            {"name": t["name"], "shape": [len(test["data"])], "datatype": t["datatype"],
             "data": [row[columns.index(t["name"])] for row in test["data"]]}
            for t in meta["inputs"]
        ]  # fmt: skip
        status, answer = request(f"{url}/v2/models/churn/infer", {"inputs": tensors})
        assert status == 200, answer
        assert answer["outputs"][0]["data"] == kernel_project.predicted
