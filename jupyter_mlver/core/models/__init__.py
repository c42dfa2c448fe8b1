"""The model registry: model versions tied to snapshots, aliases with a history.

``flavors`` saves and loads model objects and imports only the standard library at module
level, so the model server can use it without the rest of jupyter_mlver's dependencies.
"""
