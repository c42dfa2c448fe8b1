"""Every record kind's TypedDict (``jupyter_mlver.core.records``) and its JSON Schema
(``jupyter_mlver/schemas/``) say the same: the same fields, the same required ones, and the
same shapes inside, nested objects included.

No ``from __future__ import annotations`` here: the fake records below need their annotations
evaluated for their NotRequired fields to be known at run time.
"""

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from typing_extensions import NotRequired, TypedDict

from jupyter_mlver.core import records
from jupyter_mlver.core.drift.report import SCHEMA as DRIFT
from jupyter_mlver.core.errors import StoreError
from jupyter_mlver.core.records import DriftReportJson, ModelRecord, RunSection, SnapshotRecord
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store
from tests.record_shapes import differences

#: Schema file -> the TypedDict that says the same: every record kind, and the drift report.
TYPES: dict[str, Any] = {
    **{records.KINDS[schema]: tp for tp, schema in records.TYPES.items()},
    "drift": DriftReportJson,
}


def schema(name: str) -> dict[str, Any]:
    text = (resources.files("jupyter_mlver") / "schemas" / f"{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


@pytest.mark.parametrize("name", sorted(TYPES))
def test_the_type_and_the_schema_say_the_same(name: str) -> None:
    assert differences(TYPES[name], schema(name)) == []


def test_the_run_section_is_the_snapshot_schemas_run() -> None:
    snapshot = schema("snapshot")
    assert differences(RunSection, snapshot["properties"]["run"], snapshot["$defs"]) == []


def test_every_schema_has_a_type_and_every_kind_a_schema() -> None:
    files = {
        p.name.removesuffix(".json")
        for p in resources.files("jupyter_mlver").joinpath("schemas").iterdir()
        if p.name.endswith(".json")
    }
    assert files == set(TYPES)
    assert set(records.TYPES.values()) == set(records.KINDS)


def test_a_record_is_read_as_its_kind(store: Store) -> None:
    sid = str(take_snapshot(store, SnapshotOptions(message="m"))["id"])
    snapshot = store.get(sid, SnapshotRecord)
    assert snapshot["message"] == "m"
    with pytest.raises(StoreError, match=f"record {sid[:12]} is a snapshot, not a model"):
        store.get(sid, ModelRecord)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_each_schema_names_its_kind(name: str) -> None:
    loaded = schema(name)
    expected = DRIFT if name == "drift" else next(s for s, k in records.KINDS.items() if k == name)
    assert (loaded["title"], loaded["properties"]["schema"]["const"]) == (expected, expected)


# -- the comparison finds what differs ---------------------------------------------------

HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


class _Kernel(TypedDict):
    name: str
    language: str


class _Notebook(TypedDict):
    path: str | None
    kernel: _Kernel


class _Record(TypedDict):
    id: NotRequired[str]
    count: int
    tags: list[str]
    notebook: _Notebook | None
    params: dict[str, str | float]


def _schema(**change: Any) -> dict[str, Any]:
    kernel = {
        "type": "object",
        "required": ["name", "language"],
        "properties": {"name": {"type": "string"}, "language": {"type": "string"}},
    }
    notebook = {
        "type": "object",
        "required": ["path", "kernel"],
        "properties": {"path": {"type": ["string", "null"]}, "kernel": kernel},
    }
    properties = {
        "id": {"$ref": "#/$defs/hash"},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "notebook": {"oneOf": [{"type": "null"}, notebook]},
        "params": {"type": "object", "additionalProperties": {"type": ["number", "string"]}},
    }
    return {
        "type": "object",
        "required": ["count", "tags", "notebook", "params"],
        "properties": {**properties, **change},
        "$defs": {"hash": HASH},
    }


def test_a_type_equal_to_its_schema_has_no_differences() -> None:
    assert differences(_Record, _schema()) == []


def test_a_field_the_schema_misses_is_found() -> None:
    loaded = _schema()
    del loaded["properties"]["tags"]
    loaded["required"].remove("tags")
    assert differences(_Record, loaded) == [
        ".: fields only in the type ['tags'], only in the schema []",
        ".: required only in the type ['tags'], only in the schema []",
    ]


def test_a_field_required_on_one_side_only_is_found() -> None:
    loaded = _schema()
    loaded["required"].append("id")
    assert differences(_Record, loaded) == [
        ".: required only in the type [], only in the schema ['id']"
    ]


def test_a_difference_inside_a_nested_object_is_found() -> None:
    kernel = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "display": {"type": "string"}},
    }
    notebook = {
        "type": "object",
        "required": ["path", "kernel"],
        "properties": {"path": {"type": ["string", "null"]}, "kernel": kernel},
    }
    found = differences(_Record, _schema(notebook={"oneOf": [{"type": "null"}, notebook]}))
    assert found == [
        ".notebook.kernel: fields only in the type ['language'], only in the schema ['display']",
        ".notebook.kernel: required only in the type ['language'], only in the schema []",
    ]


def test_what_a_field_holds_is_compared() -> None:
    found = differences(
        _Record,
        _schema(
            count={"type": "string"},
            tags={"type": "array", "items": {"type": "integer"}},
            notebook={"type": "object", "properties": {}},
            params={"type": "object", "additionalProperties": {"type": "number"}},
        ),
    )
    assert found == [
        ".count: integer in the type, ['string'] in the schema",
        ".count: string in the schema, ['integer'] in the type",
        ".notebook: null in the type, ['object'] in the schema",
        ".notebook: the schema does not describe the fields of _Notebook",
        ".params{}: string in the type, ['number'] in the schema",
        ".tags[]: string in the type, ['integer'] in the schema",
        ".tags[]: integer in the schema, ['string'] in the type",
    ]
