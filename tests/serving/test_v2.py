"""Open Inference Protocol v2 (KServe) through the ASGI app."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from jupyter_mlver import __version__
from jupyter_mlver.serving.model import ServedModel
from jupyter_mlver.serving.v2 import parse_infer

INFER = "/v2/models/churn/infer"


def column_tensors(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One tensor per column, with the protocol's datatype for each."""
    types = {"age": "INT64", "income": "FP64", "plan": "BYTES", "active": "BOOL"}
    return [
        {
            "name": name,
            "shape": [len(frame)],
            "datatype": types[name],
            "data": frame[name].tolist(),
        }
        for name in frame.columns
    ]


def test_health_and_server_metadata(client: TestClient) -> None:
    assert client.get("/v2/health/live").status_code == 200
    assert client.get("/v2/health/ready").status_code == 200
    assert client.get("/v2").json() == {
        "name": "jupyter_mlver",
        "version": __version__,
        "extensions": [],
    }


def test_model_metadata_lists_the_signature_inputs(client: TestClient) -> None:
    for path in ("/v2/models/churn", "/v2/models/churn/versions/2"):
        meta = client.get(path).json()
        assert meta["name"] == "churn"
        assert meta["versions"] == ["2"]
        assert meta["platform"] == "sklearn"
        assert meta["inputs"] == [
            {"name": "age", "datatype": "INT64", "shape": [-1]},
            {"name": "income", "datatype": "FP64", "shape": [-1]},
            {"name": "plan", "datatype": "BYTES", "shape": [-1]},
            {"name": "active", "datatype": "BOOL", "shape": [-1]},
        ]


def test_model_ready_and_unknown_models(client: TestClient) -> None:
    assert client.get("/v2/models/churn/ready").status_code == 200
    assert client.get("/v2/models/churn/versions/2/ready").status_code == 200
    for path in ("/v2/models/other", "/v2/models/other/ready", "/v2/models/churn/versions/3"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "not served here" in answer.json()["error"]
    wrong = client.post("/v2/models/churn/versions/1/infer", json={"inputs": []})
    assert wrong.status_code == 404
    assert "version 1" in wrong.json()["error"]


def test_infer_one_tensor_per_column(client: TestClient, churn: Any, rows: pd.DataFrame) -> None:
    answer = client.post(INFER, json={"id": "req-42", "inputs": column_tensors(rows)})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_name"] == "churn"
    assert body["model_version"] == "2"
    assert body["id"] == "req-42"
    [output] = body["outputs"]
    assert output["name"] == "predict"
    assert output["datatype"] == "BOOL"
    assert output["shape"] == [len(rows)]
    assert output["data"] == churn.predict(rows).tolist()


def test_infer_versioned_path_and_generated_id(client: TestClient, rows: pd.DataFrame) -> None:
    body = client.post(
        "/v2/models/churn/versions/2/infer", json={"inputs": column_tensors(rows)}
    ).json()
    assert body["model_version"] == "2"
    assert len(body["id"]) == 36  # a UUID when the request has none


def test_infer_columns_shaped_rows_by_one(
    client: TestClient, churn: Any, rows: pd.DataFrame
) -> None:
    tensors = column_tensors(rows)
    for t in tensors:
        t["shape"] = [len(rows), 1]
        t["data"] = [[v] for v in t["data"]]
    body = client.post(INFER, json={"inputs": tensors}).json()
    assert body["outputs"][0]["data"] == churn.predict(rows).tolist()


def test_infer_one_2d_tensor_in_signature_order(
    client: TestClient, churn: Any, rows: pd.DataFrame
) -> None:
    matrix = [list(r) for r in rows.itertuples(index=False)]
    for data in (matrix, [v for r in matrix for v in r]):  # natural and flattened forms
        body = client.post(
            INFER,
            json={
                "inputs": [
                    {"name": "input-0", "shape": [len(rows), 4], "datatype": "BYTES", "data": data}
                ]
            },
        ).json()
        assert body["outputs"][0]["data"] == churn.predict(rows).tolist()


def test_infer_predict_proba_as_a_requested_output(
    client: TestClient, churn: Any, rows: pd.DataFrame
) -> None:
    body = client.post(
        INFER,
        json={
            "inputs": column_tensors(rows),
            "outputs": [{"name": "predict_proba"}, {"name": "predict"}],
        },
    ).json()
    proba, labels = body["outputs"]
    assert proba["name"] == "predict_proba"
    assert proba["datatype"] == "FP64"
    assert proba["shape"] == [len(rows), 2]
    np.testing.assert_allclose(
        np.asarray(proba["data"]).reshape(len(rows), 2), churn.predict_proba(rows)
    )
    assert labels["data"] == churn.predict(rows).tolist()


def test_infer_coerces_fp32_and_int_types_to_the_signature(
    client: TestClient, churn: Any, rows: pd.DataFrame
) -> None:
    tensors = column_tensors(rows)
    tensors[0]["datatype"] = "INT32"
    tensors[1]["datatype"] = "FP32"
    body = client.post(INFER, json={"inputs": tensors}).json()
    assert body["outputs"][0]["data"] == churn.predict(rows).tolist()


def test_extra_columns_are_ignored(client: TestClient, churn: Any, rows: pd.DataFrame) -> None:
    tensors = [
        *column_tensors(rows),
        {"name": "customer_id", "shape": [len(rows)], "datatype": "INT64", "data": [1] * len(rows)},
    ]
    body = client.post(INFER, json={"inputs": tensors}).json()
    assert body["outputs"][0]["data"] == churn.predict(rows).tolist()


def bad(client: TestClient, body: Any, status: int = 400) -> str:
    answer = (
        client.post(INFER, content=body, headers={"content-type": "application/json"})
        if isinstance(body, (str, bytes))
        else client.post(INFER, json=body)
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    return str(answer.json()["error"])


def test_bad_payloads_are_400_naming_the_field(client: TestClient, rows: pd.DataFrame) -> None:
    tensors = column_tensors(rows.head(2))
    assert "not valid JSON" in bad(client, "{nope")
    assert "empty body" in bad(client, "")
    assert bad(client, [1, 2]).startswith("expected a JSON object")
    assert bad(client, {"inputs": []}).startswith("inputs:")
    assert bad(client, {"inputs": tensors, "id": 7}).startswith("id:")
    assert bad(client, {"inputs": [5]}).startswith("inputs[0]:")
    assert bad(client, {"inputs": [{**tensors[0], "name": ""}]}).startswith("inputs[0].name:")
    assert bad(client, {"inputs": [tensors[0], {**tensors[1], "shape": [-2]}]}).startswith(
        "inputs[1].shape:"
    )
    assert bad(client, {"inputs": [{**tensors[0], "datatype": "FLOAT"}]}).startswith(
        "inputs[0].datatype:"
    )
    assert bad(client, {"inputs": [{**tensors[0], "data": "1,2"}]}).startswith("inputs[0].data:")
    message = bad(client, {"inputs": [{**tensors[0], "shape": [3]}, *tensors[1:]]})
    assert message == "inputs[0].data: 2 value(s) for shape [3] (3 needed)"
    message = bad(client, {"inputs": tensors[:2]})
    assert message.startswith("inputs: missing column(s) plan, active")
    assert "expects age, income, plan, active" in message
    wrong = [{**tensors[0], "data": ["old", "young"]}, *tensors[1:]]
    assert bad(client, {"inputs": wrong}) == "inputs.age: cannot read 'old' as int64"
    matrix = {"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}
    assert bad(client, {"inputs": [matrix]}).startswith("inputs[0].shape: 3 column(s)")
    wide = [{**tensors[0], "shape": [1, 2]}, *tensors[1:]]
    assert bad(client, {"inputs": wide}).startswith("inputs[0].shape:")
    assert bad(client, {"inputs": tensors, "outputs": [{"name": "explain"}]}).startswith(
        "outputs[0].name: 'explain' is not a method"
    )


def test_model_failure_is_500_json(client: TestClient, rows: pd.DataFrame) -> None:
    tensors = column_tensors(rows.head(2))
    tensors[1]["data"] = [None, 1.0]  # a missing income: the scaler passes NaN on, the model fails
    answer = client.post(INFER, json={"inputs": tensors})
    assert answer.status_code == 500
    assert answer.json()["error"].startswith("the model's predict failed: ValueError")


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    answer = client.get("/v2/nothing")
    assert answer.status_code == 404
    assert answer.json() == {"error": "no such endpoint: /v2/nothing"}
    assert client.get(INFER).status_code == 405


@pytest.mark.parametrize(
    ("datatype", "data", "expected"),
    [("FP32", [1.5], "float32"), ("UINT8", [3], "uint8"), ("BOOL", [True], "bool")],
)
def test_without_signature_the_tensor_datatype_decides(
    datatype: str, data: list[Any], expected: str
) -> None:
    class Echo:
        def predict(self, frame: Any) -> Any:
            return frame

    served = ServedModel("echo", "1", "cloudpickle", [], Echo())
    body = {"inputs": [{"name": "x", "shape": [1], "datatype": datatype, "data": data}]}
    request = parse_infer(json.dumps(body).encode(), served)
    assert request.table.arrays[0].dtype == np.dtype(expected)
