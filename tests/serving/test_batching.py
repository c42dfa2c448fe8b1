"""Requests waiting together are predicted in one call, each answered with its own rows; a
batch that fails is predicted again request by request, so an error stays its own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from jupyter_mlver.serving.batching import Batcher
from jupyter_mlver.serving.model import PredictError, ServedModel
from jupyter_mlver.serving.table import Column, Table


class Gated:
    """Doubles ``x``; refuses negative values; its first call waits for ``gate``."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls: list[int] = []

    def predict(self, frame: Any) -> Any:
        if not self.calls:
            self.gate.wait(30)
        x = np.asarray(frame["x"], dtype=float)
        self.calls.append(len(x))
        if (x < 0).any():
            raise ValueError("negative x")
        return x * 2


def served(model: Any) -> ServedModel:
    return ServedModel("m", "1", "cloudpickle", [Column("x", "float64")], model)


def table(*values: float) -> Table:
    return Table(["x"], [np.array(values, dtype=float)])


def run_together(batcher: Batcher, model: Gated, tables: list[Table]) -> list[Any]:
    """The first request predicts alone (held at the gate) while the others queue up."""
    with ThreadPoolExecutor(len(tables)) as pool:
        first = pool.submit(batcher.predict, tables[0])
        while not model.calls and not batcher._busy:
            time.sleep(0.001)
        rest = []
        for queued, t in enumerate(tables[1:], 1):  # one at a time: the queue keeps this order
            rest.append(pool.submit(batcher.predict, t))
            while len(batcher._queue) < queued:
                time.sleep(0.001)
        model.gate.set()
        futures = [first, *rest]
        out = []
        for f in futures:
            try:
                out.append(f.result(30))
            except PredictError as e:
                out.append(e)
        return out


def test_waiting_requests_are_predicted_in_one_call_each_with_its_rows() -> None:
    model = Gated()
    batcher = Batcher(served(model))
    tables = [table(1), table(2, 3), table(4), table(5, 6, 7)]
    results = run_together(batcher, model, tables)
    assert [r.tolist() for r in results] == [[2], [4, 6], [8], [10, 12, 14]]
    assert model.calls == [1, 6]  # the first alone, the three that waited together
    assert batcher.batches == 1


def test_an_error_in_a_batch_stays_with_its_request() -> None:
    model = Gated()
    batcher = Batcher(served(model))
    results = run_together(batcher, model, [table(1), table(2), table(-1), table(3)])
    assert results[0].tolist() == [2]
    assert results[1].tolist() == [4]
    assert isinstance(results[2], PredictError)
    assert "negative x" in str(results[2])
    assert results[3].tolist() == [6]
    assert model.calls == [1, 3, 1, 1, 1]  # the batch failed, then one by one


def test_batches_hold_at_most_max_rows_and_zero_turns_batching_off() -> None:
    model = Gated()
    batcher = Batcher(served(model), max_rows=3)
    run_together(batcher, model, [table(1), table(1, 2), table(3), table(4, 5)])
    assert model.calls == [1, 3, 2]
    alone = Gated()
    alone.gate.set()
    off = Batcher(served(alone), max_rows=0)
    with ThreadPoolExecutor(4) as pool:
        assert [
            f.result().tolist() for f in [pool.submit(off.predict, table(i)) for i in range(4)]
        ] == [[0], [2], [4], [6]]
    assert alone.calls == [1, 1, 1, 1]


@pytest.mark.parametrize("rows", [1, 50])
def test_a_pipeline_answers_the_same_batched_or_not(rows: int, churn: Any) -> None:
    from tests.serving.helpers import training_frame

    frames = [training_frame(rows, seed=s) for s in range(4)]
    model = served(churn)
    model.columns = [Column(c, str(frames[0][c].dtype)) for c in frames[0].columns]
    tables = [Table(list(f.columns), [f[c].to_numpy() for c in f.columns]) for f in frames]
    batcher = Batcher(model)
    with ThreadPoolExecutor(4) as pool:
        got = [f.result() for f in [pool.submit(batcher.predict, t) for t in tables]]
    for frame, answer in zip(frames, got, strict=True):
        assert answer.tolist() == churn.predict(frame).tolist()


def test_many_large_requests_from_many_threads_all_get_their_answers() -> None:
    """Requests are told apart by identity: comparing two of 1,000 rows compared their
    arrays (and raised), which once left every later request waiting."""
    model = Gated()
    model.gate.set()
    batcher = Batcher(served(model))
    tables = [table(*range(i, i + 1000)) for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        answers = [f.result(60) for f in [pool.submit(batcher.predict, t) for t in tables]]
    for i, answer in enumerate(answers):
        assert answer.tolist() == [2.0 * v for v in range(i, i + 1000)]
