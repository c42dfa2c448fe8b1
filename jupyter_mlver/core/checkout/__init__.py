"""Restore a snapshot's data files and notebook into the work tree, from the store.

Safety rule (like ``git checkout``): a file is overwritten only when its current content is
recorded for that path in some snapshot, so nothing that was never snapshotted is lost.
Otherwise the whole checkout is refused and the files are named, unless ``force``.
Each file is checked against its recorded hash from the bytes written and put in place
whole (``store/placing.py``), so a kill leaves either the old or the new file; the
checkout is made durable at once (``store/filewriter.py``) before it reports success.

``items``: what the checkout is about; ``plan``: what happens to each file; ``restore``:
``checkout()`` itself.
"""

from .items import (
    NOT_RESTORABLE,
    REFUSED,
    RESTORED,
    SKIPPED,
    UNCHANGED,
    CheckoutItem,
    CheckoutResult,
)
from .restore import checkout

__all__ = [
    "NOT_RESTORABLE",
    "REFUSED",
    "RESTORED",
    "SKIPPED",
    "UNCHANGED",
    "CheckoutItem",
    "CheckoutResult",
    "checkout",
]
