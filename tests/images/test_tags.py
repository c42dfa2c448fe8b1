"""A tag never moves silently to another image, and a build's progress only goes forward.

Two snapshots of the same commit (one with an uncommitted change) used to take the same
``<name>:<git sha>`` tag, the second silently; an explicit ``--tag`` of another image's is
refused.
"""

from __future__ import annotations

import pytest

from jupyter_mlver.core.errors import Conflict
from jupyter_mlver.core.images import BuildOptions, DockerEngine, ProgressEvent, build_image

from .conftest import Session
from .helpers import commit_of, take_snapshot


def test_a_tag_of_another_image_is_made_distinct_or_refused(
    built: Session, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    first = built.build.record
    assert first is not None
    commit = commit_of(built.snapshot)[:7]
    repository = f"{prefix}demo-project"
    train = built.project / "train.py"
    original = train.read_text()
    train.write_text(original + "print('another change of the same commit')\n")
    events: list[ProgressEvent] = []
    try:
        with built.store() as store:
            snapshot = take_snapshot(store, built.environment, "v3", None)
            with pytest.raises(Conflict) as refused:
                build_image(
                    store,
                    BuildOptions(ref=snapshot["id"], tag="1.0.0", base=base_image, prefix=prefix),
                    engine,
                )
            result = build_image(
                store,
                BuildOptions(ref=snapshot["id"], base=base_image, prefix=prefix),
                engine,
                progress=events.append,
            )
    finally:
        train.write_text(original)
    assert str(refused.value).startswith(f"tag {repository}:1.0.0 already names image ")
    second = result.record
    assert second is not None
    # The first image keeps its tag; the second's is its own.
    held = engine.image(first["image_id"])
    assert held is not None
    assert f"{repository}:{commit}" in held.tags
    distinct = f"{repository}:{commit}-{second['inputs'][:8]}"
    assert distinct in second["tags"]
    assert f"{repository}:{commit}" not in second["tags"]
    assert any(note.endswith(f"tagged {distinct} instead") for note in result.notes)
    # One count of steps, never going back.
    counted = [e for e in events if e.step is not None]
    assert [e.step for e in counted] == sorted(e.step or 0 for e in counted)
    assert counted[-1].step == counted[-1].total
