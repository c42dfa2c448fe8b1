"""Modules stay small enough to have one job: no Python or TypeScript file over 400 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400
SOURCES = {
    "python": ["jupyter_mlver/**/*.py", "tests/**/*.py", "benchmarks/**/*.py"],
}


def too_long(patterns: list[str]) -> list[str]:
    # Hidden folders are not the project's sources (benchmarks/.work holds the peers' venvs).
    files = sorted(
        p
        for pattern in patterns
        for p in ROOT.glob(pattern)
        if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    )
    assert files, patterns
    lengths = {p: len(p.read_text().splitlines()) for p in files}
    return [f"{p.relative_to(ROOT)}: {n} lines" for p, n in lengths.items() if n > MAX_LINES]


@pytest.mark.parametrize("language", sorted(SOURCES))
def test_no_file_is_over_400_lines(language: str) -> None:
    assert too_long(SOURCES[language]) == []
