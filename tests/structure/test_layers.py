"""The package's layers hold: no module imports a layer above its own, and no import cycle,
type-only imports included (grimp reads ``if TYPE_CHECKING:`` blocks too)."""

from __future__ import annotations

import graphlib

import grimp
import pytest

PACKAGE = "jupyter_mlver"

#: Top to bottom. A module may import its own layer and the layers below it; the members of a
#: set are siblings that must not import each other unless listed in ``SIBLING_IMPORTS``.
#: A module belongs to the longest name listed that it is or is inside of.
LAYERS: list[set[str]] = [
    # front doors: the CLI, the magics and their display, the REST API, the Python API, the
    # code a kernel started by `jupyter mlver run` runs first, and the model server
    {"api", "cli", "server", "notebook.magics", "notebook.display", "notebook.run_hook", "serving"},
    {"commands"},  # one declaration per command
    # views of typed results; the traitlets settings; the kernel side the commands call in a
    # kernel (its session, registration from it) and the runner of notebooks in kernels
    {"views", "config", "notebook"},
    {"core"},  # the library
    {"_version"},
]
#: Siblings that may use each other: the front doors share the kernel session, and the
#: kernel side reads the settings.
SIBLING_IMPORTS = {
    ("notebook.magics", "notebook.display"),
    ("notebook", "config"),
}
#: What the model server may import of jupyter_mlver besides itself (it runs in serving images
#: that have none of the rest; core/images/runtime_layer.py copies exactly these).
SERVING_MAY_IMPORT = {
    "jupyter_mlver",
    "jupyter_mlver._version",
    "jupyter_mlver.core",
    "jupyter_mlver.core.errors",
    "jupyter_mlver.core.models",
    "jupyter_mlver.core.models.flavors",
    "jupyter_mlver.core.models.model_files",
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=False)


UNITS = sorted((name for layer in LAYERS for name in layer), key=len, reverse=True)


def _part(module: str) -> str:
    """The unit of LAYERS a module belongs to ("" for the package itself)."""
    name = module.removeprefix(PACKAGE).removeprefix(".")
    for unit in UNITS:
        if name == unit or name.startswith(unit + "."):
            return unit
    if name == "":
        return ""
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _layer(module: str) -> int:
    part = _part(module)
    if part == "":  # the package itself: entry points, imported by the front doors
        return 0
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def _imports(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    return sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith(PACKAGE)
    )


def _upward(imports: list[tuple[str, str]]) -> list[str]:
    return [f"{a} -> {b}" for a, b in imports if _part(a) != "" and _layer(b) < _layer(a)]


def test_no_module_imports_a_layer_above_it(graph: grimp.ImportGraph) -> None:
    assert _upward(_imports(graph)) == []


def test_an_upward_import_is_found() -> None:
    imports = [
        ("jupyter_mlver.views.models.text", "jupyter_mlver.commands.models"),
        ("jupyter_mlver.core.records", "jupyter_mlver.notebook.session"),
        ("jupyter_mlver.commands.store", "jupyter_mlver.notebook.session"),
    ]
    assert _upward(imports) == [f"{a} -> {b}" for a, b in imports[:2]]


def test_siblings_stay_apart(graph: grimp.ImportGraph) -> None:
    crossing = [
        f"{a} -> {b}"
        for a, b in _imports(graph)
        if "" not in (_part(a), _part(b))
        and _part(a) != _part(b)
        and _layer(a) == _layer(b)
        and (_part(a), _part(b)) not in SIBLING_IMPORTS
    ]
    assert crossing == []


def test_the_model_server_imports_only_its_runtime(graph: grimp.ImportGraph) -> None:
    outside = [
        f"{a} -> {b}"
        for a, b in _imports(graph)
        if _part(a) == "serving" and _part(b) != "serving" and b not in SERVING_MAY_IMPORT
    ]
    assert outside == []


def _cycle(graph: grimp.ImportGraph) -> list[str]:
    """One import cycle (its modules in order, the first repeated at the end), or []."""
    edges = {m: graph.find_modules_directly_imported_by(m) & graph.modules for m in graph.modules}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as e:
        return list(e.args[1])
    return []


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    class Fake:
        modules = frozenset({"a", "b", "c"})

        @staticmethod
        def find_modules_directly_imported_by(m: str) -> set[str]:
            return {"a": {"b"}, "b": {"a"}, "c": {"a"}}[m]

    assert sorted(set(_cycle(Fake()))) == ["a", "b"]  # type: ignore[arg-type]
