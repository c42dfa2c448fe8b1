"""``mlver.number/1``: a model version's number claimed on a remote or changed
(``core/models/numbers.py: number_record``)."""

from .common import Author, NotRequired, TypedDict


class NumberRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    model: str
    model_record: str  # the id of the version record whose number this is
    event: str  # published | renumbered | repaired
    old: int  # its number before, in the store that wrote this
    new: int  # its number from now on
    author: Author
    created: str
    reason: str | None  # None when a version was published under its own number
