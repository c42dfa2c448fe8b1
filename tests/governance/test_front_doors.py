"""``jupyter mlver model health`` as a user runs it: text, --json, --check, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import CLI


def _versions(cli: CLI, name: str, values: list[float], *extra: str) -> None:
    for value in values:
        cli("snapshot", "-m", f"{name} {value}", "--metric", f"auc={value}", "--data", "data")
        (cli.cwd / "model.bin").write_text(f"{name} trained to auc={value}\n")
        cli("model", "register", name, "model.bin", "--gate", "auc", *extra)


def test_health_text_json_and_check(project: Path, cli: CLI) -> None:
    _versions(cli, "churn", [0.9, 0.86, 0.8])
    _versions(cli, "wine", [0.7, 0.75, 0.8], "--alias", "production")
    text = cli("model", "health").stdout
    lines = text.splitlines()
    assert lines[0].split() == [
        "MODEL", "VERSION", "ALIASES", "DEPLOYED", "METRIC", "TREND", "DATA", "AGE",
        "TRAINED", "DRIFT", "RECOMMENDATION",
    ]  # fmt: skip
    assert lines[1].startswith("churn")
    assert lines[1].endswith("RETRAIN")
    assert "auc=0.8" in lines[1]
    assert "↘ -0.05/version" in lines[1]
    assert lines[2].startswith("wine")
    assert lines[2].endswith("OK")
    assert "production→3" in lines[2]
    assert "(alias production)" in lines[2]
    assert "churn: retrain: auc is falling: -0.05 per version over versions 1–3" in text
    assert "wine: ok: auc +0.05 per version; not served" in text

    table = cli.json("model", "health")
    assert [m["recommendation"]["action"] for m in table["models"]] == ["retrain", "ok"]
    assert table["models"][0]["trend"]["slope"] == pytest.approx(-0.05)
    assert cli("model", "health", "--check", check=False).returncode == 1
    assert cli("model", "health", "wine", "--check").returncode == 0
    assert cli.json("model", "health", "wine")["models"][0]["name"] == "wine"


def test_health_errors_are_one_line(project: Path, cli: CLI) -> None:
    proc = cli("model", "health", check=False)
    assert proc.returncode == 1
    assert "no jupyter_mlver store" in proc.stderr
    _versions(cli, "churn", [0.9])
    for args, message in (
        (("nope",), "no model named 'nope'"),
        (("Bad",), "invalid model name 'Bad'"),
    ):
        proc = cli("model", "health", *args, check=False)
        assert proc.returncode == 1
        assert proc.stderr.count("\n") == 1
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
    config = project / ".mlver" / "config.toml"
    config.write_text(config.read_text() + "\n[governance]\nmax_drift_share = 1.5\n")
    proc = cli("model", "health", check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "[governance] max_drift_share must be between 0 and 1, got 1.5" in proc.stderr
