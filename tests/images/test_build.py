"""Images built by a real engine: tags, labels, the Image record, contents, verify,
reuse, code-only rebuilds and push to a real registry."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from jupyter_mlver.core import records
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.images import BuildOptions, build_image, verify_image
from jupyter_mlver.core.images.lock import load_lock
from jupyter_mlver.core.images.progress import ProgressEvent
from jupyter_mlver.views.images import text

from .conftest import Session
from .helpers import commit_of, container_output, registry_digest, take_snapshot

SCHEMA = Path(__file__).parents[2] / "jupyter_mlver" / "schemas" / "image.json"


def expected_tags(built: Session, prefix: str, semver: str) -> set[str]:
    snap = built.snapshot
    repo = f"{prefix}demo-project"
    return {
        f"{repo}:{semver}",
        f"{repo}:{commit_of(snap)[:7]}",
        f"{repo}:env-{built.environment['fingerprint'][:12]}",
        f"{repo}:snap-{snap['id'][:12]}",
    }


def test_docker_inspect_shows_the_tags_and_labels(
    built: Session, engine: DockerEngine, prefix: str, base_image: str
) -> None:
    record = built.build.record
    assert record is not None
    assert not built.build.reused
    info = engine.image(record["image_id"])
    assert info is not None
    assert expected_tags(built, prefix, "1.0.0") <= set(info.tags)
    assert set(record["tags"]) == expected_tags(built, prefix, "1.0.0")
    labels = info.labels
    snap = built.snapshot
    assert labels["org.opencontainers.image.version"] == "1.0.0"
    assert labels["org.opencontainers.image.title"] == "demo-project"
    assert labels["org.opencontainers.image.revision"] == commit_of(snap)
    assert labels["org.opencontainers.image.source"] == "https://example.org/team/demo-project.git"
    assert labels["org.opencontainers.image.base.name"] == base_image
    assert labels["org.opencontainers.image.created"] == record["created"]
    assert labels["io.mlver.snapshot"] == snap["id"]
    assert labels["io.mlver.environment"] == snap["environment"]
    assert labels["io.mlver.fingerprint"] == built.environment["fingerprint"]
    assert labels["io.mlver.notebook"] == "analysis.ipynb"
    assert labels["io.mlver.schema"] == records.IMAGE
    assert labels["io.mlver.version"]


def test_the_image_record_is_valid_complete_and_linked(built: Session) -> None:
    record = built.build.record
    assert record is not None
    jsonschema.validate(record, json.loads(SCHEMA.read_text()))
    with built.store() as store:
        assert record["id"] in store.index.images_of(built.snapshot["id"])
        assert record["id"] in store.index.images_with_fingerprint(built.environment["fingerprint"])
        assert store.get(record["id"]) == record
        for ref in records.references(record):
            assert store.objects.exists(ref), ref
        lock = load_lock(store, record["lock"])
        # Every wheel the image was built from stays in the store (gc keeps them).
        assert sorted({w.object for w in lock.wheels()}) == record["wheels"]
        assert "--require-hashes" in store.objects.get_bytes(record["dockerfile"]).decode()
        assert record["build_log"] is not None
        log = store.objects.get_bytes(record["build_log"]).decode()
    assert "Successfully built" in log
    by_name = {p.name: p for p in lock.packages}
    assert by_name["six"].source == "index"
    assert by_name["six"].layer == "deps"
    assert by_name["mlver-demo-vcs"].spec.endswith(f"@{built.vcs_commit}")
    assert by_name["mlver-demo-local"].source == "editable"
    assert by_name["mlver-demo-local"].layer == "local"
    # The test base has the kernel's Python to the patch level, so nothing differs there.
    # The .gitignore the store wrote for itself is not an untracked file of the project.
    names = {u["name"] for u in record["unreproducible"]}
    assert "python" not in names
    assert "untracked files" not in names
    assert record["platform"] == "linux/amd64"


def test_verify_finds_the_image_identical_to_its_record(
    built: Session, engine: DockerEngine
) -> None:
    with built.store() as store:
        result = verify_image(store, engine, built.build.image or "")
    assert result.identical, text.verify(result)
    assert result.packages == len(built.environment["packages"]) >= 6
    assert result.summary().startswith(f"identical, {result.packages} packages")


def test_the_image_has_the_code_notebook_and_records_and_runs_as_a_user(
    built: Session, engine: DockerEngine
) -> None:
    image = built.build.image or ""
    out = container_output(
        engine,
        image,
        "id -u; pwd; cat train.py; python -c 'import json; "
        'print(json.load(open("analysis.ipynb"))["nbformat"])\'; '
        'python -c \'import json; print(json.load(open("/opt/mlver/snapshot.json"))["id"])\'; '
        "python -c 'import mlver_demo_vcs, mlver_demo_local, six; "
        "print(mlver_demo_vcs.ANSWER, mlver_demo_local.hello(), six.__version__)'",
    ).splitlines()
    assert out[0] == "1000"
    assert out[1] == "/home/mlver/project"
    assert out[2:4] == ["print('training v1')", "EPOCHS = 3"]  # the uncommitted diff applied
    assert out[4] == "4"
    assert out[5] == built.snapshot["id"]
    assert out[6] == "42 hi 1.17.0"


def test_no_wheels_or_pip_cache_and_size_close_to_base_plus_packages(
    built: Session, engine: DockerEngine, base_image: str
) -> None:
    image = built.build.image or ""
    find = (
        "find / -xdev \\( -name '*.whl' -o -path '*/.cache/pip' -o -path '/tmp/mlver*' \\) "
        "2>/dev/null | sort"
    )
    assert container_output(engine, image, find) == container_output(engine, base_image, find)
    added = int(
        container_output(
            engine, image, "du -sb /opt/venv /home/mlver /opt/mlver | awk '{s+=$1} END {print s}'"
        )
    )
    base = engine.image(base_image)
    info = engine.image(image)
    assert base is not None
    assert info is not None
    assert info.size >= base.size
    assert info.size <= 1.10 * (base.size + added), (info.size, base.size, added)


def test_same_inputs_again_are_reused_without_a_build(
    built: Session, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    first = built.build.record
    assert first is not None
    with built.store() as store:
        before = set(store.index.record_ids("image"))
        result = build_image(
            store,
            BuildOptions(ref=built.snapshot["id"], tag="1.0.1", base=base_image, prefix=prefix),
            engine,
        )
        assert result.reused
        assert result.record is not None
        assert set(store.index.record_ids("image")) - before == {result.record["id"]}
    record = result.record
    assert record["image_id"] == first["image_id"]
    assert record["reused"] is True
    assert record["build_log"] is None
    assert record["dockerfile"] == first["dockerfile"]
    assert record["lock"] == first["lock"]
    info = engine.image(first["image_id"])
    assert info is not None
    assert f"{prefix}demo-project:1.0.1" in info.tags


def test_a_code_only_change_rebuilds_only_the_code_layers(
    built: Session, engine: DockerEngine, base_image: str, prefix: str
) -> None:
    train = built.project / "train.py"
    original = train.read_text()
    train.write_text(original + "print('a code-only change')\n")
    try:
        with built.store() as store:
            snapshot = take_snapshot(
                store, built.environment, "v2", built.project / "analysis.ipynb"
            )
            assert snapshot["environment"] == built.snapshot["environment"]
            events: list[ProgressEvent] = []
            result = build_image(
                store,
                BuildOptions(ref=snapshot["id"], base=base_image, prefix=prefix),
                engine,
                progress=events.append,
            )
    finally:
        train.write_text(original)
    first, second = built.build.record, result.record
    assert first is not None
    assert second is not None
    assert not result.reused
    assert second["image_id"] != first["image_id"]
    assert second["lock"] == first["lock"]
    # The dependency and local-package layers are the very same layers...
    base = engine.image(base_image)
    one, two = engine.image(first["image_id"]), engine.image(second["image_id"])
    assert base is not None
    assert one is not None
    assert two is not None
    shared = next(i for i, (a, b) in enumerate(zip(one.layers, two.layers, strict=False)) if a != b)
    assert shared >= len(base.layers) + 3  # + user, venv, local packages
    # ... because every step up to the code came from the cache.
    build = [e for e in events if e.phase == "build"]
    lines = [e.message for e in build]
    install = next(i for i, e in enumerate(build) if "pip install" in e.message and e.step)
    assert any("Using cache" in m for m in lines[install : install + 4])
    out = container_output(engine, second["image_id"], "cat train.py")
    assert "a code-only change" in out


def test_push_sends_every_tag_and_records_the_registry_digest(
    built: Session, engine: DockerEngine, base_image: str, prefix: str, registry: str
) -> None:
    repository = f"{prefix}demo-project"
    with built.store() as store:
        result = build_image(
            store,
            BuildOptions(
                ref=built.snapshot["id"],
                tag="1.0.0",
                base=base_image,
                prefix=prefix,
                push=f"{registry}/{repository}",
            ),
            engine,
        )
    record = result.record
    assert record is not None
    digest = registry_digest(registry, repository, "1.0.0")
    assert record["repo_digests"] == [f"{registry}/{repository}@{digest}"]
    for tag in expected_tags(built, prefix, "1.0.0"):
        assert registry_digest(registry, repository, tag.rsplit(":", 1)[1]) == digest
    assert f"{registry}/{repository}:1.0.0" in record["tags"]
