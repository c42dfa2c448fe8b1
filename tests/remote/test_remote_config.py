"""``jupyter mlver remote add|list|remove``: config.toml edits, and no credentials ever."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core import remote
from jupyter_mlver.core.errors import InvalidInput, RecordNotFound, RemoteError
from jupyter_mlver.core.store.store import Store

JUPYTER_MLVER = str(Path(sys.executable).parent / "jupyter-mlver")


def run(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([JUPYTER_MLVER, *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc


def config_text(project: Path) -> str:
    return (project / ".mlver" / "config.toml").read_text()


def test_add_list_remove_keep_the_users_comments(project: Path) -> None:
    run(
        project,
        "remote",
        "add",
        "origin",
        "s3://bucket/team",
        "-o",
        "endpoint_url=http://127.0.0.1:9000",
        "-o",
        "client_kwargs.region_name=eu-west-1",
    )
    run(project, "remote", "add", "shared", "../shared-store")
    text = config_text(project)
    assert "# Keep copies of data files in the store" in text  # the default file's comment
    listed = json.loads(run(project, "remote", "list", "--json").stdout)
    assert listed == [
        {
            "name": "origin",
            "url": "s3://bucket/team",
            "default": False,
            "options": {
                "endpoint_url": "http://127.0.0.1:9000",
                "client_kwargs": {"region_name": "eu-west-1"},
            },
        },
        # A relative path is kept absolute, relative to the project (the store's parent).
        {
            "name": "shared",
            "url": (project.parent / "shared-store").as_posix(),
            "default": False,
            "options": {},
        },
    ]
    # Two remotes and none marked: there is no default, and push says what to do.
    proc = run(project, "push", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "jupyter mlver: error: there are 2 remotes and none is the default (name one, or mark "
        "one with `jupyter mlver remote add --default NAME URL`)"
    )
    run(project, "remote", "remove", "origin")
    assert "origin" not in config_text(project)
    assert "# Keep copies of data files in the store" in config_text(project)
    with Store.open(project) as store:
        assert remote.get_remote(store).name == "shared"  # the only one is the default
        assert store.config()["data"]["store_copies"] is True


def test_default_moves_with_add_default(project: Path) -> None:
    with Store.open(project, create=True) as store:
        remote.add_remote(store, "a", "/tmp/a", default=True)
        remote.add_remote(store, "b", "/tmp/b")
        assert remote.get_remote(store).name == "a"
        remote.add_remote(store, "c", "/tmp/c", default=True)
        assert remote.get_remote(store).name == "c"
        assert [r.name for r in remote.list_remotes(store) if r.default] == ["c"]
        assert config_text(project).count("default = true") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/x"],
        ["https://user:hunter22@example.org/store"],
        ["ssh://ada:hunter22@host/srv/mlver"],
        ["az://container/x?sv=2022&sig=abcdef"],
        ["s3://bucket/x", "-o", "aws_secret_access_key=abc"],
        ["s3://bucket/x", "-o", "key=AKIAEXAMPLE"],
        ["s3://bucket/x", "-o", "client_kwargs.aws_session_token=abc"],
        ["gs://bucket/x", "-o", "token=ya29.secret"],
    ],
)
def test_credentials_are_refused_and_nothing_is_written(project: Path, args: list[str]) -> None:
    run(project, "remote", "add", "keep", "/tmp/keep")
    before = config_text(project)
    proc = run(project, "remote", "add", "origin", *args, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("jupyter mlver: error: ")
    assert "credential" in proc.stderr or "password" in proc.stderr
    assert "never" in proc.stderr  # the hint says where credentials come from instead
    assert config_text(project) == before


def test_ssh_login_name_is_not_a_credential(project: Path) -> None:
    # paramiko (fsspec's SSH backend) is not installed here: the URL passes the credential
    # check and stops at the missing package, which the error names.
    with Store.open(project, create=True) as store, pytest.raises(RemoteError) as info:
        remote.add_remote(store, "box", "ssh://ada@host/srv/mlver")
    assert "paramiko" in str(info.value)
    assert "password" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nope://bucket/x", "unknown storage protocol nope://"),
        ("", "the remote URL is empty"),
    ],
)
def test_bad_urls(project: Path, url: str, message: str) -> None:
    proc = run(project, "remote", "add", "origin", url, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr


def test_names_and_duplicates(project: Path) -> None:
    with Store.open(project, create=True) as store:
        with pytest.raises(InvalidInput, match="invalid remote name"):
            remote.add_remote(store, "-x", "/tmp/x")
        remote.add_remote(store, "origin", "/tmp/x")
        with pytest.raises(InvalidInput, match="already exists"):
            remote.add_remote(store, "origin", "/tmp/y")
        with pytest.raises(RecordNotFound, match="no remote named 'other'"):
            remote.remove_remote(store, "other")


def test_split_target_prefers_a_remote_name(project: Path) -> None:
    with Store.open(project, create=True) as store:
        remote.add_remote(store, "origin", "/tmp/x")
        assert remote.split_target(store, ["origin", "v1"]) == ("origin", ["v1"])
        assert remote.split_target(store, ["v1", "HEAD"]) == (None, ["v1", "HEAD"])
        assert remote.split_target(store, []) == (None, [])


def test_push_without_a_remote_says_how_to_add_one(project: Path, cli: Any) -> None:
    cli("snapshot", "-m", "x")
    proc = run(project, "push", check=False)
    assert proc.returncode == 1
    assert "no remote is configured" in proc.stderr
    assert "remote add NAME URL" in proc.stderr


def test_a_missing_backend_names_the_package(project: Path) -> None:
    # gcsfs is not a dependency: the error says what to install instead of a traceback.
    proc = run(project, "remote", "add", "gcs", "gs://bucket/x", check=False)
    assert proc.returncode == 1
    assert "gs:// needs a package that is not installed" in proc.stderr
    assert "gcsfs" in proc.stderr


def test_a_filesystem_whose_protocol_is_a_list_works(
    project: Path, store: Store, tmp_path: Path
) -> None:
    """Older s3fs (and other backends) declare ``protocol = ["s3", "s3a"]``."""
    from fsspec.implementations.memory import MemoryFileSystem
    from fsspec.registry import register_implementation

    from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot

    class ListProtocolFS(MemoryFileSystem):  # type: ignore[misc]
        protocol = ["listmem", "listmem-alt"]  # noqa: RUF012 (what the backends declare)

    register_implementation("listmem", ListProtocolFS, clobber=True)
    record = take_snapshot(store, SnapshotOptions(message="shared", data=["data"]))
    remote.add_remote(store, "team", "listmem://bucket/mlver")
    result = remote.push(store, "team")
    assert result.ok
    assert result.published == 2
    with Store.open(tmp_path / "clone", create=True) as clone:
        remote.add_remote(clone, "team", "listmem://bucket/mlver")
        assert remote.pull(clone, "team").ok
        assert clone.get(record["id"])["message"] == "shared"
