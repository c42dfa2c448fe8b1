"""``%mlver diff``, ``%mlver checkout`` and ``%mlver reproduce`` in a real kernel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlver.core.hashing import hash_file
from jupyter_mlver.core.store.store import Store
from tests.kernel.conftest import Kernel
from tests.support import data_hashes


@pytest.fixture
def kernel(project: Path, tmp_path: Path) -> Iterator[Kernel]:
    k = Kernel(
        project,
        {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONUNBUFFERED": "1"},
    )
    k.ok("%load_ext jupyter_mlver")
    yield k
    k.close()


def plain(out: dict[str, object]) -> str:
    results = out["results"]
    assert isinstance(results, list), out
    assert results, out
    return str(results[-1]["text/plain"])


def test_diff_in_the_notebook(kernel: Kernel) -> None:
    kernel.ok("%mlver log acc=0.9")
    kernel.ok('%mlver snapshot -m "one" --param lr=0.1 --data data')
    kernel.ok("%mlver log acc=0.95")
    kernel.ok('%mlver snapshot -m "two" --param lr=0.2 --data data')
    out = kernel.ok("%mlver diff")  # HEAD~1 HEAD
    text = plain(out)
    lr = next(line.split() for line in text.splitlines() if line.split()[1:2] == ["lr"])
    assert lr == ["~", "lr", "0.1", "->", "0.2", "(+0.1)"]
    assert "params (1 of 1 differ)" in text
    assert "metrics (1 of 1 differ)" in text
    assert "data (" not in text  # the data did not change
    html = out["results"][-1]["text/html"]
    assert "jp-mlver-diff" in html
    assert "var(--jp-" in html


def test_checkout_in_the_notebook(kernel: Kernel, project: Path) -> None:
    kernel.ok('%mlver snapshot -m "v1" --data data')
    train = project / "data" / "train.csv"
    original = train.read_bytes()
    train.unlink()
    text = plain(kernel.ok("%mlver checkout HEAD data/train.csv"))
    assert "restored  data/train.csv" in text
    with Store.open(project) as store:
        recorded = data_hashes(store, store.get(store.resolve("HEAD")))
    assert hash_file(train) == recorded["data/train.csv"]
    train.write_text("unsaved edit\n")
    refused = plain(kernel.ok("%mlver checkout HEAD"))
    assert "REFUSED" in refused
    assert "data/train.csv" in refused
    assert train.read_text() == "unsaved edit\n"
    kernel.ok("%mlver checkout HEAD --force")
    assert train.read_bytes() == original


def test_reproduce_errors_are_one_line(kernel: Kernel) -> None:
    out = kernel.run("%mlver reproduce nosuchtag")
    assert out["error"] is None
    assert out["results"] == []
    assert out["stderr"].startswith("mlver: unknown ref 'nosuchtag'")
    assert out["stderr"].count("\n") == 1
    usage = kernel.run("%mlver reproduce --tolerance x")
    # IPython shows a UsageError as one red message, without a traceback.
    assert usage["stderr"].startswith("UsageError: ")
    assert "--tolerance" in usage["stderr"]
    assert "Traceback" not in usage["stderr"]
