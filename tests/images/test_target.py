"""The image's platform, as pip must see it (pure)."""

from __future__ import annotations

import json
from typing import cast

import pytest

from jupyter_mlver.core.engine.target import Target, check_compatible
from jupyter_mlver.core.errors import InvalidInput
from jupyter_mlver.core.records import EnvironmentRecord

# Only what the target reads.
ENV = cast(EnvironmentRecord, {"python": {"version": "3.11.7", "implementation": "CPython"}})


def probe(python: str = "3.11.2", libc: str | None = "glibc 2.36") -> Target:
    out = {"python": python, "implementation": "CPython", "machine": "x86_64", "libc": libc}
    return Target.from_probe("noise\n" + json.dumps(out) + "\n", "base")


def test_pip_gets_the_images_full_python_and_every_manylinux_up_to_its_glibc() -> None:
    target = probe()
    args = target.pip_args()
    assert args[:4] == ["--implementation", "cp", "--python-version", "3.11.2"]
    platforms = [args[i + 1] for i, a in enumerate(args) if a == "--platform"]
    assert platforms[0] == "manylinux_2_36_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(platforms)
    assert "manylinux_2_37_x86_64" not in platforms
    assert platforms[-1] == "linux_x86_64"
    assert target.key == "cp311-x86_64-glibc2.36"


def test_a_patch_level_difference_is_listed_a_minor_one_refused() -> None:
    listed = check_compatible(probe(), ENV, "base")
    assert listed == [
        {
            "name": "python",
            "reason": "the base image has Python 3.11.2; the environment recorded 3.11.7 "
            "(python:3.11.7-slim has it)",
        }
    ]
    assert check_compatible(probe("3.11.7"), ENV, "base") == []
    with pytest.raises(InvalidInput) as caught:
        check_compatible(probe("3.12.1"), ENV, "base", "mlver-local/python:3.11.7-slim")
    assert str(caught.value) == (
        "base image 'base' has Python 3.12.1; the environment recorded Python 3.11.7 (use a "
        "base image with Python 3.11.7: --base mlver-local/python:3.11.7-slim (or "
        "$MLVER_BASE_IMAGE, c.Mlver.base_image))"
    )
    with pytest.raises(InvalidInput, match="no glibc"):
        check_compatible(probe(libc=None), ENV, "base")


def test_without_an_engine_the_target_is_assumed_from_the_environment() -> None:
    env = cast(
        EnvironmentRecord,
        {**ENV, "platform": {"system": "Darwin", "machine": "arm64", "libc": None}},
    )
    target = Target.assumed(env)
    assert (target.python, target.machine, target.glibc, target.probed) == (
        "3.11.7",
        "aarch64",
        "2.36",
        False,
    )
