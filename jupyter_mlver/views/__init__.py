"""Views of typed results: ``views/<topic>/text.py`` for terminals (and text/plain) and
``views/<topic>/html.py`` for notebooks, one package per topic (snapshots, store, remote,
images, compare, drift, runs, models, serving, deploy, governance). ``format.py`` holds the
text helpers and ``markup.py`` the HTML building blocks (JupyterLab's theme variables).

Views import only ``jupyter_mlver.core`` and each other: never the commands, the notebook
side, the server or the CLI (``views/ruff.toml`` bans them), and never read the store."""
