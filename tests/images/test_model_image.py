"""``model build``: the serving image of a registered scikit-learn model, built once per
session on the real engine, inspected, and run."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
from prometheus_client.parser import text_string_to_metric_families

from jupyter_mlver.core import records
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images.model_image import ModelImageOptions, build_model_image
from jupyter_mlver.core.records import ImageRecord
from tests.images.conftest import ServingImage
from tests.serving.helpers import training_frame

from .helpers import CLI, cli, container_output
from .model_helpers import request, running

SCHEMAS = Path(__file__).parents[2] / "jupyter_mlver" / "schemas"


def rows() -> pd.DataFrame:
    frame = training_frame(25, seed=11)
    frame.loc[0:2, "plan"] = ["basic", "plus", "pro"]
    return frame


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return loaded


def test_tags_labels_user_and_entrypoint(
    serving_image: ServingImage, engine: DockerEngine, prefix: str
) -> None:
    result = serving_image.result.build
    record = result.record
    assert record is not None
    assert result.image == f"{prefix}churn:1"
    assert result.tags == [f"{prefix}churn:1", f"{prefix}churn:1.0.0", f"{prefix}churn:production"]
    info = engine.image(serving_image.image)
    assert info is not None
    assert set(result.tags) <= set(info.tags)
    labels = info.labels
    assert labels["io.mlver.model"] == "churn"
    assert labels["io.mlver.model.version"] == "1"
    assert labels["io.mlver.model.flavor"] == "sklearn"
    assert labels["io.mlver.snapshot"] == serving_image.churn.snapshot["id"]
    assert labels["io.mlver.environment"] == serving_image.churn.snapshot["environment"]
    assert labels["org.opencontainers.image.title"] == "churn"
    assert labels["org.opencontainers.image.version"] == "1.0.0"
    assert labels["org.opencontainers.image.created"] == record["created"]
    assert serving_image.result.environment_image is not None
    assert (
        labels["org.opencontainers.image.base.name"] == serving_image.result.environment_image.image
    )
    assert labels["io.mlver.inputs"] == record["inputs"]
    raw = engine.api.inspect_image(info.id)["Config"]
    assert raw["User"] == "1000:1000"
    assert raw["Entrypoint"] == ["python", "-m", "jupyter_mlver.serving"]
    assert not raw["Cmd"]
    assert "8080/tcp" in raw["ExposedPorts"]


def test_runs_as_non_root(serving_image: ServingImage, engine: DockerEngine) -> None:
    out = container_output(engine, serving_image.image, "id -u; id -g; touch /tmp/ok && echo w")
    assert out.split() == ["1000", "1000", "w"]
    # The model and the server cannot be changed by the user the server runs as.
    check = engine.run(serving_image.image, ["/bin/sh", "-c", "touch /opt/mlver/model/model.json"])
    assert check.exit_code != 0


def test_no_pip_cache_or_wheels_in_the_image(
    serving_image: ServingImage, engine: DockerEngine, base_image: str
) -> None:
    find = (
        "find / -xdev \\( -name '*.whl' -o -name '*.tar.gz' -o -path '*/.cache/pip' "
        "-o -path '*/pip/http*' \\) -print 2>/dev/null | sort; "
        "ls -A /tmp /root/.cache /home/mlver/.cache 2>/dev/null | grep -v ':$' ; true"
    )
    # The base image may ship its own (Debian's ensurepip wheels): nothing may be added.
    ours = set(container_output(engine, serving_image.image, find).split())
    base = set(container_output(engine, base_image, find).split())
    assert ours - base == set()
    # The server's packages are there, unpacked (and precompiled), the model next to them.
    listing = container_output(
        engine,
        serving_image.image,
        "ls /opt/mlver-server/lib; ls /opt/mlver/model /opt/mlver/model/artifact; "
        "find /opt/mlver-server -name '*.pyc' | head -n1",
    )
    for expected in ("starlette", "uvicorn", "prometheus_client", "model.json", "artifact"):
        assert expected in listing
    assert ".pyc" in listing
    # numpy is the environment's, not a second copy.
    assert "numpy" not in listing.split()


def test_the_record_links_the_model_version(serving_image: ServingImage) -> None:
    record = serving_image.result.build.record
    assert record is not None
    schema = json.loads((SCHEMAS / "image.json").read_text())
    jsonschema.validate(record, schema)
    with serving_image.churn.store() as store:
        version = store.get(record["model"]["record"])
        assert (version["name"], version["version"]) == ("churn", 1)
        assert record["model"] == {"name": "churn", "version": 1, "record": version["id"]}
        assert record["id"] in store.index.images_of_model(version["id"])
        # It is the version's image, not one of the snapshot's environment images.
        snapshot, environment_image = record["snapshot"], record.get("environment_image")
        assert snapshot is not None
        assert environment_image is not None
        assert record["id"] not in store.index.images_of(snapshot)
        env_image = store.get(environment_image)
        assert env_image["id"] in store.index.images_of(snapshot)
        assert set(records.references(record)) >= {version["id"], env_image["id"]}
    assert record["server"]["requirements"]
    assert not record["reused"]


def test_same_predictions_through_v2_and_invocations_and_metrics_count_them(
    serving_image: ServingImage, engine: DockerEngine
) -> None:
    frame = rows()
    expected = serving_image.churn.model.predict(frame).tolist()
    probabilities = serving_image.churn.model.predict_proba(frame)[:, 1].tolist()
    with running(engine, serving_image.image) as url:
        status, meta = request(f"{url}/v2/models/churn")
        assert status == 200
        assert meta["versions"] == ["1"]
        tensors = [
            {"name": c, "shape": [len(frame)], "datatype": t, "data": frame[c].tolist()}
            for c, t in zip(frame.columns, ("INT64", "FP64", "BYTES", "BOOL"), strict=True)
        ]
        status, answer = request(
            f"{url}/v2/models/churn/infer",
            {"inputs": tensors, "outputs": [{"name": "predict"}, {"name": "predict_proba"}]},
        )
        assert status == 200, answer
        assert (answer["model_name"], answer["model_version"]) == ("churn", "1")
        outputs = {o["name"]: o for o in answer["outputs"]}
        assert outputs["predict"]["data"] == expected
        proba = outputs["predict_proba"]["data"]
        assert [round(p, 9) for p in proba[1::2]] == [round(p, 9) for p in probabilities]

        split = json.loads(frame.to_json(orient="split", index=False))
        status, answer = request(f"{url}/invocations", {"dataframe_split": split})
        assert status == 200, answer
        assert answer == {"predictions": expected}
        status, answer = request(f"{url}/invocations", {"dataframe_records": as_records(frame)})
        assert answer == {"predictions": expected}
        csv = frame.to_csv(index=False).encode()
        status, answer = request(f"{url}/invocations", raw=csv, content_type="text/csv")
        assert (status, answer) == (200, {"predictions": expected})

        status, bad = request(f"{url}/invocations", {"dataframe_records": [{"age": "x"}]})
        assert status == 400
        assert "income" in bad["error"] or "age" in bad["error"]
        status, bad = request(f"{url}/v2/models/churn/infer", {"inputs": "nope"})
        assert status == 400
        assert "inputs" in bad["error"]

        status, text = request(f"{url}/metrics")
        assert status == 200
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "mlver_requests":
            for sample in family.samples:
                if sample.name == "mlver_requests_total":
                    assert sample.labels["model"] == "churn"
                    assert sample.labels["version"] == "1"
                    key = (sample.labels["endpoint"], sample.labels["status"])
                    counts[key] = counts.get(key, 0) + sample.value
    assert counts[("infer", "2xx")] == 1
    assert counts[("infer", "4xx")] == 1
    assert counts[("invocations", "2xx")] >= 2
    assert counts[("invocations", "4xx")] >= 1


def test_another_version_reuses_the_environment_image_and_an_equal_build_is_reused(
    serving_image: ServingImage, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    with serving_image.churn.store() as store:
        second = build_model_image(
            store,
            ModelImageOptions(ref="churn:2", base=base_image, prefix=prefix, env="snapshot"),
            engine,
        )
        again = build_model_image(
            store,
            ModelImageOptions(
                ref="churn@production", base=base_image, prefix=prefix, env="snapshot"
            ),
            engine,
        )
    assert second.environment_image is not None
    assert second.environment_image.reused
    assert second.build.image == f"{prefix}churn:2"
    assert second.build.tags == [f"{prefix}churn:2"]  # production is held by version 1
    assert serving_image.result.environment_image is not None
    env_info = engine.image(serving_image.result.environment_image.image or "")
    info = engine.image(second.build.image)
    assert env_info is not None
    assert info is not None
    # The environment image's layers are the serving image's lower layers.
    assert info.layers[: len(env_info.layers)] == env_info.layers
    assert len(info.layers) - len(env_info.layers) <= 5
    assert again.build.reused
    assert again.build.record is not None
    assert again.build.record["image_id"] == _stored(serving_image.result.build.record)["image_id"]


def test_cli_json_has_the_shape_of_env_build(
    serving_image: ServingImage, base_image: str, prefix: str, with_prefix: None
) -> None:
    proc = cli(serving_image.churn.project, "model", "build", "churn@production", "--base",
               base_image, "--env", "snapshot", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"image", "tags", "reused", "record"} <= set(out)
    assert out["image"] == f"{prefix}churn:1"
    assert out["reused"] is True
    assert out["record"]["image_id"] == _stored(serving_image.result.build.record)["image_id"]
    assert out["model"]["name"] == "churn"
    assert out["model"]["version"] == 1
    assert out["environment_image"]["reused"] is True
    assert out["env"] == "snapshot"
    text = cli(
        serving_image.churn.project, "model", "build", "churn:1", "--base", base_image,
        "--env", "snapshot",
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert f"reused {prefix}churn:1 (" in text.stdout
    assert "serving model churn:1" in text.stdout


def test_cli_errors_are_one_line(serving_image: ServingImage, tmp_path: Path) -> None:
    project = serving_image.churn.project
    for args, message in [
        (["model", "build", "nosuch"], "no model named 'nosuch'"),
        (["model", "build", "churn:9"], "model churn has no version 9"),
        (["model", "build", "churn:1", "--tag", "bad tag"], "invalid image tag"),
    ]:
        proc = cli(project, *args)
        assert proc.returncode == 1
        assert message in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [str(CLI), "model", "build", "churn:1"],
        cwd=project, capture_output=True, text=True,
        env={**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no.sock"},
    )  # fmt: skip
    assert proc.returncode == 1
    assert "no Docker engine answers" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_model_show_lists_the_serving_images(serving_image: ServingImage, prefix: str) -> None:
    project = serving_image.churn.project
    record = serving_image.result.build.record
    assert record is not None
    text = cli(project, "model", "show", "churn@production")
    assert text.returncode == 0, text.stderr
    # Newest first: a reuse recorded by another test may come before the build.
    assert f"images       {prefix}churn:1 ({record['image_id'][7:19]}, " in text.stdout
    shown = json.loads(cli(project, "model", "show", "churn:1", "--json").stdout)
    assert shown["id"] == record["model"]["record"]
    assert "images" not in shown  # --json prints the version's record as it is


def _stored(record: ImageRecord | None) -> ImageRecord:
    """A build's record (None only for a dry run)."""
    assert record is not None
    return record
