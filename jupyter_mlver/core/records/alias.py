"""``mlver.alias/1``: one move of a model's alias (``core/models/records.py:
alias_record``); the holder of an alias is the version of its last event."""

from .common import Author, NotRequired, TypedDict


class AliasRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    model: str
    alias: str
    version: int
    previous: int | None  # the version that held it before, None for its first move
    # The version record that held it before (absent in events of earlier versions): how a
    # merge of several users' events finds concurrent moves.
    previous_record: NotRequired[str | None]
    author: Author
    created: str
    reason: str | None
    forced: bool  # --force --reason overrode the guard
    model_record: str  # the id of the version record it now points at
    rollback: bool  # made by rollback: it undoes the move before it
    # Added by a merge (model history): a concurrent move, and one the guard did not apply.
    conflict: NotRequired[str]
    applied: NotRequired[bool]  # only ever False
