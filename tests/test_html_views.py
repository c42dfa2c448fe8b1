"""The notebook's HTML views, built from typed results (never the text view in a card):
every command declares one; tables for tabular results with numbers right-aligned in
tabular figures; JupyterLab's theme variables. Results that need an engine or a remote are
made here by hand (the kernel test, tests/kernel/test_html_tables.py, runs the others)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from jupyter_mlver.commands import COMMANDS
from jupyter_mlver.commands.spec import Command, Group
from jupyter_mlver.core.deploy.serve import Served, Stopped
from jupyter_mlver.core.deploy.status import DeploymentStatus, VersionStatus
from jupyter_mlver.core.deploy.verdict import CanaryRules, Side, in_blocks, judge
from jupyter_mlver.core.deploy.watch import WatchResult
from jupyter_mlver.core.engine.protocol import Container
from jupyter_mlver.core.images.model_common import ModelImageResult
from jupyter_mlver.core.images.plan import BuildResult
from jupyter_mlver.core.images.verify import VerifyResult
from jupyter_mlver.core.records import ImageRecord, ModelRecord
from jupyter_mlver.core.remote.result import TransferResult
from jupyter_mlver.core.runs.sweep import RunResult, SweepResult
from jupyter_mlver.core.store.maintenance import Checked, Collected, FsckReport, GcReport
from jupyter_mlver.core.store.migrate import MigrateReport
from jupyter_mlver.views import markup
from jupyter_mlver.views.deploy import html as deploy_html
from jupyter_mlver.views.images import html as images_html
from jupyter_mlver.views.remote import html as remote_html
from jupyter_mlver.views.runs import html as runs_html
from jupyter_mlver.views.serving import html as serving_html
from jupyter_mlver.views.store import html as store_html

TABLE = '<table class="mlver-table">'


def _commands(items: Any, prefix: str = "") -> list[tuple[str, Command[Any]]]:
    out = []
    for item in items:
        if isinstance(item, Group):
            out += _commands(item.commands, f"{prefix}{item.name} ")
        else:
            out.append((prefix + item.name, item))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(COMMANDS), ids=lambda x: str(x))
def test_every_command_has_an_html_view_of_its_own(name: str, command: Command[Any]) -> None:
    assert command.html is not None, f"{name} would show its text view in a card"


def test_the_table_helper_aligns_numbers_and_wraps_only_wide_columns() -> None:
    page = markup.table(
        ["name", "n", "why"], [["<b>a</b>", "12", "because"]], numeric={1}, wide={2}
    )
    assert page.startswith(TABLE)
    assert '<th>name</th><th class="mlver-num">n</th><th class="mlver-wide">why</th>' in page
    assert '<td class="mlver-num">12</td><td class="mlver-wide">because</td>' in page
    assert "font-variant-numeric:tabular-nums" in markup.CSS
    assert "--jp-border-color" in markup.CSS


def _status(window: float | None = None) -> DeploymentStatus:
    versions = [
        VersionStatus("churn", 1, "stable", 80, 400, 0, 0.0, 2.1, 4.6, 0.0),
        VersionStatus("churn", 2, "canary", 20, 100, 3, 0.03, 2.3, 5.0, None),
    ]
    return DeploymentStatus("churn", "churn", 8000, "http://127.0.0.1:8000", True, versions, window)


def test_deploy_status_and_watch() -> None:
    page = deploy_html.status(_status())
    assert TABLE in page
    assert '<td class="mlver-num">0.030</td>' in page
    assert '<td class="mlver-num"><span class="mlver-muted">-</span></td>' in page  # no drift
    fast = Side(400, 0, in_blocks([0.002] * 400))
    verdict = judge(fast, Side(100, 30, in_blocks([0.002] * 70)), CanaryRules())
    result = WatchResult("churn", "rolled_back", verdict.errors.message, 12.0, _status(12.0))
    result.verdict = verdict
    page = deploy_html.watched(result)
    assert page.count(TABLE) == 2  # the figures, the verdict's two tests
    assert "rolled back the canary after 12 s: error rate" in page
    assert 'class="mlver-error"' in page


def test_serving_images_and_servers() -> None:
    # Only what the views read of the records.
    record = cast(
        ImageRecord,
        {"image_id": "sha256:" + "a" * 64, "repo_digests": [], "id": "b" * 64, "base": "x"},
    )
    build = BuildResult(
        record, "churn:2", ["churn:2"], False, False, "", None, "c" * 64, "e" * 64, 3, []
    )
    env = BuildResult(
        record, "proj:env", ["proj:env"], True, False, "", None, "c" * 64, "e" * 64, 3, []
    )
    model = cast(ModelRecord, {"name": "churn", "version": 2})
    page = serving_html.built(ModelImageResult(build, model, env))
    assert "built <code>churn:2</code> serving <code>churn:2</code>" in page
    assert "<pre" not in page
    container = Container("id", "mlver-serve-churn-2-9000", "img", {}, "running", {8080: 9000})
    page = serving_html.served(
        Served(model, "churn:2", container, "http://127.0.0.1:9000", 1.5, True)
    )
    assert "<code>http://127.0.0.1:9000</code>" in page
    assert TABLE in serving_html.served(Stopped([("churn:2", "mlver-serve-churn-2-9000")]))
    verify = VerifyResult(
        "img", "sha256:" + "a" * 64, "e" * 64, "3.11", "3.11", 10, [], [], [("numpy", "2.4", "2.3")]
    )
    page = images_html.verify(verify)
    assert TABLE in page
    assert "<code>numpy</code>" in page


def test_runs_store_and_remotes(tmp_path: Path) -> None:
    runs = [
        RunResult(1, {"lr": 0.1}, tmp_path, "ok", "d" * 64, {"acc": 0.9}),
        RunResult(
            2, {"lr": 1.0}, tmp_path, "failed", None, {}, {"error": "ValueError: lr", "cell": 3}
        ),
    ]
    page = runs_html.sweep(SweepResult("nb.ipynb", "s", tmp_path, tmp_path, runs, "acc"))
    assert TABLE in page
    assert '<td class="mlver-num">0.9</td>' in page
    assert "run 2 failed at cell 4: ValueError: lr" in page
    checked = Checked(FsckReport(objects=10, records=3, problems=["object x is missing"]), None)
    assert 'class="mlver-error"' in store_html.fsck(checked)
    assert "would remove" in store_html.collected(Collected(GcReport(2, 2048, 1, 9), True))
    assert "1 → 2" in store_html.migrated(MigrateReport(1, 2, 5, 500))
    moved = TransferResult("push", "team", "s3://b/p", records=3, moved=4, moved_bytes=4096)
    page = remote_html.transfer(moved)
    assert "uploaded" in page
    assert "4.0 KiB" in page
