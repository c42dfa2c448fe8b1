"""The server's answers against the Open Inference Protocol's REST API.

``SCHEMAS`` are the response objects of the protocol's OpenAPI document (KServe's
``docs/predict-api/v2/rest_predict_v2.yaml``, ``components/schemas``) as JSON Schema; each
answer is also parsed by the working group's own generated types (``open-inference-openapi``).
Beyond the document, the protocol's text asks that a tensor's data hold as many elements as
its shape says, and that an output be typed as the model metadata described it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from open_inference.openapi.types import (
    InferenceErrorResponse,
    InferenceResponse,
    MetadataModelResponse,
    MetadataServerResponse,
)
from starlette.testclient import TestClient

from jupyter_mlver.core.models.signature import infer_signature, with_outputs
from jupyter_mlver.serving import model as served_model
from jupyter_mlver.serving.app import create_app
from tests.serving.helpers import training_frame, write_model_dir

_TENSOR_DATA = {
    "type": "array",
    "items": {
        "anyOf": [
            {"$ref": "#/$defs/tensor_data"},
            {"type": "number"},
            {"type": "string"},
            {"type": "boolean"},
        ]
    },
}
_DEFS: dict[str, Any] = {
    "tensor_data": _TENSOR_DATA,
    "parameters": {"type": "object"},
    "metadata_tensor": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "datatype": {"type": "string"},
            "shape": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["name", "datatype", "shape"],
    },
    "response_output": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "shape": {"type": "array", "items": {"type": "integer"}},
            "datatype": {"type": "string"},
            "parameters": {"$ref": "#/$defs/parameters"},
            "data": {"$ref": "#/$defs/tensor_data"},
        },
        "required": ["name", "shape", "datatype", "data"],
    },
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "metadata_server_response": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "extensions": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "version", "extensions"],
    },
    "metadata_model_response": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "versions": {"type": "array", "items": {"type": "string"}},
            "platform": {"type": "string"},
            "inputs": {"type": "array", "items": {"$ref": "#/$defs/metadata_tensor"}},
            "outputs": {"type": "array", "items": {"$ref": "#/$defs/metadata_tensor"}},
        },
        "required": ["name", "platform"],
    },
    "inference_response": {
        "type": "object",
        "properties": {
            "model_name": {"type": "string"},
            "model_version": {"type": "string"},
            "id": {"type": "string"},
            "parameters": {"$ref": "#/$defs/parameters"},
            "outputs": {"type": "array", "items": {"$ref": "#/$defs/response_output"}},
        },
        "required": ["model_name", "outputs"],
    },
    "error_response": {
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    },
}
#: The protocol's tensor datatypes.
DATATYPES = {
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
    "FP16", "FP32", "FP64", "BYTES",
}  # fmt: skip


def check(kind: str, answer: Any) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()
    jsonschema.validate(body, {**SCHEMAS[kind], "$defs": _DEFS})
    return body


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return training_frame(40, seed=11)


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory, churn: Any, frame: pd.DataFrame) -> Path:
    """The model directory of a version registered with an example, as registration writes
    its signature: the inputs read from the example, the outputs from running the model."""
    signature = with_outputs(infer_signature(frame.head()), churn, frame.head())
    return write_model_dir(tmp_path_factory.mktemp("oip") / "model", churn, signature=signature)


@pytest.fixture
def oip(registered: Path) -> Iterator[TestClient]:
    with TestClient(create_app(served_model.load(registered))) as c:
        yield c


def test_metadata_conforms_and_describes_inputs_and_outputs(oip: TestClient) -> None:
    server = check("metadata_server_response", oip.get("/v2/", follow_redirects=False))
    MetadataServerResponse.parse_obj(server)
    for path in ("/v2/models/churn", "/v2/models/churn/versions/2"):
        meta = check("metadata_model_response", oip.get(path))
        MetadataModelResponse.parse_obj(meta)
        assert [i["name"] for i in meta["inputs"]] == ["age", "income", "plan", "active"]
        assert meta["outputs"] == [
            {"name": "predict", "datatype": "BOOL", "shape": [-1]},
            {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]},
        ]
        assert {t["datatype"] for t in meta["inputs"] + meta["outputs"]} <= DATATYPES


def test_inference_answers_conform_and_match_the_metadata(
    oip: TestClient, churn: Any, frame: pd.DataFrame
) -> None:
    meta = oip.get("/v2/models/churn").json()
    described = {o["name"]: o for o in meta["outputs"]}
    rows = frame.iloc[:7]
    tensors = [
        {"name": t["name"], "shape": [len(rows)], "datatype": t["datatype"],
         "data": rows[t["name"]].tolist()}
        for t in meta["inputs"]
    ]  # fmt: skip
    request = {"id": "r-1", "inputs": tensors, "outputs": [{"name": n} for n in described]}
    body = check("inference_response", oip.post("/v2/models/churn/infer", json=request))
    InferenceResponse.parse_obj(body)
    assert body["model_name"] == "churn"
    assert body["model_version"] == "2"
    assert body["id"] == "r-1"
    for output in body["outputs"]:
        meta_tensor = described[output["name"]]
        assert output["datatype"] == meta_tensor["datatype"]
        assert output["shape"] == [len(rows) if d == -1 else d for d in meta_tensor["shape"]]
        assert len(output["data"]) == math.prod(output["shape"])
    by_name = {o["name"]: o["data"] for o in body["outputs"]}
    assert by_name["predict"] == churn.predict(rows).tolist()
    # Without "outputs" the answer is predict's, still conforming.
    default = check(
        "inference_response", oip.post("/v2/models/churn/infer", json={"inputs": tensors})
    )
    assert [o["name"] for o in default["outputs"]] == ["predict"]


def test_errors_conform(oip: TestClient) -> None:
    for answer, status in (
        (oip.post("/v2/models/churn/infer", json={"inputs": []}), 400),
        (oip.post("/v2/models/churn/infer", content=b"{not json"), 400),
        (oip.post("/v2/models/other/infer", json={"inputs": []}), 404),
        (oip.get("/v2/models/churn/versions/9"), 404),
    ):
        assert answer.status_code == status
        InferenceErrorResponse.parse_obj(check("error_response", answer))


def test_a_signature_without_outputs_takes_them_from_the_fitted_model(
    tmp_path: Path, churn: Any
) -> None:
    """A version registered without an example (or by an older jupyter_mlver)."""
    served = served_model.load(write_model_dir(tmp_path / "model", churn))
    with TestClient(create_app(served)) as c:
        meta = check("metadata_model_response", c.get("/v2/models/churn"))
    assert meta["outputs"] == [
        {"name": "predict", "datatype": "BOOL", "shape": [-1]},
        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]},
    ]
