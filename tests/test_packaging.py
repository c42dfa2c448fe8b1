"""What pip sees of jupyter_mlver: runtime dependencies are ranges, pins are for tests."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]


def requirements(group: str | None) -> list[Requirement]:
    listed = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return [Requirement(text) for text in listed]


def lower_bound(req: Requirement) -> Version | None:
    bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", ">", "~=")]
    return max(bounds) if bounds else None


def test_runtime_dependencies_are_ranges_with_lower_bounds() -> None:
    # Exact pins next to a user's own packages make pip fall back to ancient releases:
    # `pip install s3fs boto3` beside fsspec==X resolved s3fs 0.4.2.
    for group in (None, "s3"):
        for req in requirements(group):
            operators = {s.operator for s in req.specifier}
            assert "==" not in operators, req
            assert "===" not in operators, req
            assert lower_bound(req) is not None, f"{req} has no lower bound"


def test_the_s3_extra_gives_a_current_s3fs_and_pins_stay_in_test_and_dev() -> None:
    (s3fs,) = requirements("s3")
    fsspec = next(r for r in requirements(None) if r.name == "fsspec")
    bound, fsspec_bound = lower_bound(s3fs), lower_bound(fsspec)
    assert s3fs.name == "s3fs"
    assert bound is not None
    assert fsspec_bound is not None
    assert bound >= Version("2023.1")
    assert bound >= fsspec_bound
    for group in ("test", "dev", "lab"):
        for req in requirements(group):
            assert [s.operator for s in req.specifier] == ["=="], req
