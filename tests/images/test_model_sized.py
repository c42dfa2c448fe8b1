"""The default serving image (``model build``, ``--env model``): only what the model needs to
load and predict, each package at the snapshot's version, on a base with the snapshot's
Python; it predicts what the model predicted in this process."""

from __future__ import annotations

import json
from importlib import metadata

import jsonschema

from jupyter_mlver.core.images import DockerEngine
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image
from jupyter_mlver.core.records import EnvironmentRecord
from tests.serving.helpers import training_frame

from .conftest import ServingImage
from .model_helpers import LIBRARIES, request, running
from .test_build import SCHEMA


def test_the_record_says_what_was_installed_and_why(
    model_sized: ServingImage, base_image: str
) -> None:
    record = model_sized.result.build.record
    assert record is not None
    jsonschema.validate(record, json.loads(SCHEMA.parent.joinpath("image.json").read_text()))
    assert record["env"] == "model"
    assert record["environment_image"] is None
    pins = dict(r.split("==") for r in record["requirements"])
    # The model's libraries at the snapshot's (this process's) versions ...
    for name in ("scikit-learn", "numpy", "scipy", "joblib", "pandas"):
        assert pins[name] == metadata.version(name), name
    # ... the server's packages, and no installer.
    assert {"starlette", "uvicorn", "prometheus-client"} <= set(pins)
    assert "pip" not in pins
    found = record["model_packages"]
    assert found["flavor"] == ["scikit-learn", "joblib"]
    assert found["loaded"] is not None
    assert {"scikit-learn", "numpy", "scipy"} <= set(found["loaded"])
    assert found["table"] == ["pandas"]
    assert set(LIBRARIES) - {"threadpoolctl"} <= set(pins)
    assert record["base"] == base_image


def test_it_predicts_what_the_model_predicted(
    model_sized: ServingImage, engine: DockerEngine
) -> None:
    frame = training_frame(25, seed=5)
    expected = model_sized.churn.model.predict(frame).tolist()
    with running(engine, model_sized.image) as url:
        split = json.loads(frame.to_json(orient="split", index=False))
        assert request(f"{url}/invocations", {"dataframe_split": split}) == (
            200,
            {"predictions": expected},
        )
        status, meta = request(f"{url}/v2/models/churn")
        assert status == 200
        tensors = [
            {"name": t["name"], "shape": [len(frame)], "datatype": t["datatype"],
             "data": frame[t["name"]].tolist()}
            for t in meta["inputs"]
        ]  # fmt: skip
        status, answer = request(f"{url}/v2/models/churn/infer", {"inputs": tensors})
        assert status == 200, answer
        assert answer["outputs"][0]["data"] == expected
    info = engine.image(model_sized.image)
    raw = engine.api.inspect_image(model_sized.image)["Config"]
    assert info is not None
    assert raw["User"] == "1000:1000"
    assert raw["Entrypoint"] == ["python", "-m", "jupyter_mlver.serving"]


def test_the_next_version_shares_every_layer_but_the_models(
    model_sized: ServingImage, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    with model_sized.churn.store() as store:
        second = build_model_image(
            store,
            ModelImageOptions(ref="churn:2", base=base_image, prefix=f"{prefix}sized/"),
            engine,
        )
    first_record, second_record = model_sized.result.build.record, second.build.record
    assert first_record is not None
    assert second_record is not None
    assert second_record["lock"] == first_record["lock"]  # found again, not resolved again
    one = engine.image(first_record["image_id"])
    two = engine.image(second_record["image_id"])
    assert one is not None
    assert two is not None
    assert one.layers[:-1] == two.layers[:-1]
    assert one.layers[-1] != two.layers[-1]


def test_without_the_snapshots_interpreter_the_flavour_decides(model_sized: ServingImage) -> None:
    """On another machine (the kernel's venv gone) nothing can be loaded to see what the
    model imports: the flavour's packages and their dependencies, said in a note."""
    from jupyter_mlver.core.engine.target import Target
    from jupyter_mlver.core.images.model_deps import find_packages
    from jupyter_mlver.core.models import registry

    with model_sized.churn.store() as store:
        model = registry.resolve(store, "churn:1")
        environment = store.get(model_sized.churn.snapshot["environment"], EnvironmentRecord)
        gone = environment.copy()
        gone["python"] = {**environment["python"], "executable": "/nonexistent"}
        here = find_packages(store, model, environment, Target("3.11.7", "x86_64", "2.36", True))
        elsewhere = find_packages(store, model, gone, Target("3.11.7", "x86_64", "2.36", True))
    assert here.loaded is not None
    assert {"scikit-learn", "numpy"} <= set(here.loaded)
    assert here.note is None
    assert elsewhere.loaded is None
    assert elsewhere.flavor == ["scikit-learn", "joblib"]
    assert elsewhere.table == ["pandas"]
    assert "not on this machine" in (elsewhere.note or "")
