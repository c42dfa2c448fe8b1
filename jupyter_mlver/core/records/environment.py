"""``mlver.environment/1``: a kernel's environment, shared by every snapshot taken in it
(``core/capture/environment.py``; ``core/images/live.py`` for another interpreter)."""

from .common import NotRequired, TypedDict


class PythonInfo(TypedDict):
    version: str
    implementation: str
    executable: str


class PlatformInfo(TypedDict):
    system: str
    release: str
    machine: str
    libc: str | None
    os_release: str | None


class Gpu(TypedDict):
    name: str
    memory_bytes: int
    driver: str
    cuda: str | None


class Hardware(TypedDict):
    cpu: str
    cores: int
    memory_bytes: int | None
    gpus: list[Gpu]


class Package(TypedDict):
    name: str  # PEP 503 normalized
    version: str
    source: str  # index | vcs | local | editable | conda (PEP 610's direct_url.json)
    url: str | None
    commit: str | None


class Conda(TypedDict):
    name: str
    channels: list[str]
    explicit: list[str]  # channel::name==version=build


class EnvironmentRecord(TypedDict):
    id: NotRequired[str]  # added when read
    schema: str
    python: PythonInfo
    platform: PlatformInfo
    hardware: Hardware
    packages: list[Package]  # sorted by name
    conda: Conda | None
    env_vars: dict[str, str]  # allow-listed, secrets dropped
    fingerprint: str  # what decides an image: python, machine and the packages
