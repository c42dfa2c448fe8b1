"""``mlver.image/1``: an image built (or reused) for a snapshot's environment, or a model
version's serving image (``core/images/build.py: image_record`` makes both)."""

from .common import NotRequired, TypedDict


class Unreproducible(TypedDict):
    name: str
    reason: str  # what is not exactly as recorded


class ServedModel(TypedDict):
    name: str
    version: int
    record: str  # the version record's id


class Server(TypedDict):
    key: str  # what the model server's packages were resolved for
    requirements: list[str]
    runtime: str  # the jupyter_mlver version of the server's runtime


class ImageRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    image_id: str  # sha256:…
    repo_digests: list[str]  # <repository>@sha256:… for every push
    tags: list[str]
    base: str
    platform: str  # os/architecture
    environment: str
    snapshot: str | None
    dockerfile: str  # object ids
    lock: str
    build_log: str | None  # None when reused
    created: str
    build_seconds: float
    reused: bool
    unreproducible: list[Unreproducible]
    wheels: list[str]  # the wheel objects the image was built from
    inputs: str  # the hash that decides reuse
    # A serving image (`model build`): the version it serves, the environment image it is
    # built on, and the model server it adds.
    model: NotRequired[ServedModel]
    environment_image: NotRequired[str]
    server: NotRequired[Server]
