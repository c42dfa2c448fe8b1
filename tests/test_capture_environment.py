from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

from jupyter_mlver.core.capture.environment import (
    capture_environment,
    env_vars,
    normalize_name,
    packages,
)


def test_packages_match_importlib_metadata() -> None:
    ours = {p["name"]: p["version"] for p in capture_environment()["packages"]}
    theirs: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        theirs.setdefault(normalize_name(dist.metadata["Name"]), dist.version)
    assert ours == theirs
    assert "blake3" in ours
    assert "jupyter-mlver" in ours


def test_package_sources_from_pep610(tmp_path: Path) -> None:
    site = tmp_path / "site"

    def dist(name: str, version: str, direct_url: dict[str, object] | None) -> None:
        d = site / f"{name}-{version}.dist-info"
        d.mkdir(parents=True)
        (d / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n")
        if direct_url is not None:
            (d / "direct_url.json").write_text(json.dumps(direct_url))

    dist("Plain_Pkg", "1.0", None)
    dist(
        "vcspkg",
        "0.1",
        {
            "url": "https://user:ghp_secret@github.com/o/r.git",
            "vcs_info": {"vcs": "git", "commit_id": "c0ffee"},
        },
    )
    dist("mine", "0.0.1", {"url": "file:///src/mine", "dir_info": {"editable": True}})
    dist("wheelfile", "2.0", {"url": "file:///w/wheelfile-2.0.whl", "archive_info": {}})
    found = {p["name"]: p for p in packages([str(site)])}
    assert found["plain-pkg"] == {
        "name": "plain-pkg",
        "version": "1.0",
        "source": "index",
        "url": None,
        "commit": None,
    }
    assert found["vcspkg"]["source"] == "vcs"
    assert found["vcspkg"]["commit"] == "c0ffee"
    assert found["vcspkg"]["url"] == "git+https://github.com/o/r.git"
    assert found["mine"]["source"] == "editable"
    assert found["wheelfile"]["source"] == "local"


def test_the_editable_project_itself_is_seen_as_editable() -> None:
    pkg = next(p for p in capture_environment()["packages"] if p["name"] == "jupyter-mlver")
    assert pkg["source"] == "editable"


def test_env_vars_are_allow_listed_and_secrets_dropped() -> None:
    environ = {
        "OMP_NUM_THREADS": "4",
        "HOME": "/root",
        "MY_API_TOKEN": "s3cr3t-token-value",
        "PIP_INDEX_URL": "https://bob:hunter22@pypi.example.org/simple",
        "AWS_SECRET_ACCESS_KEY": "x" * 20,
    }
    got = env_vars(["MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY"], environ)
    assert got == {"OMP_NUM_THREADS": "4", "PIP_INDEX_URL": "https://pypi.example.org/simple"}


def test_environment_fields_and_fingerprint() -> None:
    env = capture_environment()
    assert env["python"]["version"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}")
    assert env["python"]["executable"] == sys.executable
    assert env["hardware"]["cores"] >= 1
    assert (env["hardware"]["memory_bytes"] or 0) > 0
    assert env["platform"]["machine"]
    assert env["packages"] == sorted(env["packages"], key=lambda p: p["name"])
    assert capture_environment()["fingerprint"] == env["fingerprint"]
