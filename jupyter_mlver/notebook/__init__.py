"""The notebook side: the ``%mlver`` magics and their display (a front door), the kernel's
session (its pending logs, lineage, the notebook it runs), registering a model from a kernel,
and running notebooks in kernels (``jupyter mlver run``'s executor and the hook it starts
each kernel with)."""
