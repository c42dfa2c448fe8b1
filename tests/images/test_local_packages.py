"""A package installed from a local path outside the project (`pip install ../mylib`, or a
tool installed from its checkout): its image is reused while its source is unchanged."""

from __future__ import annotations

from pathlib import Path

from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images import BuildOptions, build_image
from jupyter_mlver.core.store.store import Store

from .helpers import (
    container_output,
    make_project,
    make_venv,
    take_snapshot,
    venv_environment,
    write_package,
)


def test_reuse_is_keyed_on_the_wheel_built_for_a_package_outside_the_project(
    tmp_path: Path, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    project = make_project(tmp_path / "project")
    library = write_package(tmp_path / "mylib", "mlver_demo_outside", "0.1.0", "VALUE = 1")
    python = make_venv(tmp_path / "venv", "six==1.17.0", str(library))
    environment = venv_environment(python)
    sources = {p["name"]: p["source"] for p in environment["packages"]}
    assert sources["mlver-demo-outside"] == "local"

    def build(store: Store, snapshot: str, tag: str) -> tuple[bool, str]:
        options = BuildOptions(ref=snapshot, tag=tag, base=base_image, prefix=prefix)
        result = build_image(store, options, engine)
        assert result.record is not None
        assert result.image is not None
        return result.reused, result.record["image_id"]

    with Store.open(project, create=True) as store:
        snapshot = take_snapshot(store, environment, "outside", project / "analysis.ipynb")["id"]
        first_reused, first = build(store, snapshot, "first")
        again_reused, again = build(store, snapshot, "again")
        assert (first_reused, again_reused, again) == (False, True, first)
        # The library's source changes outside the project: its wheel does, so the image too.
        (library / "mlver_demo_outside.py").write_text('"""changed."""\nVALUE = 2\n')
        changed_reused, changed = build(store, snapshot, "changed")
    assert not changed_reused
    assert changed != first
    script = "python -c 'import mlver_demo_outside as m; print(m.VALUE)'"
    assert container_output(engine, changed, script) == "2\n"
    assert container_output(engine, first, script) == "1\n"
