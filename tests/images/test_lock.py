"""The lock, without an engine: what cannot be reproduced is listed (never dropped), edits
in site-packages are seen, wheels are stored once and found again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_mlver.core.engine.target import Target
from jupyter_mlver.core.images import pip
from jupyter_mlver.core.images.live import environment_of, live_paths
from jupyter_mlver.core.images.lock import Lock, UnresolvablePackage
from jupyter_mlver.core.images.pip import PipFailed
from jupyter_mlver.core.images.resolve import resolve_lock
from jupyter_mlver.core.plain import plain_env, strip_ansi
from jupyter_mlver.core.records import EnvironmentRecord
from jupyter_mlver.core.store.store import Store

from .helpers import make_venv

TARGET = Target(python="3.11.2", machine="x86_64", glibc="2.36", probed=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("lock") / "venv", "six==1.17.0")


def lock(store: Store, environment: EnvironmentRecord, **kw: Any) -> Lock:
    with store.writing(), store.objects.writer() as writer:
        return resolve_lock(store, writer, environment, TARGET, **kw)


def reasons(result: Lock) -> dict[str, str]:
    return {u["name"]: u["reason"] for u in result.unreproducible}


def test_index_packages_are_pinned_with_the_hash_of_a_stored_wheel(
    store: Store, venv: Path
) -> None:
    env = environment_of(venv)
    result = lock(store, env)
    six = next(p for p in result.packages if p.name == "six")
    assert six.wheel is not None
    assert six.wheel.file.startswith("six-1.17.0-")
    assert store.objects.exists(six.wheel.object)
    assert f"six==1.17.0 --hash=sha256:{six.wheel.sha256}\n" in result.files()["requirements.txt"]
    assert {p.name for p in result.packages} == {p["name"] for p in env["packages"]}
    assert result.unreproducible == []
    # pip runs from its locked wheel, so the venv is made without seeding anything.
    assert (result.pip_wheel() or "").startswith("pip-")
    assert result.seeded_extras() == []


def test_online_pins_without_downloading(store: Store, venv: Path) -> None:
    env = environment_of(venv)
    result = lock(store, env, online=True)
    assert "six==1.17.0\n" in result.files()["requirements.txt"]
    assert result.wheels() == []
    assert result.pip_wheel() is None
    assert result.seeded_extras() == []
    env["packages"] = [p for p in env["packages"] if p["name"] not in ("pip", "setuptools")]
    # ensurepip seeds both into a Python 3.11 venv: the image must not keep them.
    assert lock(store, env, online=True).seeded_extras() == ["pip", "setuptools"]


def test_files_edited_in_site_packages_are_listed(tmp_path: Path, store: Store) -> None:
    python = make_venv(tmp_path / "edited", "six==1.17.0")
    env = environment_of(python)
    paths = live_paths(env)
    assert paths is not None  # the recorded venv is here, unchanged in its packages
    assert lock(store, env, live_paths=paths).unreproducible == []
    six = next(Path(p) / "six.py" for p in paths if (Path(p) / "six.py").exists())
    six.write_text(six.read_text() + "\n# a local patch\n")
    found = reasons(lock(store, env, live_paths=paths))
    assert "six.py" in found["six"]
    assert "changed in site-packages" in found["six"]


def test_conda_local_and_artefacts_are_listed_not_dropped(store: Store, venv: Path) -> None:
    env = environment_of(venv)
    env["packages"] = sorted(
        [
            *[p for p in env["packages"] if p["name"] != "six"],
            {"name": "six", "version": "1.17.0", "source": "conda", "url": None, "commit": None},
            {
                "name": "mlver-conda-only",
                "version": "2.0",
                "source": "conda",
                "url": None,
                "commit": None,
            },
            {
                "name": "gone",
                "version": "1.0",
                "source": "local",
                "url": "file:///no/such/dir",
                "commit": None,
            },
            {
                "name": "pkg-resources",
                "version": "0.0.0",
                "source": "index",
                "url": None,
                "commit": None,
            },
        ],
        key=lambda p: p["name"],
    )
    env["conda"] = {
        "name": "base",
        "channels": ["conda-forge"],
        "explicit": [
            "conda-forge::libopenblas==0.3.27=pthreads_h413a1c8_0",
            "conda-forge::python==3.11.7=hab00c5b_0",
            "conda-forge::six==1.17.0=pyhd8ed1ab_0",
        ],
    }
    result = lock(store, env)
    found = reasons(result)
    assert "no pip equivalent" in found["mlver-conda-only"]
    assert "a different build" in found["six"]  # installed from the index at its version
    assert "/no/such/dir" in found["gone"]
    assert "not installed" in found["gone"]
    assert "not a distribution" in found["pkg-resources"]
    assert "libopenblas==0.3.27" in found["libopenblas"]
    assert "python" not in found  # the base image provides it
    assert {p.name for p in result.packages} >= {"six", "pip", "setuptools"}
    assert not {"mlver-conda-only", "gone", "pkg-resources"} & {p.name for p in result.packages}


def test_an_index_package_that_does_not_exist_is_fatal_and_named(store: Store, venv: Path) -> None:
    env = environment_of(venv)
    env["packages"].append(
        {
            "name": "mlver-no-such-package",
            "version": "9.9",
            "source": "index",
            "url": None,
            "commit": None,
        }
    )
    with pytest.raises(
        UnresolvablePackage, match=r"mlver-no-such-package==9\.9 for Python 3\.11\.2"
    ):
        lock(store, env)


def test_a_second_lock_reuses_stored_wheels(store: Store, venv: Path, monkeypatch: Any) -> None:
    """Wheels of an earlier image's lock are found again: no download at all."""
    from jupyter_mlver.core import records
    from jupyter_mlver.core.images import pip

    env = environment_of(venv)
    first = lock(store, env)
    with store.writing():
        lock_id = store.objects.put_bytes(first.encode())
        env_record = store.put_record(env)
        store.put_record(
            {
                "schema": records.IMAGE,
                "image_id": "sha256:" + "0" * 64,
                "repo_digests": [],
                "tags": [],
                "base": "b",
                "platform": "linux/amd64",
                "environment": env_record["id"],
                "snapshot": None,
                "dockerfile": lock_id,
                "lock": lock_id,
                "build_log": None,
                "created": records.now(),
                "build_seconds": 0,
                "reused": False,
                "wheels": [w.object for w in first.wheels()],
            },
            fingerprint=env["fingerprint"],
        )

    def no_network(*args: Any, **kw: Any) -> None:
        raise AssertionError("pip should not run: every wheel is in the store")

    monkeypatch.setattr(pip, "download", no_network)
    second = lock(store, env)
    assert second.packages == first.packages


def test_a_package_that_needs_a_newer_python_names_its_requires_python(
    store: Store, venv: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """soupsieve 4.1.3 needs Python >= 3.11.5; Debian's base has 3.11.2."""
    from .helpers import run, write_package

    source = write_package(tmp_path / "needsnew", "mlver_needs_new", "1.0", "X = 1")
    text = (source / "pyproject.toml").read_text()
    (source / "pyproject.toml").write_text(text + 'requires-python = ">=3.11.5"\n')
    wheels = tmp_path / "wheels"
    run([venv, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source])
    wheel = next(wheels.glob("*.whl"))
    # A one-package index like PyPI's: the page says what Python the file needs.
    page = tmp_path / "simple" / "mlver-needs-new"
    page.mkdir(parents=True)
    wheel.rename(page / wheel.name)
    (page / "index.html").write_text(
        f'<a href="{wheel.name}" data-requires-python="&gt;=3.11.5">{wheel.name}</a>'
    )
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "simple").as_uri())
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    # What a kernel sets (ipykernel): pip's output must still be read as plain text.
    monkeypatch.setenv("FORCE_COLOR", "1")
    env = environment_of(venv)
    env["python"]["version"] = "3.11.7"
    env["packages"] = [
        {
            "name": "mlver-needs-new",
            "version": "1.0",
            "source": "index",
            "url": None,
            "commit": None,
        }
    ]
    with pytest.raises(UnresolvablePackage) as caught:
        lock(store, env, base="debian-python:3.11", suggested_base="mlver-local/python:3.11.7-slim")
    assert str(caught.value) == (
        "mlver-needs-new==1.0 needs Python >=3.11.5 (its Requires-Python); the base image "
        "debian-python:3.11 has Python 3.11.2, the environment recorded 3.11.7 (use a base "
        "image with Python 3.11.7: --base mlver-local/python:3.11.7-slim (or "
        "$MLVER_BASE_IMAGE, c.Mlver.base_image))"
    )


def test_coloured_pip_output_is_parsed_as_plain_text() -> None:
    """What pip prints with FORCE_COLOR set (rich's styles around the names)."""
    coloured = (
        "\x1b[1;31mERROR: No matching distribution found for \x1b[0m\x1b[1msoupsieve==4.1.4"
        "\x1b[0m\n"
        "Ignored the following versions that require a different python version: "
        "4.1.4 Requires-Python \x1b[1m>=3.11.5\x1b[0m\n"
    )
    output = strip_ansi(coloured)
    failure = PipFailed(output, pip._NO_MATCH.findall(output)[-1])
    assert failure.requirement == "soupsieve==4.1.4"
    assert failure.requires_python("soupsieve==4.1.4") == ">=3.11.5"
    assert plain_env({"FORCE_COLOR": "1", "PATH": "/bin"}) == {"PATH": "/bin", "NO_COLOR": "1"}
