"""render() is pure: a spec in, Dockerfile text out, no engine."""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_mlver.core.images.dockerfile import DockerfileSpec, count_steps, quote, render

LABELS = {
    "org.opencontainers.image.title": "demo",
    "io.mlver.snapshot": "ab" * 32,
    "io.mlver.notebook": 'odd "name" $HOME.ipynb',
}


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln and not ln.startswith(("#", " "))]


def test_dependencies_are_installed_offline_in_a_stage_the_image_does_not_keep() -> None:
    text = render(DockerfileSpec(base="python:3.11.7-slim", code=True, labels=LABELS))
    stages = text.split("\n\n")
    deps, image = stages[0], stages[-1]
    assert "FROM python:3.11.7-slim AS deps" in deps
    assert "python3 -m venv /opt/venv" in deps
    assert "COPY mlver/wheels/ /tmp/mlver/wheels/" in deps
    assert (
        "pip install --no-deps --no-index --require-hashes --find-links /tmp/mlver/wheels "
        "-r /tmp/mlver/requirements.txt" in deps
    )
    # The image copies the finished venv, never the wheels.
    assert image.startswith("FROM python:3.11.7-slim\n")
    assert "COPY --from=deps /opt/venv /opt/venv" in image
    assert "wheels" not in image
    assert "requirements" not in image


def test_layer_order_user_workdir_cmd_and_labels_last() -> None:
    text = render(
        DockerfileSpec(
            base="b",
            code=True,
            notebook="nb/analysis.ipynb",
            env={"PYTHONHASHSEED": "0"},
            labels=LABELS,
        )
    )
    order = lines(text)
    image = order[order.index("FROM b") :]
    kinds = [ln.split()[0] for ln in image]
    assert kinds == [
        "FROM",
        "ENV",
        "RUN",
        "COPY",
        "ENV",
        "WORKDIR",
        "COPY",
        "COPY",
        "COPY",
        "USER",
        "CMD",
        "LABEL",
    ]
    assert image[2].startswith("RUN useradd --create-home --uid 1000")
    assert image[6] == "COPY --chown=1000:1000 code/ /home/mlver/project/"
    assert image[7] == "COPY --chown=1000:1000 notebook/ /home/mlver/project/"
    assert image[8] == "COPY record/ /opt/mlver/"
    assert image[9] == "USER mlver"
    assert json.loads(image[10][4:]) == ["python"]
    assert text.rstrip().splitlines()[-1].strip().startswith("org.opencontainers.image.title=")
    assert 'io.mlver.notebook="odd \\"name\\" \\$HOME.ipynb"' in text


def test_jupyterlab_in_the_environment_starts_jupyterlab_on_the_notebook() -> None:
    text = render(DockerfileSpec(base="b", jupyter=True, notebook="analysis.ipynb"))
    assert "EXPOSE 8888" in text
    cmd = next(ln for ln in text.splitlines() if ln.startswith("CMD "))
    assert json.loads(cmd[4:]) == [
        "jupyter",
        "lab",
        "--ip=0.0.0.0",
        "--port=8888",
        "--no-browser",
        "analysis.ipynb",
    ]


def test_local_packages_and_seeded_extras_get_their_own_stages() -> None:
    text = render(DockerfileSpec(base="b", local=True, remove=("setuptools", "wheel")))
    assert "FROM deps AS local" in text
    assert "--root /opt/mlver-local -r /tmp/mlver/local.txt" in text
    assert "FROM deps AS venv" in text
    assert "pip uninstall --yes setuptools wheel" in text
    image = text.split("\n\n")[-1]
    assert "COPY --from=venv /opt/venv /opt/venv" in image
    assert "COPY --from=local /opt/mlver-local/opt/venv/ /opt/venv/" in image


def test_with_a_locked_pip_the_venv_is_not_seeded_and_pip_runs_from_its_wheel() -> None:
    text = render(DockerfileSpec(base="b", pip_wheel="pip-24.0-py3-none-any.whl"))
    assert "RUN python3 -m venv --without-pip /opt/venv" in text
    assert (
        "/opt/venv/bin/python /tmp/mlver/wheels/pip-24.0-py3-none-any.whl/pip install --no-deps"
        in text
    )
    assert "-m pip" not in text


def test_online_installs_pins_from_the_index_and_vendored_wheels_offline() -> None:
    text = render(DockerfileSpec(base="b", online=True, vendored=True))
    assert "pip install --no-deps -r /tmp/mlver/requirements.txt" in text
    assert (
        "--no-index --require-hashes --find-links /tmp/mlver/wheels -r /tmp/mlver/vendored.txt"
        in text
    )
    assert "COPY mlver/requirements.txt mlver/vendored.txt /tmp/mlver/" in text


def test_render_is_deterministic_and_steps_are_counted() -> None:
    spec = DockerfileSpec(base="b", code=True, labels=LABELS, header=("hello",))
    assert render(spec) == render(spec)
    text = render(spec)
    assert text.startswith("# hello\n")
    assert count_steps(text) == len(lines(text))


def test_quote_escapes_what_the_dockerfile_would_interpret() -> None:
    assert quote('a "b" \\ $c\nd') == '"a \\"b\\" \\\\ \\$c d"'


def test_extra_layers_cmd_and_ports_come_after_the_project() -> None:
    text = render(
        DockerfileSpec(
            base="b",
            code=True,
            jupyter=True,
            layers=(("extras/0", "/opt/model/"),),
            cmd=("python", "-m", "serve"),
            expose=(8080,),
            env={"MODEL": "churn"},
            labels=LABELS,
        )
    )
    order = lines(text.split("\n\n")[-1])
    code = order.index("COPY --chown=1000:1000 code/ /home/mlver/project/")
    extra = order.index("COPY --chown=1000:1000 extras/0/ /opt/model/")
    assert code < extra < order.index("USER mlver")
    assert 'CMD ["python", "-m", "serve"]' in order
    assert "EXPOSE 8080" in order
    assert "EXPOSE 8888" not in order  # JupyterLab is not what this image runs
    assert 'ENV MODEL="churn"' in order


def test_extras_digest_follows_content_not_tags(tmp_path: Path) -> None:
    from jupyter_mlver.core.images import ImageExtras, Layer

    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights v1")
    first = ImageExtras(layers=(Layer("/opt/model", {"model.pkl": model}),), tags=("m-1",))
    same = ImageExtras(layers=(Layer("/opt/model", {"model.pkl": b"weights v1"}),), tags=("x",))
    assert first.digest() == same.digest()  # a file and its bytes; tags do not count
    model.write_bytes(b"weights v2")
    assert first.digest() != same.digest()
    assert ImageExtras(cmd=("serve",)).digest() != ImageExtras().digest()
