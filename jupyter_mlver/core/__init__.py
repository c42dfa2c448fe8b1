"""The jupyter_mlver library: store, records, capture, images.

Nothing here imports IPython, tornado or jupyter_server; the magics, the server
extension and the CLI are thin front doors over these functions.
"""
