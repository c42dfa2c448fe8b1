"""Secrets in the environment and in git remotes never reach the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlver.core.capture.secrets import Redactor, strip_url_credentials
from tests.support import CLI, git

SECRET = "tok-9f8e7d6c5b4a39281706"
REMOTE_SECRET = "ghp_R3m0teS3cretValue77"


def all_store_bytes(store_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in store_dir.rglob("*") if p.is_file())


def test_secrets_appear_nowhere_in_the_store(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", SECRET)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    git(project, "remote", "add", "origin", f"https://alice:{REMOTE_SECRET}@github.com/o/r.git")
    # The secret also lands in a tracked file's uncommitted diff and in the message.
    (project / "train.py").write_text(f"API = '{SECRET}'\n")
    (project / "data" / ".env").write_text(f"MY_SERVICE_TOKEN={SECRET}\n")
    cli = CLI(project)
    cli(
        "snapshot",
        "-m",
        f"run with {SECRET}",
        "--data",
        "data",
        "--param",
        f"key={SECRET}",
        "--tag",
        "s",
        env={
            "MY_SERVICE_TOKEN": SECRET,
            "PIP_INDEX_URL": f"https://bob:{REMOTE_SECRET}@pypi.example.org/simple",
        },
    )
    blob = all_store_bytes(project / ".mlver")
    assert SECRET.encode() not in blob
    assert REMOTE_SECRET.encode() not in blob
    shown = cli.json("show", "s")
    assert shown["git"]["remote"] == "https://github.com/o/r.git"
    assert "[REDACTED]" in shown["message"]
    env = cli.json("show", shown["environment"])
    assert env["env_vars"]["OMP_NUM_THREADS"] == "2"
    assert "MY_SERVICE_TOKEN" not in env["env_vars"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:p@host/x.git", "https://host/x.git"),
        ("https://token@host/x.git", "https://host/x.git"),
        ("ssh://git:pw@host/x.git", "ssh://git@host/x.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("https://host/x.git", "https://host/x.git"),
    ],
)
def test_strip_url_credentials(url: str, expected: str) -> None:
    assert strip_url_credentials(url) == expected


def test_redactor_ignores_short_and_unrelated_values() -> None:
    r = Redactor({"API_KEY": "abc", "DB_PASSWORD": "correct-horse", "HOME": "/root/home"})
    assert (
        r.text("pw=correct-horse at /root/home with abc") == "pw=[REDACTED] at /root/home with abc"
    )
