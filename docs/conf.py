"""Sphinx configuration of the jupyter_mlver manual (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_mlver._version import __version__

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "jupyter_mlver"
author = "jupyter_mlver contributors"
copyright = "jupyter_mlver contributors"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinxcontrib.openapi",
    "cli_reference",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
# Links between pages go to headings by their slug ([text](store.md#the-store)).
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]
# The REST reference: the renderer that also lists request and response JSON fields.
openapi_default_renderer = "httpdomain"

html_theme = "pydata_sphinx_theme"
html_title = f"jupyter_mlver {__version__}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
# Every page is top-level, so the theme's section navigation would be empty: list them all.
html_sidebars: dict[str, list[str]] = {"**": ["globaltoc.html"]}
html_show_sourcelink = False
