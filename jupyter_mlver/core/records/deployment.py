"""``mlver.deployment/1``: one change of a local deployment (``core/deploy/events.py:
append``); a deployment's state is its last event."""

from typing import Any

from .common import Author, NotRequired, TypedDict


class DeploymentRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    deployment: str
    event: str  # deployed | canary | weight | promoted | rolled_back | stopped
    model: str
    version: int  # the version the event is about
    weight: int  # its share of requests after the event, in percent
    stable: int | None  # the version taking the rest (None once stopped)
    reason: str | None
    figures: dict[str, Any]  # what the decision was based on (per version, window, limits)
    created: str
    author: Author
    model_record: str  # the id of the version record of `version`
    image: str | None  # the serving image started for `version`
    port: int  # the proxy's published port
