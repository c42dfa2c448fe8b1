"""``GET governance`` through a real Jupyter server (token auth required): the rules'
verdicts, their reasons and settings, and errors as one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store
from tests.server.conftest import NAMESPACE, Api, ApiError, Fetch


def _version(store: Store, root: Path, name: str, auc: float, **kw: Any) -> None:
    (root / f"{name}.bin").write_bytes(f"{name} {auc}".encode())
    snapshot = take_snapshot(store, SnapshotOptions(metrics={"auc": auc}, data=[root / "data.csv"]))
    prepared = prepare_path(store, root / f"{name}.bin", "file")
    try:
        registry.register(store, prepared, RegistrationOptions(name, **kw), snapshot=snapshot["id"])
    finally:
        prepared.cleanup()


@pytest.fixture
def models(project: dict[str, Any]) -> dict[str, Any]:
    """churn: auc falls over 4 versions (production on 1); wine: rises over 3."""
    root = project["root"]
    with Store(root / ".mlver") as store:
        for i, auc in enumerate([0.9, 0.87, 0.85, 0.8]):
            aliases = ("production",) if i == 0 else ()
            _version(store, root, "churn", auc, gate=Gate("auc"), aliases=aliases)
        for auc in [0.7, 0.75, 0.8]:
            _version(store, root, "wine", auc, gate=Gate("auc"), aliases=("production",))
    return project


async def test_no_store_is_an_empty_table(api: Api, jp_root_dir: Path) -> None:
    table = await api("governance")
    assert table["models"] == []
    assert table["generation"] == 0
    assert table["rules"]["max_drift_share"] == 0.5


async def test_one_row_per_model_with_its_recommendation(models: dict[str, Any], api: Api) -> None:
    table = await api("governance")
    assert [m["name"] for m in table["models"]] == ["churn", "wine"]
    churn, wine = table["models"]
    assert churn["recommendation"]["action"] == "retrain"
    assert churn["recommendation"]["reason"].startswith("auc is falling: -0.03")
    assert churn["recommendation"]["findings"][0]["rule"] == "trend"
    assert churn["version"] == 1
    assert churn["latest"] == 4
    assert churn["aliases"]["production"]["version"] == 1
    assert churn["deployed"]["via"] == "alias production"
    assert churn["deployed"]["since"] == churn["aliases"]["production"]["since"]
    assert churn["metric"]["name"] == "auc"
    assert churn["metric"]["value"] == 0.9
    assert churn["metric"]["values"] == {"1": 0.9, "2": 0.87, "3": 0.85, "4": 0.8}
    assert churn["trend"]["versions"] == [1, 2, 3, 4]
    assert churn["trend"]["falling"]
    assert churn["freshness"]["files"] == 1
    assert churn["freshness"]["newest_file"] == "data.csv"
    # data.csv was first recorded by the seeded project's first snapshot.
    first = (await api("snapshots", params={"q": "baseline"}))["snapshots"][0]["created"]
    assert churn["freshness"]["data_recorded"] == first
    assert churn["drift_share"] is None
    assert churn["deployments"] == []
    assert wine["recommendation"]["action"] == "ok"
    assert wine["version"] == 3
    assert wine["recommendation"]["reason"] == "auc +0.05 per version; not served"
    assert table["generation"] > 0

    only = await api("governance", params={"name": "wine"})
    assert [m["name"] for m in only["models"]] == ["wine"]


async def test_the_rules_come_from_the_stores_config(models: dict[str, Any], api: Api) -> None:
    config = models["root"] / ".mlver" / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\ntrend_tolerance = 0.05\n")
    table = await api("governance")
    assert table["rules"]["trend_tolerance"] == 0.05
    assert [m["recommendation"]["action"] for m in table["models"]] == ["ok", "ok"]


async def test_errors_are_one_line(
    models: dict[str, Any], api_error: ApiError, jp_fetch: Fetch
) -> None:
    status, body = await api_error("governance", params={"name": "nope"})
    assert status == 404
    assert body["message"] == "no model named 'nope'"
    status, body = await api_error("governance", params={"name": "Bad Name"})
    assert status == 400
    assert "Bad Name" in body["message"]
    config = models["root"] / ".mlver" / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\nmin_requests = 0\n")
    status, body = await api_error("governance")
    assert status == 500
    assert body["message"].endswith("[governance] min_requests must be at least 2, got 0")
    # Authentication is required.
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(NAMESPACE, "governance", headers={"Authorization": ""})
    assert info.value.code == 403
