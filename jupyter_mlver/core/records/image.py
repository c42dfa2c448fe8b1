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
    requirements: list[str]
    runtime: str  # the jupyter_mlver version of the server's runtime
    key: NotRequired[str]  # env snapshot: what the server's packages were resolved for


class PackageReasons(TypedDict):
    """Why a model-sized image's packages are there."""

    flavor: list[str]  # the flavour's
    loaded: list[str] | None  # what loading the artifact imported (None: not known here)
    table: list[str]  # pandas, for a model of named columns
    server: list[str]  # the model server's requirements
    note: str | None


class ModelPackagesInfo(PackageReasons):
    key: str  # finds the lock again


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
    # A serving image (`model build`): the version it serves, how its environment was made
    # (env: model or snapshot), the packages installed, the environment image it is built on
    # (env snapshot, else None) and the model server it adds.
    model: NotRequired[ServedModel]
    env: NotRequired[str]
    requirements: NotRequired[list[str]]
    model_packages: NotRequired[ModelPackagesInfo]  # env model
    environment_image: NotRequired[str | None]
    server: NotRequired[Server]


class ServingFields(TypedDict):
    """What a serving image's record adds to an Image record (``core/images/model_*.py``)."""

    model: ServedModel
    environment_image: str | None
    server: Server
    env: str
    requirements: list[str]
    model_packages: NotRequired[ModelPackagesInfo]
