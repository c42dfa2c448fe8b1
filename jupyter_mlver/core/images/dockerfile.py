"""Pure ``render()``: what goes into the image -> Dockerfile text. No engine, no I/O.

Layer order, slowest-changing first (so a code change rebuilds only the last layers):

1. ``deps`` stage: a virtual environment and the locked install of the dependency
   layer, from wheels copied into the stage — the stage is thrown away, so neither the
   wheels nor a pip cache reach the image (the legacy builder has no ``RUN --mount``).
2. ``local`` stage (only with local/editable packages): their wheels installed under a
   separate root, so editing the project's own package does not reinstall the rest.
3. ``venv`` stage (only when needed): removes what ``python -m venv`` seeded (pip,
   setuptools) that the recorded environment did not have.
4. The image: the base, a non-root user, the venv copied in, then the project code at
   the snapshot's commit with its diff applied, the notebook, the records, extra layers
   (``ImageExtras``), ``WORKDIR``, ``USER``, ``CMD``, and the labels last (they change on
   every build).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import context as ctx

VENV = "/opt/venv"
LOCAL_ROOT = "/opt/mlver-local"
USER = "mlver"
UID = 1000
HOME = f"/home/{USER}"
PROJECT = f"{HOME}/project"
RECORDS = "/opt/mlver"
JUPYTER_PORT = 8888
_STAGE_TMP = "/tmp/mlver"
#: pip settings for the throw-away stages: no cache, no prompts, no root warning.
_PIP_ENV = {
    "PIP_NO_CACHE_DIR": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_ROOT_USER_ACTION": "ignore",
    "PIP_NO_INPUT": "1",
}


@dataclass(frozen=True)
class DockerfileSpec:
    """Everything ``render`` needs; the build context has the files it names."""

    base: str
    #: mlver/requirements.txt: the dependency layer (pins only when ``online``).
    requirements: bool = True
    online: bool = False
    #: mlver/wheels/: wheels for requirements.txt (offline) or vendored.txt (online).
    wheels: bool = True
    #: mlver/vendored.txt: with ``online``, wheels that still come from the host (VCS).
    vendored: bool = False
    #: mlver/local.txt and mlver/local-wheels/: local and editable packages.
    local: bool = False
    #: Seeded by ``python -m venv`` but not in the environment: uninstalled.
    remove: tuple[str, ...] = ()
    #: The locked pip's wheel (in mlver/wheels/): the venv is made without pip and the
    #: install runs pip from this wheel, so nothing is seeded that the lock lacks.
    pip_wheel: str | None = None
    code: bool = False
    notebook: str | None = None
    records: bool = True
    env: Mapping[str, str] = field(default_factory=dict)
    jupyter: bool = False
    #: Extra layers after the project code: (directory in the context, destination).
    layers: tuple[tuple[str, str], ...] = ()
    #: Replaces the default CMD (JupyterLab when installed, else python).
    cmd: tuple[str, ...] | None = None
    expose: tuple[int, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()


def quote(value: str) -> str:
    """A Dockerfile double-quoted string; ``$`` is escaped so nothing is substituted."""
    value = " ".join(value.splitlines())
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _pip_install(*args: str, pip: str = "-m pip") -> str:
    return " ".join([f"{VENV}/bin/python", pip, "install", "--no-deps", *args])


def _offline(wheels_dir: str) -> tuple[str, ...]:
    return ("--no-index", "--require-hashes", "--find-links", wheels_dir)


def _env_line(values: Mapping[str, str]) -> str:
    pairs = [f"{k}={quote(v)}" for k, v in values.items()]
    return "ENV " + " \\\n    ".join(pairs)


def cmd(spec: DockerfileSpec) -> list[str]:
    if spec.cmd is not None:
        return list(spec.cmd)
    if spec.jupyter:
        out = ["jupyter", "lab", "--ip=0.0.0.0", f"--port={JUPYTER_PORT}", "--no-browser"]
        return [*out, spec.notebook] if spec.notebook else out
    return ["python"]


def _deps_stage(spec: DockerfileSpec) -> list[str]:
    """The dependency layer, in a stage of its own."""
    tmp = _STAGE_TMP
    without_pip = " --without-pip" if spec.pip_wheel else ""
    # pip runs from its own wheel (a zip python can import from) when the lock has one.
    pip = f"{tmp}/wheels/{spec.pip_wheel}/pip" if spec.pip_wheel else "-m pip"
    lines = [
        f"FROM {spec.base} AS deps",
        _env_line(_PIP_ENV),
        f"RUN python3 -m venv{without_pip} {VENV}",
    ]
    req_files = [
        f
        for f, on in (("requirements.txt", spec.requirements), ("vendored.txt", spec.vendored))
        if on
    ]
    if req_files:
        lines.append(f"COPY {' '.join(f'{ctx.MLVER_DIR}/{f}' for f in req_files)} {tmp}/")
    if spec.wheels:
        lines.append(f"COPY {ctx.WHEELS_DIR}/ {tmp}/wheels/")
    installs = []
    if spec.requirements:
        offline = () if spec.online else _offline(f"{tmp}/wheels")
        installs.append(_pip_install(*offline, "-r", f"{tmp}/requirements.txt", pip=pip))
    if spec.vendored:
        installs.append(_pip_install(*_offline(f"{tmp}/wheels"), "-r", f"{tmp}/vendored.txt"))
    if installs:
        lines.append("RUN " + " \\\n && ".join(installs))
    return lines


def _local_stage(spec: DockerfileSpec) -> list[str]:
    """Local and editable packages, installed under their own root."""
    if not spec.local:
        return []
    tmp = _STAGE_TMP
    return [
        "",
        "FROM deps AS local",
        f"COPY {ctx.MLVER_DIR}/local.txt {tmp}/",
        f"COPY {ctx.LOCAL_WHEELS_DIR}/ {tmp}/local-wheels/",
        "RUN "
        + _pip_install(
            *_offline(f"{tmp}/local-wheels"), "--root", LOCAL_ROOT, "-r", f"{tmp}/local.txt"
        ),
    ]


def _venv_stage(spec: DockerfileSpec) -> tuple[str, list[str]]:
    """What the venv seeded but the environment did not have, removed: the stage the image
    copies its venv from."""
    if not spec.remove:
        return "deps", []
    return "venv", [
        "",
        "FROM deps AS venv",
        f"RUN {VENV}/bin/python -m pip uninstall --yes {' '.join(spec.remove)}",
    ]


def _project_layers(spec: DockerfileSpec) -> list[str]:
    """The small layers above the venv: code, notebook, records, extras (each may change)."""
    lines = []
    if spec.code:
        lines.append(f"COPY --chown={UID}:{UID} {ctx.CODE_DIR}/ {PROJECT}/")
    if spec.notebook:
        lines.append(f"COPY --chown={UID}:{UID} {ctx.NOTEBOOK_DIR}/ {PROJECT}/")
    if spec.records:
        lines.append(f"COPY {ctx.RECORD_DIR}/ {RECORDS}/")
    lines += [f"COPY --chown={UID}:{UID} {src}/ {dest.rstrip('/')}/" for src, dest in spec.layers]
    return lines


def _image(spec: DockerfileSpec, venv_stage: str) -> list[str]:
    """The image itself: a non-root user, the venv, the project, the command, labels last."""
    lines = [
        "",
        f"FROM {spec.base}",
        _env_line(
            {
                "VIRTUAL_ENV": VENV,
                "PATH": f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG": "C.UTF-8",
                "PYTHONUNBUFFERED": "1",
            }
        ),
        f"RUN useradd --create-home --uid {UID} --user-group --shell /bin/sh {USER} \\\n"
        f" && mkdir -p {PROJECT} && chown {USER}:{USER} {PROJECT}",
        f"COPY --from={venv_stage} {VENV} {VENV}",
    ]
    if spec.local:
        lines.append(f"COPY --from=local {LOCAL_ROOT}{VENV}/ {VENV}/")
    if spec.env:
        lines.append(_env_line(dict(sorted(spec.env.items()))))
    lines.append(f"WORKDIR {PROJECT}")
    lines += _project_layers(spec)
    lines.append(f"USER {USER}")
    ports = spec.expose or ((JUPYTER_PORT,) if spec.jupyter and spec.cmd is None else ())
    lines += [f"EXPOSE {port}" for port in ports]
    lines.append(f"CMD {json.dumps(cmd(spec))}")
    if spec.labels:
        pairs = [f"{k}={quote(v)}" for k, v in sorted(spec.labels.items())]
        lines.append("LABEL " + " \\\n      ".join(pairs))
    return lines


def render(spec: DockerfileSpec) -> str:
    venv_stage, venv_lines = _venv_stage(spec)
    lines = [
        *(f"# {h}" for h in spec.header),
        *_deps_stage(spec),
        *_local_stage(spec),
        *venv_lines,
        *_image(spec, venv_stage),
    ]
    return "\n".join(lines) + "\n"


def count_steps(text: str) -> int:
    """Instructions in a Dockerfile (what the legacy builder numbers ``Step i/N``)."""
    steps = 0
    continued = False
    for line in text.splitlines():
        stripped = line.strip()
        if not continued and stripped and not stripped.startswith("#"):
            steps += 1
        continued = stripped.endswith("\\")
    return steps
