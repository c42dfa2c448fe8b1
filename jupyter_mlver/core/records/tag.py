"""``mlver.tag/1``: a tag added to a snapshot after it was taken (``Store.add_tag``)."""

from .common import NotRequired, TypedDict


class TagRecord(TypedDict):
    id: NotRequired[str | None]  # added when read; None: the tag already named the snapshot
    schema: str
    name: str
    snapshot: str
    created: str
