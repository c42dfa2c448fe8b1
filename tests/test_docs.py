"""The manual's generated references cover the code: every command, every argument, every path.

Nothing is built here (``make docs`` builds the manual); these tests read what the generators
read, so a command added without help, or an OpenAPI description YAML cuts short, fails fast.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from jupyter_mlver.commands import COMMANDS, Entry, Group

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OPENAPI = ROOT / "jupyter_mlver" / "server" / "openapi.yaml"


def _load_generator() -> ModuleType:
    """docs/_ext/cli_reference.py, as Sphinx loads it (docs/_ext is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "cli_reference", DOCS / "_ext" / "cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


cli_reference = _load_generator()


def _declared(entries: Sequence[Entry], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for entry in entries:
        yield (*path, entry.name)
        if isinstance(entry, Group):
            yield from _declared(entry.commands, (*path, entry.name))


def _commands(entries: Sequence[Entry], path: tuple[str, ...] = ()) -> Iterator[Any]:
    for entry in entries:
        if isinstance(entry, Group):
            yield from _commands(entry.commands, (*path, entry.name))
        else:
            yield (*path, entry.name), entry


DOCS_BY_PATH = {doc.path: doc for doc in cli_reference.command_docs()}


def test_every_command_and_group_has_a_reference_entry() -> None:
    declared = list(_declared(COMMANDS))
    assert len(declared) > 40  # the walk found the groups' commands too
    assert list(DOCS_BY_PATH) == declared


@pytest.mark.parametrize("path", list(DOCS_BY_PATH), ids=" ".join)
def test_entry_has_usage_and_description(path: tuple[str, ...]) -> None:
    doc = DOCS_BY_PATH[path]
    assert doc.usage.startswith(f"usage: {doc.prog} {doc.name}")
    assert doc.description.strip()
    assert doc.anchor == "cli-" + "-".join(path)


COMMAND_LIST = list(_commands(COMMANDS))


@pytest.mark.parametrize(
    ("path", "command"), COMMAND_LIST, ids=[" ".join(p) for p, _ in COMMAND_LIST]
)
def test_every_argument_is_documented_with_help(path: tuple[str, ...], command: Any) -> None:
    args = {a.dest: a for a in DOCS_BY_PATH[path].args}
    for declared in command.args:
        assert declared.dest in args, f"{' '.join(path)}: {declared.flags} is not in its entry"
        shown = args[declared.dest]
        assert shown.help, f"{' '.join(path)}: {declared.flags} has no help text"
        assert shown.kernel_only == (declared.kernel_only or command.kernel_only)


def test_kernel_only_commands_are_shown_as_magics() -> None:
    assert DOCS_BY_PATH[("log",)].prog == "%mlver"
    assert DOCS_BY_PATH[("snapshot",)].prog == "jupyter mlver"
    state = next(a for a in DOCS_BY_PATH[("snapshot",)].args if "--state" in a.invocation)
    assert state.kernel_only


def test_defaults_are_shown_once() -> None:
    run_args = {a.invocation: a for a in DOCS_BY_PATH[("run",)].args}
    jobs = run_args["-j N, --jobs N"]
    assert "default: 1" in jobs.help
    assert jobs.default is None  # the help already says it
    engine = run_args["--engine {auto,papermill,nbclient}"]
    assert engine.default == "auto"


def _nulls(node: Any, where: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if value is None:
                yield f"{where}/{key}"
            yield from _nulls(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nulls(value, f"{where}[{i}]")


def test_openapi_has_no_text_cut_by_yaml() -> None:
    """In a YAML flow mapping a comma ends the value: ``{description: a, b}`` keeps "a" and
    makes "b" a key with no value, which the REST reference would silently drop."""
    spec = yaml.safe_load(OPENAPI.read_text())
    assert list(_nulls(spec, "")) == []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def test_the_manual_stands_on_its_own() -> None:
    pages = [ROOT / "README.md", *DOCS.rglob("*.md")]
    for page in pages:
        text = page.read_text()
        assert not re.search(r"\.\./shared|DESIGN\.md", text), page


ARCHITECTURE_PATH = re.compile(r"`([\w/]+\.(?:py|ts|tsx|json|yaml))(?::\s*(\w+))?")


def _architecture_paths() -> list[tuple[str, str]]:
    text = (DOCS / "ARCHITECTURE.md").read_text()
    return sorted({(m[1], m[2] or "") for m in ARCHITECTURE_PATH.finditer(text)})


def _files_named(name: str) -> list[Path]:
    """Files that a path cited in the docs may mean: from the root, the package or the
    labextension's sources, or (a bare file name) any file of that name."""
    if "/" not in name:
        return [*(ROOT / "jupyter_mlver").rglob(name), *(ROOT / "labextension" / "src").rglob(name)]
    bases = (ROOT, ROOT / "jupyter_mlver", ROOT / "labextension" / "src", ROOT / "labextension")
    return [base / name for base in bases if (base / name).is_file()]


def test_architecture_names_only_files_and_symbols_that_exist() -> None:
    """The worked example and the map of ARCHITECTURE.md cite real files (the issue that
    rewrote it found three cited files that did not exist)."""
    cited = _architecture_paths()
    assert len(cited) > 50
    missing = [name for name, _ in cited if not _files_named(name)]
    assert missing == []
    for name, symbol in cited:
        if symbol:
            texts = [path.read_text() for path in _files_named(name)]
            assert any(re.search(rf"\b{symbol}\b", text) for text in texts), f"{name}: {symbol}"
