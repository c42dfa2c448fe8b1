"""Views of command results: ``text`` (terminals and ``text/plain``) and ``html`` (notebooks).

Views take the typed results the core returns and make strings; they import nothing from
IPython and never read the store, so the CLI, the magics and tests all show the same thing.
"""
