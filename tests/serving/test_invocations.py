"""MLflow / SageMaker scoring protocol: every payload format, CSV, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from jupyter_mlver.serving import mlflow
from jupyter_mlver.serving.model import ServedModel
from jupyter_mlver.serving.table import Column
from tests.serving.conftest import records


def payloads(frame: pd.DataFrame) -> dict[str, Any]:
    rows = records(frame)
    columns = list(frame.columns)
    return {
        "dataframe_split": {
            "dataframe_split": {
                "columns": columns,
                "data": [[r[c] for c in columns] for r in rows],
                "index": list(range(len(rows))),
            }
        },
        "dataframe_split without columns": {
            "dataframe_split": {"data": [[r[c] for c in columns] for r in rows]}
        },
        "dataframe_records": {"dataframe_records": rows},
        "instances as records": {"instances": rows},
        "instances as rows": {"instances": [[r[c] for c in columns] for r in rows]},
        "inputs as columns": {"inputs": {c: [r[c] for r in rows] for c in columns}},
        "inputs as rows": {"inputs": [[r[c] for c in columns] for r in rows]},
        "columns reordered, extra column": {
            "dataframe_records": [
                {"id": i, **dict(reversed(r.items()))} for i, r in enumerate(rows)
            ]
        },
    }


@pytest.mark.parametrize(
    "kind",
    [
        "dataframe_split",
        "dataframe_split without columns",
        "dataframe_records",
        "instances as records",
        "instances as rows",
        "inputs as columns",
        "inputs as rows",
        "columns reordered, extra column",
    ],
)
def test_every_json_format_predicts_like_the_model(
    client: TestClient, churn: Any, rows: pd.DataFrame, kind: str
) -> None:
    answer = client.post("/invocations", json=payloads(rows)[kind])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"predictions": churn.predict(rows).tolist()}


def test_csv(client: TestClient, churn: Any, rows: pd.DataFrame) -> None:
    text = rows.to_csv(index=False)
    for content_type in ("text/csv", "text/csv; charset=utf-8"):
        answer = client.post("/invocations", content=text, headers={"content-type": content_type})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"predictions": churn.predict(rows).tolist()}


def test_predict_proba_through_params(client: TestClient, churn: Any, rows: pd.DataFrame) -> None:
    body = {"dataframe_records": records(rows), "params": {"method": "predict_proba"}}
    predictions = client.post("/invocations", json=body).json()["predictions"]
    np.testing.assert_allclose(predictions, churn.predict_proba(rows))


def test_ping(client: TestClient) -> None:
    assert client.get("/ping").status_code == 200


def test_one_flat_list_is_one_column() -> None:
    class Double:
        def predict(self, frame: Any) -> Any:
            return frame["x"] * 2

    served = ServedModel("double", "1", "cloudpickle", [Column("x", "float64")], Double())
    table, method = mlflow.parse(b'{"inputs": [1, 2.5]}', "application/json", served)
    assert method == "predict"
    assert mlflow.response(served.predict(table)) == {"predictions": [2.0, 5.0]}


def post(client: TestClient, body: Any, content_type: str = "application/json") -> Any:
    if isinstance(body, (str, bytes)):
        return client.post("/invocations", content=body, headers={"content-type": content_type})
    return client.post("/invocations", json=body)


def error(client: TestClient, body: Any, content_type: str = "application/json") -> str:
    answer = post(client, body, content_type)
    assert answer.status_code == 400, answer.text
    return str(answer.json()["error"])


def test_bad_payloads_are_400_naming_the_field(client: TestClient, rows: pd.DataFrame) -> None:
    row = records(rows.head(1))[0]
    assert "not valid JSON" in error(client, "{")
    assert error(client, {"data": [[1]]}).startswith("expected exactly one of dataframe_split")
    assert "got dataframe_records, instances" in error(
        client, {"instances": [row], "dataframe_records": [row]}
    )
    assert error(client, {"instances": [row], "extra": 1}).startswith("extra: unknown field")
    assert error(client, {"dataframe_split": {"columns": ["age"]}}).startswith(
        "dataframe_split.data:"
    )
    assert error(client, {"dataframe_split": {"columns": "age", "data": [[1]]}}).startswith(
        "dataframe_split.columns:"
    )
    split = {"columns": list(row), "data": [list(row.values()), [1, 2]]}
    assert error(client, {"dataframe_split": split}) == (
        "dataframe_split.data[1]: expected a list of 4 value(s)"
    )
    assert error(client, {"dataframe_records": [row, 7]}).startswith("dataframe_records[1]:")
    assert error(client, {"dataframe_records": []}).startswith("dataframe_records:")
    assert error(client, {"dataframe_records": [{**row, "age": "old"}]}) == (
        "dataframe_records.age: cannot read 'old' as int64"
    )
    assert error(client, {"dataframe_records": [{**row, "active": "maybe"}]}) == (
        "dataframe_records.active: cannot read 'maybe' as bool"
    )
    assert error(client, {"dataframe_records": [{**row, "income": True}]}).startswith(
        "dataframe_records.income: true/false given"
    )
    assert error(client, {"dataframe_records": [{**row, "plan": ["a"]}]}).startswith(
        "dataframe_records.plan: expected one value per row"
    )
    assert "missing column(s) plan" in error(
        client, {"dataframe_records": [{k: v for k, v in row.items() if k != "plan"}]}
    )
    assert error(client, {"instances": [[1, 2]]}).startswith(
        "instances[0]: 2 value(s); the model expects 4"
    )
    assert error(client, {"inputs": {"age": [1, 2], "income": [1.0]}}).startswith(
        "inputs: columns have different numbers of rows"
    )
    assert error(client, {"inputs": []}).startswith("inputs:")
    assert error(client, {"inputs": [row], "params": {"method": "fit"}}).startswith(
        "params.method: 'fit' is not a method"
    )
    assert error(client, {"inputs": [row], "params": {"top_k": 3}}).startswith(
        "params.top_k: unknown parameter"
    )


def test_bad_csv_is_400(client: TestClient) -> None:
    assert error(client, "", "text/csv").startswith("csv: empty body")
    assert error(client, "age,income,plan,active\n", "text/csv").startswith("csv: a header row")
    assert error(client, "age,income,plan,active\n1,2\n", "text/csv").startswith("csv line 2:")
    assert error(client, "age,income,plan,active\nx,2,basic,true\n", "text/csv") == (
        "csv.age: cannot read 'x' as int64"
    )
    assert error(client, b"\xff\xfe", "text/csv").startswith("csv: the body is not UTF-8")


def test_unsupported_content_type_is_415(client: TestClient) -> None:
    answer = post(client, "age=1", "application/x-www-form-urlencoded")
    assert answer.status_code == 415
    assert answer.json()["error"].startswith("Content-Type: application/x-www-form-urlencoded")


def test_model_failure_is_500_json(client: TestClient, rows: pd.DataFrame) -> None:
    answer = post(client, "age,income,plan,active\n30,,basic,true\n", "text/csv")
    assert answer.status_code == 500
    assert answer.json()["error"].startswith("the model's predict failed: ValueError")
