"""Parameters read from the cells tagged ``parameters`` and ``injected-parameters``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_mlver.core.capture.parameters import (
    assigned_literals,
    notebook_parameters,
    skipped_warning,
)


def cell(source: str, *tags: str, cell_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}
    if cell_id:
        out["id"] = cell_id
    return out


def test_literal_assignments_are_read_and_others_named() -> None:
    code = (
        "import numpy as np\n"
        "lr = 0.01\n"
        "depth: int = 4\n"
        "name = 'baseline'  # a comment\n"
        "use_gpu = False\n"
        "neg = -3\n"
        "a, b = 1, 'two'\n"
        "c = d = 5\n"
        "grid = [1, 2]\n"
        "none = None\n"
        "arr = np.arange(3)\n"
        "nan = float('nan')\n"
        "x, y = f()\n"
        "obj.attr = 1\n"
    )
    values, other = assigned_literals(code)
    assert values == {
        "lr": 0.01,
        "depth": 4,
        "name": "baseline",
        "use_gpu": False,
        "neg": -3,
        "a": 1,
        "b": "two",
        "c": 5,
        "d": 5,
    }
    assert other == ["grid", "none", "arr", "nan", "x", "y"]


def test_a_later_assignment_wins_and_ipython_lines_are_skipped() -> None:
    values, other = assigned_literals("%matplotlib inline\nlr = [1]\nlr = 0.5\n!ls\nk = 2")
    assert values == {"lr": 0.5, "k": 2}
    assert other == []


def test_injected_parameters_win_over_the_parameters_cell() -> None:
    nb = {
        "cells": [
            cell("lr = 0.1\ndepth = 2\ndata = load()", "parameters"),
            cell("# Parameters\nlr = 0.5\n", "injected-parameters"),
            cell("lr = 99", "other"),
            {"cell_type": "markdown", "source": "x = 1", "metadata": {"tags": ["parameters"]}},
        ]
    }
    params, skipped = notebook_parameters(nb)
    assert params == {"lr": 0.5, "depth": 2}
    assert skipped == ["data"]


def test_the_cells_count_as_they_ran() -> None:
    nb = {
        "cells": [
            cell("lr = 0.3", "parameters", cell_id="p1"),  # edited since it ran as lr = 0.2
            cell("depth = 7", "parameters", cell_id="p2"),  # never ran
            cell("seed = 1", "parameters"),  # no id, ran as saved
        ]
    }
    executed = [("p1", "lr = 0.2"), (None, "seed = 1  \n")]
    params, skipped = notebook_parameters(nb, executed)
    assert params == {"lr": 0.2, "seed": 1}
    assert skipped == []
    assert notebook_parameters({"cells": []}, executed) == ({}, [])


def test_the_warning_names_what_was_not_recorded() -> None:
    warning = skipped_warning([f"v{i}" for i in range(12)])
    assert warning["kind"] == "params-not-recorded"
    assert warning["names"] == [f"v{i}" for i in range(12)]
    assert "v9 and 2 more" in warning["message"]


scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)


@given(st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), scalars))
def test_papermill_style_cells_read_back_exactly(values: dict[str, Any]) -> None:
    import keyword

    values = {k: v for k, v in values.items() if not keyword.iskeyword(k)}
    code = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items())
    read, other = assigned_literals(code)
    assert read == values
    assert all(type(read[k]) is type(v) for k, v in values.items())
    assert other == []


@pytest.mark.parametrize("code", ["def f(:\n", "", "# only a comment"])
def test_unparsable_or_empty_cells_give_nothing(code: str) -> None:
    assert assigned_literals(code) == ({}, [])
