"""What a build is asked for (``BuildOptions``) and what it is about: a snapshot and its
environment, or the current environment alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..capture.environment import capture_environment
from ..records import EnvironmentRecord, GitInfo, NotebookInfo, SnapshotRecord
from ..store.index.db import ALL
from ..store.store import Store
from .extras import ImageExtras


@dataclass
class BuildOptions:
    """What ``env build`` accepts, and what other images (``extras``) add to it."""

    ref: str | None = None  # a snapshot: HEAD, HEAD~N, tag, id prefix
    notebook: object = ALL  # whose HEAD (the magics pass the notebook's store path)
    current: bool = False  # the current environment even when there are snapshots
    environment: EnvironmentRecord | None = None  # an explicit environment record (API, tests)
    tag: str | None = None  # SEMVER: adds <prefix><name>:<tag>
    base: str | None = None  # default python:<major.minor.micro>-slim
    name: str | None = None  # the image's repository name; default the project directory
    prefix: str = ""  # c.Mlver.image_prefix, e.g. "registry.example.com/team/"
    push: str | None = None  # a repository to push every tag to
    no_cache: bool = False  # no reuse, no layer cache
    online: bool = False  # index packages from the index inside the build
    dry_run: bool = False  # write the context and Dockerfile, build nothing
    output: Path | None = None  # where a dry run writes the context
    extras: ImageExtras | None = None  # layers, labels, tags, CMD on top of the environment


@dataclass
class Source:
    snapshot: SnapshotRecord | None
    environment: EnvironmentRecord  # with its id

    @property
    def snapshot_id(self) -> str | None:
        return self.snapshot["id"] if self.snapshot else None

    @property
    def git(self) -> GitInfo | None:
        return self.snapshot.get("git") if self.snapshot else None

    @property
    def notebook(self) -> NotebookInfo | None:
        return self.snapshot.get("notebook") if self.snapshot else None


def resolve_source(store: Store, options: BuildOptions) -> Source:
    """The snapshot and environment a build (or ``env show``) is about; an environment
    that is not stored yet is stored (an Image record must reference it)."""
    if options.environment is not None:
        env = options.environment
    elif options.ref is not None or (
        not options.current and store.index.latest(options.notebook) is not None
    ):
        snapshot = store.get(store.resolve(options.ref or "HEAD", options.notebook), SnapshotRecord)
        return Source(snapshot, store.get(snapshot["environment"], EnvironmentRecord))
    else:
        env = capture_environment().copy()
    if env.get("id") and store.index.has(env["id"]):
        return Source(None, env)
    with store.writing():
        return Source(None, store.put_record(env))
